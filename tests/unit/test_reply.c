/*
 * reply: exact text and JSON renderings, failures, overflow, and a
 * randomized equivalence check: random field trees are written through
 * the reply API in both modes and compared with what an independent
 * recursive renderer (in this file) makes of the same tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/reply.h"
#include "tests/fuzz/json_check.h"

#include "tests/unit/capture_sink.h"

static struct capture cap;
static struct reply rep;

static const struct reply_sink sink = { capture_write, &cap };

static struct reply *start(enum reply_mode mode, const char *cmd)
{
	cap.len = 0;
	cap.out[0] = '\0';
	cap.writes = 0;
	reply_begin(&rep, mode, &sink, cmd);
	return &rep;
}

/* The captured JSON, checked to be one valid line ending in "\n". */
static bool json_line_ok(void)
{
	return cap.len > 0 && cap.out[cap.len - 1] == '\n' &&
	       !memchr(cap.out, '\n', cap.len - 1) &&
	       json_check(cap.out, cap.len - 1);
}

TEST empty_reply(void)
{
	reply_end(start(REPLY_TEXT, "noop"));
	ASSERT_STR_EQ("ok\n", cap.out);
	ASSERT_EQ(3, cap.len);
	reply_end(start(REPLY_JSON, "noop"));
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"noop\"}\n", cap.out);
	PASS();
}

static void write_scalars(struct reply *r)
{
	reply_str(r, "name", "hv-1");
	reply_u64(r, "count", 18446744073709551615ULL);
	reply_i64(r, "delta", INT64_MIN);
	reply_hex(r, "cr3", 0x1234abcdULL);
	reply_bool(r, "vmx", true);
	reply_bool(r, "smx", false);
	reply_str(r, "empty", "");
	reply_strf(r, "cpus", "%d/%d", 3, 4);
}

TEST scalars(void)
{
	write_scalars(start(REPLY_TEXT, "info"));
	reply_end(&rep);
	ASSERT_STR_EQ("name: hv-1\ncount: 18446744073709551615\n"
		      "delta: -9223372036854775808\ncr3: 0x1234abcd\nvmx: true\n"
		      "smx: false\nempty: \"\"\ncpus: 3/4\n", cap.out);
	write_scalars(start(REPLY_JSON, "info"));
	reply_end(&rep);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"info\",\"name\":\"hv-1\","
		      "\"count\":18446744073709551615,\"delta\":-9223372036854775808,"
		      "\"cr3\":\"0x1234abcd\",\"vmx\":true,\"smx\":false,\"empty\":\"\","
		      "\"cpus\":\"3/4\"}\n", cap.out);
	ASSERT(json_line_ok());
	PASS();
}

static void write_nested(struct reply *r)
{
	reply_str(r, "host", "a");
	reply_obj_begin(r, "mem");
	reply_u64(r, "total", 512);
	reply_obj_begin(r, "free");
	reply_u64(r, "pages", 7);
	reply_obj_end(r);
	reply_obj_end(r);
	reply_u64(r, "after", 1);
}

TEST nested_objects(void)
{
	write_nested(start(REPLY_TEXT, "mem"));
	reply_end(&rep);
	ASSERT_STR_EQ("host: a\nmem:\n  total: 512\n  free:\n    pages: 7\nafter: 1\n",
		      cap.out);
	write_nested(start(REPLY_JSON, "mem"));
	reply_end(&rep);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"mem\",\"host\":\"a\",\"mem\":{\"total\":512,"
		      "\"free\":{\"pages\":7}},\"after\":1}\n", cap.out);
	PASS();
}

static void write_arrays(struct reply *r)
{
	int i;

	reply_arr_begin(r, "cpus");
	for (i = 0; i < 2; i++) {
		reply_obj_begin(r, NULL);
		reply_u64(r, "id", (uint64_t)i);
		reply_hex(r, "apic", (uint64_t)i * 2);
		reply_arr_begin(r, "flags");
		reply_str(r, NULL, "bsp");
		reply_arr_end(r);
		reply_obj_end(r);
	}
	reply_arr_end(r);
	reply_arr_begin(r, "tags");
	reply_str(r, "ignored-in-array", "x");
	reply_i64(r, NULL, -1);
	reply_arr_end(r);
}

TEST arrays_of_objects_and_scalars(void)
{
	write_arrays(start(REPLY_TEXT, "cpu"));
	reply_end(&rep);
	ASSERT_STR_EQ("cpus:\n"
		      "  - id: 0\n    apic: 0x0\n    flags:\n      - bsp\n"
		      "  - id: 1\n    apic: 0x2\n    flags:\n      - bsp\n"
		      "tags:\n  - x\n  - -1\n", cap.out);
	write_arrays(start(REPLY_JSON, "cpu"));
	reply_end(&rep);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"cpu\",\"cpus\":["
		      "{\"id\":0,\"apic\":\"0x0\",\"flags\":[\"bsp\"]},"
		      "{\"id\":1,\"apic\":\"0x2\",\"flags\":[\"bsp\"]}],"
		      "\"tags\":[\"x\",-1]}\n", cap.out);
	PASS();
}

static void write_nested_arrays(struct reply *r)
{
	reply_arr_begin(r, "m");
	reply_arr_begin(r, NULL);
	reply_u64(r, NULL, 1);
	reply_u64(r, NULL, 2);
	reply_arr_end(r);
	reply_arr_begin(r, NULL);
	reply_obj_begin(r, NULL);
	reply_u64(r, "a", 3);
	reply_u64(r, "b", 4);
	reply_obj_end(r);
	reply_arr_end(r);
	reply_arr_begin(r, NULL);
	reply_arr_end(r);
	reply_obj_begin(r, NULL);
	reply_obj_end(r);
	reply_arr_end(r);
	reply_obj_begin(r, "none");
	reply_obj_end(r);
	reply_arr_begin(r, "nil");
	reply_arr_end(r);
}

TEST nested_arrays_and_empty_containers(void)
{
	write_nested_arrays(start(REPLY_TEXT, "x"));
	reply_end(&rep);
	ASSERT_STR_EQ("m:\n  - - 1\n    - 2\n  - - a: 3\n      b: 4\n  - []\n  - {}\n"
		      "none: {}\nnil: []\n", cap.out);
	write_nested_arrays(start(REPLY_JSON, "x"));
	reply_end(&rep);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"x\",\"m\":[[1,2],[{\"a\":3,\"b\":4}],[],{}],"
		      "\"none\":{},\"nil\":[]}\n", cap.out);
	PASS();
}

TEST error_discards_fields(void)
{
	enum reply_mode m;

	for (m = REPLY_TEXT; m <= REPLY_JSON; m++) {
		struct reply *r = start(m, "log");

		reply_str(r, "before", "x");
		reply_arr_begin(r, "list");
		reply_u64(r, NULL, 1);
		reply_error(r, "bad level '%s'", "loud");
		reply_error(r, "second error loses");
		reply_u64(r, "after", 2);
		reply_arr_end(r);
		reply_end(r);
		if (m == REPLY_TEXT) {
			ASSERT_STR_EQ("error: bad level 'loud'\n", cap.out);
		} else {
			ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"log\","
				      "\"error\":\"bad level 'loud'\"}\n", cap.out);
		}
	}
	PASS();
}

TEST error_bytes_are_escaped(void)
{
	struct reply *r = start(REPLY_JSON, "\x01\xfe\"cmd");

	reply_error(r, "unknown command '%s'", "\x1b[2J\xff");
	reply_end(r);
	ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"\\u0001\\u00fe\\\"cmd\","
		      "\"error\":\"unknown command '\\u001b[2J\\u00ff'\"}\n", cap.out);
	ASSERT(json_line_ok());
	r = start(REPLY_TEXT, "x");
	reply_error(r, "bad '%s'", "\x1b[2J\n\xff");
	reply_end(r);
	ASSERT_STR_EQ("error: bad '\\x1b[2J\\x0a\\xff'\n", cap.out);
	PASS();
}

TEST text_escapes_the_ends_of_the_printable_range(void)
{
	struct reply *r = start(REPLY_TEXT, "x");

	/* 0x1f and DEL (0x7f) escaped; space and '~' (0x20, 0x7e) as they are */
	reply_error(r, "%s", "\x1f ~\x7f");
	reply_end(r);
	ASSERT_STR_EQ("error: \\x1f ~\\x7f\n", cap.out);
	PASS();
}

TEST long_cmd_truncated(void)
{
	char name[200];

	memset(name, 'c', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	reply_end(start(REPLY_JSON, name));
	ASSERT_EQ(sizeof(rep.cmd) - 1, strlen(rep.cmd));
	ASSERT(json_line_ok());
	PASS();
}

TEST strf_truncation_is_marked(void)
{
	char big[600];

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	start(REPLY_TEXT, "x");
	reply_strf(&rep, "k", "%s", big);
	reply_end(&rep);
	ASSERT_EQ(strlen("k: ") + REPLY_ERROR_SIZE - 1 + 1, cap.len);
	ASSERT_MEM_EQ("...\n", cap.out + cap.len - 4, 4);
	PASS();
}

/* The marker appears exactly when the value did not fit: at the
 * buffer's size, not one below it. */
TEST strf_truncation_boundary(void)
{
	char v[REPLY_ERROR_SIZE + 1];

	memset(v, 'v', REPLY_ERROR_SIZE - 1);
	v[REPLY_ERROR_SIZE - 1] = '\0'; /* fits exactly, with its NUL */
	reply_strf(start(REPLY_TEXT, "x"), "k", "%s", v);
	reply_end(&rep);
	ASSERT_EQ(strlen("k: ") + REPLY_ERROR_SIZE - 1 + 1, cap.len);
	ASSERT_EQ('v', cap.out[cap.len - 2]);
	v[REPLY_ERROR_SIZE - 1] = 'v'; /* one more: cut and marked */
	v[REPLY_ERROR_SIZE] = '\0';
	reply_strf(start(REPLY_TEXT, "x"), "k", "%s", v);
	reply_end(&rep);
	ASSERT_EQ(strlen("k: ") + REPLY_ERROR_SIZE - 1 + 1, cap.len);
	ASSERT_MEM_EQ("...\n", cap.out + cap.len - 4, 4);
	PASS();
}

/* IPv4 addresses, each byte in its place (host byte order in). */
TEST ipv4_dotted_quads(void)
{
	static const struct {
		uint32_t addr;
		const char *text;
	} cases[] = {
		{ 0, "0.0.0.0" }, { 0x01020304, "1.2.3.4" }, { 0xc0a8fe01, "192.168.254.1" },
		{ 0xffffffff, "255.255.255.255" }, { 0x80008080, "128.0.128.128" },
	};
	char want[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		reply_ipv4(start(REPLY_TEXT, "x"), "a", cases[i].addr);
		reply_end(&rep);
		snprintf(want, sizeof(want), "a: %s\n", cases[i].text);
		ASSERT_STR_EQ(want, cap.out);
	}
	PASS();
}

TEST overflow_becomes_error(void)
{
	enum reply_mode m;
	int i;

	for (m = REPLY_TEXT; m <= REPLY_JSON; m++) {
		struct reply *r = start(m, "big");

		reply_arr_begin(r, "numbers");
		for (i = 0; i < 5000; i++)
			reply_u64(r, NULL, 1000000000000ULL + (uint64_t)i);
		reply_arr_end(r);
		reply_end(r);
		if (m == REPLY_TEXT)
			ASSERT_STR_EQ("error: reply too large\n", cap.out);
		else
			ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"big\","
				      "\"error\":\"reply too large\"}\n", cap.out);
	}
	PASS();
}

TEST too_deep_becomes_error(void)
{
	struct reply *r = start(REPLY_JSON, "deep");
	int i;

	for (i = 0; i < REPLY_MAX_DEPTH - 1; i++)
		reply_obj_begin(r, "o");
	ASSERT_FALSE(r->failed);
	reply_obj_begin(r, "o");
	ASSERT(r->failed);
	reply_end(r);
	ASSERT(json_line_ok());
	ASSERT(strstr(cap.out, "\"ok\":false"));
	PASS();
}

TEST unclosed_containers_are_closed(void)
{
	struct reply *r = start(REPLY_JSON, "open");

	reply_obj_begin(r, "a");
	reply_arr_begin(r, "b");
	reply_u64(r, NULL, 1);
	reply_end(r);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"open\",\"a\":{\"b\":[1]}}\n", cap.out);
	r = start(REPLY_TEXT, "open");
	reply_obj_end(r); /* nothing open: ignored */
	reply_u64(r, "x", 1);
	reply_end(r);
	ASSERT_STR_EQ("x: 1\n", cap.out);
	PASS();
}

/*
 * A reply without a sink (NULL, or a sink without a write function) is
 * rendered and dropped: no call through a NULL pointer in any mode or on
 * the error path, and the next reply to a real sink comes out whole.
 */
TEST null_sink_is_harmless(void)
{
	static const struct reply_sink no_write = { NULL, &cap };
	const struct reply_sink *sinks[] = { NULL, &no_write };
	enum reply_mode modes[] = { REPLY_TEXT, REPLY_JSON };
	size_t si, mi;

	for (si = 0; si < ARRAY_SIZE(sinks); si++) {
		for (mi = 0; mi < ARRAY_SIZE(modes); mi++) {
			cap.len = 0;
			cap.writes = 0;
			reply_begin(&rep, modes[mi], sinks[si], "x");
			reply_u64(&rep, "a", 1);
			reply_end(&rep);
			ASSERT_FALSE(rep.failed);
			reply_begin(&rep, modes[mi], sinks[si], "x");
			reply_error(&rep, "boom");
			reply_end(&rep);
			ASSERT(rep.failed);
			ASSERT_EQ(0, cap.writes);
			ASSERT_EQ(0, cap.len);
		}
	}
	reply_u64(start(REPLY_TEXT, "x"), "a", 1);
	reply_end(&rep);
	ASSERT_STR_EQ("a: 1\n", cap.out);
	reply_u64(start(REPLY_JSON, "x"), "a", 1);
	reply_end(&rep);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"x\",\"a\":1}\n", cap.out);
	PASS();
}

/* ------------------------------------------- randomized equivalence */

enum node_kind { N_STR, N_U64, N_I64, N_HEX, N_BOOL, N_OBJ, N_ARR };

struct node {
	enum node_kind kind;
	char key[8];
	char str[16];
	uint64_t v;
	int nkids;
	struct node *kids[6];
};

static struct node pool[4096];
static int pool_used;
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct node *gen(int depth)
{
	static const char chars[] = "abz09 -_\"\\/:{}[]";
	struct node *n = &pool[pool_used++];
	int i, len;

	memset(n, 0, sizeof(*n));
	n->kind = (enum node_kind)(rng() % (depth < REPLY_MAX_DEPTH - 2 ? 7 : 5));
	snprintf(n->key, sizeof(n->key), "k%d", (int)(rng() % 100));
	n->v = rng() >> (rng() % 64);
	len = (int)(rng() % sizeof(n->str));
	for (i = 0; i < len; i++)
		n->str[i] = chars[rng() % (sizeof(chars) - 1)];
	if (n->kind == N_OBJ || n->kind == N_ARR) {
		n->nkids = (int)(rng() % 5);
		for (i = 0; i < n->nkids && pool_used < (int)ARRAY_SIZE(pool) - 1; i++)
			n->kids[i] = gen(depth + 1);
		n->nkids = i;
	}
	return n;
}

/* Drive the reply API with the tree (keys passed even in arrays). */
static void emit(struct reply *r, const struct node *n)
{
	int i;

	switch (n->kind) {
	case N_STR: reply_str(r, n->key, n->str); break;
	case N_U64: reply_u64(r, n->key, n->v); break;
	case N_I64: reply_i64(r, n->key, (int64_t)n->v); break;
	case N_HEX: reply_hex(r, n->key, n->v); break;
	case N_BOOL: reply_bool(r, n->key, n->v & 1); break;
	case N_OBJ:
	case N_ARR:
		if (n->kind == N_OBJ)
			reply_obj_begin(r, n->key);
		else
			reply_arr_begin(r, n->key);
		for (i = 0; i < n->nkids; i++)
			emit(r, n->kids[i]);
		if (n->kind == N_OBJ)
			reply_obj_end(r);
		else
			reply_arr_end(r);
		break;
	}
}

static char expect[4 * REPLY_BUF_SIZE];
static size_t expect_len;

static void put(const char *s)
{
	size_t n = strlen(s);

	memcpy(expect + expect_len, s, n);
	expect_len += n;
	expect[expect_len] = '\0';
}

static void scalar_text(const struct node *n, char *out, size_t size)
{
	switch (n->kind) {
	case N_STR: snprintf(out, size, "%s", n->str[0] ? n->str : "\"\""); break;
	case N_U64: snprintf(out, size, "%llu", (unsigned long long)n->v); break;
	case N_I64: snprintf(out, size, "%lld", (long long)n->v); break;
	case N_HEX: snprintf(out, size, "0x%llx", (unsigned long long)n->v); break;
	default: snprintf(out, size, "%s", (n->v & 1) ? "true" : "false"); break;
	}
}

/* out = a then b; prefixes are at most two bytes per level. */
static void join(char *out, const char *a, const char *b)
{
	strcpy(out, a);
	strcat(out, b);
}

/*
 * Reference text renderer, recursive: a container's lines start with
 * first (for its first line) or rest (for the others).
 */
static void text_container(const struct node *c, const char *first, const char *rest)
{
	char val[64], pre[64], sub_first[64], sub_rest[64];
	const struct node *k;
	int i;

	for (i = 0; i < c->nkids; i++) {
		k = c->kids[i];
		join(pre, i == 0 ? first : rest, "");
		if (k->kind < N_OBJ) {
			scalar_text(k, val, sizeof(val));
			put(pre);
			put(c->kind == N_ARR ? "- " : k->key);
			put(c->kind == N_ARR ? "" : ": ");
			put(val);
			put("\n");
			continue;
		}
		if (c->kind == N_ARR) {
			join(sub_first, pre, "- ");
			join(sub_rest, rest, "  ");
			if (k->nkids == 0) {
				put(sub_first);
				put(k->kind == N_OBJ ? "{}\n" : "[]\n");
			}
		} else {
			put(pre);
			put(k->key);
			put(k->nkids ? ":\n" : k->kind == N_OBJ ? ": {}\n" : ": []\n");
			join(sub_first, rest, "  ");
			join(sub_rest, rest, "  ");
		}
		text_container(k, sub_first, sub_rest);
	}
}

static void json_node(const struct node *n, bool keyed)
{
	char val[64];
	const char *s;
	int i;

	if (keyed) {
		put("\"");
		put(n->key);
		put("\":");
	}
	switch (n->kind) {
	case N_STR:
		put("\"");
		for (s = n->str; *s; s++) {
			char e[3] = { '\\', *s, 0 };

			put(*s == '"' || *s == '\\' ? e : e + 1);
		}
		put("\"");
		return;
	case N_HEX:
		snprintf(val, sizeof(val), "\"0x%llx\"", (unsigned long long)n->v);
		put(val);
		return;
	case N_OBJ:
	case N_ARR:
		put(n->kind == N_OBJ ? "{" : "[");
		for (i = 0; i < n->nkids; i++) {
			if (i)
				put(",");
			json_node(n->kids[i], n->kind == N_OBJ);
		}
		put(n->kind == N_OBJ ? "}" : "]");
		return;
	default:
		scalar_text(n, val, sizeof(val));
		put(val);
		return;
	}
}

TEST random_trees_render_equivalently(void)
{
	struct node root;
	int iter, i, n_large = 0;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (iter = 0; iter < 2000; iter++) {
		pool_used = 0;
		memset(&root, 0, sizeof(root));
		root.kind = N_OBJ;
		root.nkids = (int)(rng() % 6);
		for (i = 0; i < root.nkids && pool_used < 3000; i++)
			root.kids[i] = gen(1);
		root.nkids = i;

		start(REPLY_TEXT, "t");
		for (i = 0; i < root.nkids; i++)
			emit(&rep, root.kids[i]);
		reply_end(&rep);
		expect_len = 0;
		text_container(&root, "", "");
		if (expect_len == 0)
			put("ok\n");
		if (expect_len > REPLY_BUF_SIZE) {
			expect_len = 0;
			put("error: reply too large\n");
			n_large++;
		}
		ASSERT_STR_EQ(expect, cap.out);

		start(REPLY_JSON, "t");
		for (i = 0; i < root.nkids; i++)
			emit(&rep, root.kids[i]);
		reply_end(&rep);
		expect_len = 0;
		put("{\"ok\":true,\"cmd\":\"t\"");
		for (i = 0; i < root.nkids; i++) {
			put(",");
			json_node(root.kids[i], true);
		}
		put("}");
		if (expect_len >= REPLY_BUF_SIZE) {
			expect_len = 0;
			put("{\"ok\":false,\"cmd\":\"t\",\"error\":\"reply too large\"}");
		}
		put("\n");
		ASSERT_STR_EQ(expect, cap.out);
		ASSERT(json_line_ok());
	}
	if (n_large)
		fprintf(stderr, "(%d trees overflowed the text buffer)\n", n_large);
	PASS();
}

SUITE(reply_render)
{
	SHUFFLED_TESTS({
		RUN_TEST(empty_reply);
		RUN_TEST(scalars);
		RUN_TEST(nested_objects);
		RUN_TEST(arrays_of_objects_and_scalars);
		RUN_TEST(nested_arrays_and_empty_containers);
		RUN_TEST(unclosed_containers_are_closed);
		RUN_TEST(null_sink_is_harmless);
		RUN_TEST(random_trees_render_equivalently);
	});
}

SUITE(reply_failures)
{
	SHUFFLED_TESTS({
		RUN_TEST(error_discards_fields);
		RUN_TEST(error_bytes_are_escaped);
		RUN_TEST(text_escapes_the_ends_of_the_printable_range);
		RUN_TEST(long_cmd_truncated);
		RUN_TEST(strf_truncation_is_marked);
		RUN_TEST(strf_truncation_boundary);
		RUN_TEST(ipv4_dotted_quads);
		RUN_TEST(overflow_becomes_error);
		RUN_TEST(too_deep_becomes_error);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(reply_render);
		RUN_SUITE(reply_failures);
	});
	GREATEST_MAIN_END();
}
