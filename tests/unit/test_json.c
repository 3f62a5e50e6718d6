/*
 * json writer: exact output, escaping of every byte value, nesting limits
 * and overflow at every buffer size. Output is checked by an independent
 * recursive-descent parser (below) that also decodes strings, so escaping
 * is verified by round trip rather than only by string comparison.
 */
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/json.h"

/* ---------------------------------------------------------- validator */

struct jp {
	const char *s;
	size_t n, i;
	char *out; /* decoded bytes of every string value, concatenated */
	size_t out_len, out_cap;
};

static int jp_peek(const struct jp *p)
{
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static void jp_ws(struct jp *p)
{
	while (jp_peek(p) == ' ' || jp_peek(p) == '\n' || jp_peek(p) == '\t' ||
	       jp_peek(p) == '\r')
		p->i++;
}

static bool jp_expect(struct jp *p, const char *lit)
{
	for (; *lit; lit++, p->i++)
		if (jp_peek(p) != (unsigned char)*lit)
			return false;
	return true;
}

static void jp_emit(struct jp *p, int c)
{
	if (p->out && p->out_len < p->out_cap)
		p->out[p->out_len] = (char)c;
	p->out_len++;
}

static int jp_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool jp_escape(struct jp *p)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	int c = jp_peek(p), v = 0, i, h;

	p->i++;
	if (c == 'u') {
		for (i = 0; i < 4; i++, p->i++) {
			h = jp_hex(jp_peek(p));
			if (h < 0)
				return false;
			v = v * 16 + h;
		}
		if (v > 0xff)
			return false; /* the writer only ever escapes bytes */
		jp_emit(p, v);
		return true;
	}
	k = c > 0 ? strchr(from, c) : NULL;
	if (!k)
		return false;
	jp_emit(p, to[k - from]);
	return true;
}

static bool jp_string(struct jp *p)
{
	int c;

	if (jp_peek(p) != '"')
		return false;
	for (p->i++;;) {
		c = jp_peek(p);
		/* Controls are invalid JSON; >= 0x7f breaks our ASCII promise. */
		if (c < 0x20 || c >= 0x7f)
			return false;
		p->i++;
		if (c == '"')
			return true;
		if (c == '\\') {
			if (!jp_escape(p))
				return false;
		} else {
			jp_emit(p, c);
		}
	}
}

static bool jp_digits(struct jp *p)
{
	size_t start = p->i;

	while (jp_peek(p) >= '0' && jp_peek(p) <= '9')
		p->i++;
	return p->i > start;
}

static bool jp_number(struct jp *p)
{
	if (jp_peek(p) == '-')
		p->i++;
	if (jp_peek(p) == '0')
		p->i++;
	else if (!jp_digits(p))
		return false;
	if (jp_peek(p) == '.') {
		p->i++;
		if (!jp_digits(p))
			return false;
	}
	if (jp_peek(p) == 'e' || jp_peek(p) == 'E') {
		p->i++;
		if (jp_peek(p) == '+' || jp_peek(p) == '-')
			p->i++;
		return jp_digits(p);
	}
	return true;
}

static bool jp_value(struct jp *p, int depth);

static bool jp_container(struct jp *p, int depth, int close)
{
	p->i++;
	jp_ws(p);
	if (jp_peek(p) == close) {
		p->i++;
		return true;
	}
	for (;;) {
		jp_ws(p);
		if (close == '}') {
			if (!jp_string(p))
				return false;
			jp_ws(p);
			if (!jp_expect(p, ":"))
				return false;
		}
		if (!jp_value(p, depth + 1))
			return false;
		jp_ws(p);
		if (jp_peek(p) == close) {
			p->i++;
			return true;
		}
		if (!jp_expect(p, ","))
			return false;
	}
}

static bool jp_value(struct jp *p, int depth)
{
	int c;

	if (depth > 100)
		return false;
	jp_ws(p);
	c = jp_peek(p);
	if (c == '{')
		return jp_container(p, depth, '}');
	if (c == '[')
		return jp_container(p, depth, ']');
	if (c == '"')
		return jp_string(p);
	if (c == 't')
		return jp_expect(p, "true");
	if (c == 'f')
		return jp_expect(p, "false");
	if (c == 'n')
		return jp_expect(p, "null");
	return jp_number(p);
}

/* Validate s as one JSON document; decoded string bytes go to out. */
static bool json_valid_decode(const char *s, char *out, size_t cap, size_t *out_len)
{
	struct jp p = { s, strlen(s), 0, out, 0, cap };

	if (!jp_value(&p, 0))
		return false;
	jp_ws(&p);
	if (out_len)
		*out_len = p.out_len;
	return p.i == p.n;
}

static bool json_valid(const char *s)
{
	return s && json_valid_decode(s, NULL, 0, NULL);
}

TEST validator_accepts_and_rejects(void)
{
	static const char *const good[] = {
		"0", "-0", "12.5e+3", "true", "null", "\"\"", "\"a\\u00ffb\\n\"",
		"[]", "{}", " [1, {\"a\": [false]}] ", "{\"\":null,\"b\":-7}",
	};
	static const char *const bad[] = {
		"", "01", "-", "1.", "1e", "tru", "nul", "[", "]", "[1,]", "[,1]",
		"{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "\"abc", "\"\\x\"",
		"\"\\u12\"", "\"\x01\"", "\"\x80\"", "1 2", "[1]]", "{}{}",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ASSERTm(good[i], json_valid(good[i]));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_FALSEm(bad[i], json_valid(bad[i]));
	PASS();
}

/* ---------------------------------------------------------- writer */

static char out_buf[8192];

TEST scalars_exact(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_obj_begin(&j, NULL);
	json_u64(&j, "z", 0);
	json_u64(&j, "umax", UINT64_MAX);
	json_i64(&j, "imin", INT64_MIN);
	json_i64(&j, "imax", INT64_MAX);
	json_i64(&j, "m1", -1);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "n");
	json_str(&j, "s", "hi");
	json_str(&j, "sn", NULL);
	json_strn(&j, "e", "", 0);
	json_obj_end(&j);
	ASSERT_STR_EQ("{\"z\":0,\"umax\":18446744073709551615,"
		      "\"imin\":-9223372036854775808,\"imax\":9223372036854775807,"
		      "\"m1\":-1,\"t\":true,\"f\":false,\"n\":null,\"s\":\"hi\","
		      "\"sn\":null,\"e\":\"\"}", json_finish(&j));
	ASSERT(json_valid(out_buf));
	PASS();
}

TEST top_level_scalar(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_i64(&j, "ignored", -5);
	ASSERT_STR_EQ("-5", json_finish(&j));
	PASS();
}

/* The escape each byte must get: short forms, \u00XX, or itself. */
static void expected_escape(int b, char *out)
{
	switch (b) {
	case '"': strcpy(out, "\\\""); break;
	case '\\': strcpy(out, "\\\\"); break;
	case '\n': strcpy(out, "\\n"); break;
	case '\r': strcpy(out, "\\r"); break;
	case '\t': strcpy(out, "\\t"); break;
	case '\b': strcpy(out, "\\b"); break;
	case '\f': strcpy(out, "\\f"); break;
	default:
		if (b < 0x20 || b >= 0x7f)
			snprintf(out, 8, "\\u%04x", b);
		else
			snprintf(out, 8, "%c", b);
	}
}

TEST every_byte_escaped_exactly(void)
{
	char want[32], esc[8];
	struct json j;
	int b;

	for (b = 0; b < 256; b++) {
		char c = (char)b;

		json_init(&j, out_buf, sizeof(out_buf));
		json_strn(&j, NULL, &c, 1);
		expected_escape(b, esc);
		snprintf(want, sizeof(want), "\"%s\"", esc);
		ASSERT_STR_EQ(want, json_finish(&j));
	}
	PASS();
}

TEST all_bytes_round_trip(void)
{
	char in[256 * 3], out[sizeof(in) + 1];
	size_t i, out_len = 0;
	struct json j;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 7 + (i >> 8));
	json_init(&j, out_buf, sizeof(out_buf));
	json_obj_begin(&j, NULL);
	json_strn(&j, "k", in, sizeof(in));
	json_obj_end(&j);
	ASSERT(json_finish(&j));
	for (i = 0; out_buf[i]; i++)
		ASSERT((unsigned char)out_buf[i] >= 0x20 && (unsigned char)out_buf[i] < 0x7f);
	ASSERT(json_valid_decode(out_buf, out, sizeof(out), &out_len));
	ASSERT_EQ(1 + sizeof(in), out_len); /* the key "k", then the value */
	ASSERT_MEM_EQ(in, out + 1, sizeof(in));
	PASS();
}

TEST keys_are_escaped(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_obj_begin(&j, NULL);
	json_u64(&j, "a\"b\\c\x01\xff", 1);
	json_obj_end(&j);
	ASSERT_STR_EQ("{\"a\\\"b\\\\c\\u0001\\u00ff\":1}", json_finish(&j));
	ASSERT(json_valid(out_buf));
	PASS();
}

TEST nesting_exact(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "list");
	json_obj_begin(&j, NULL);
	json_u64(&j, "id", 1);
	json_arr_begin(&j, "empty");
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_begin(&j, NULL);
	json_str(&j, NULL, "x");
	json_bool(&j, NULL, true);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_begin(&j, "o");
	json_null(&j, "n");
	json_obj_end(&j);
	json_obj_end(&j);
	ASSERT_STR_EQ("{\"list\":[{\"id\":1,\"empty\":[]},{},[\"x\",true]],"
		      "\"o\":{\"n\":null}}", json_finish(&j));
	ASSERT(json_valid(out_buf));
	PASS();
}

TEST depth_limit(void)
{
	struct json j;
	int i;

	json_init(&j, out_buf, sizeof(out_buf));
	for (i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_arr_begin(&j, NULL);
	for (i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_arr_end(&j);
	ASSERT(json_finish(&j));
	ASSERT_EQ((size_t)2 * (JSON_MAX_DEPTH - 1), strlen(out_buf));
	ASSERT(json_valid(out_buf));

	json_init(&j, out_buf, sizeof(out_buf));
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(&j, NULL);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(&j);
	ASSERT_EQ(NULL, json_finish(&j));
	PASS();
}

TEST misuse_fails(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_obj_begin(&j, NULL);
	ASSERT_EQ(NULL, json_finish(&j)); /* still open */

	json_init(&j, out_buf, sizeof(out_buf));
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	ASSERT_EQ(NULL, json_finish(&j)); /* closed too often */

	json_init(&j, out_buf, sizeof(out_buf));
	json_u64(&j, NULL, 1);
	json_u64(&j, NULL, 2);
	ASSERT_EQ(NULL, json_finish(&j)); /* two top-level values */

	json_init(&j, out_buf, sizeof(out_buf));
	ASSERT_EQ(NULL, json_finish(&j)); /* no value at all */
	PASS();
}

TEST writer_stops_at_the_first_overflow(void)
{
	char buf[8], before[8];
	struct json j;
	size_t len;

	json_init(&j, buf, sizeof(buf));
	json_arr_begin(&j, NULL);
	json_str(&j, NULL, "too long for eight bytes");
	ASSERT(j.overflow);
	len = j.len;
	memcpy(before, buf, sizeof(buf));
	json_u64(&j, NULL, 1); /* would fit on its own */
	json_arr_end(&j);
	ASSERT_EQ(len, j.len);
	ASSERT_MEM_EQ(before, buf, sizeof(buf));
	ASSERT_EQ(NULL, json_finish(&j));
	PASS();
}

TEST closing_too_often_writes_nothing_more(void)
{
	struct json j;

	json_init(&j, out_buf, sizeof(out_buf));
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j); /* nothing open */
	json_u64(&j, NULL, 1);
	ASSERT_EQ(2, j.len);
	ASSERT_MEM_EQ("[]", out_buf, 2);
	ASSERT_EQ(NULL, json_finish(&j));
	PASS();
}

/* A document touching every writer call, for the overflow sweep. */
static void write_sample(struct json *j)
{
	static const char bin[] = "a\0\x1f\x7f\x80\xff\"\\z";

	json_obj_begin(j, NULL);
	json_bool(j, "ok", true);
	json_str(j, "cmd", "mem\tinfo");
	json_strn(j, "bin", bin, sizeof(bin) - 1);
	json_arr_begin(j, "regions");
	json_obj_begin(j, NULL);
	json_u64(j, "base", 0x100000);
	json_i64(j, "delta", INT64_MIN);
	json_obj_end(j);
	json_null(j, NULL);
	json_arr_end(j);
	json_obj_begin(j, "flags");
	json_bool(j, "x", false);
	json_str(j, "n", NULL);
	json_obj_end(j);
	json_obj_end(j);
}

TEST overflow_at_every_size(void)
{
	enum { GUARD_BYTES = 64 };
	char ref[1024];
	const char *full;
	struct json j;
	size_t len, cap, i;

	json_init(&j, ref, sizeof(ref));
	write_sample(&j);
	full = json_finish(&j);
	ASSERT(full);
	ASSERT(json_valid(full));
	len = strlen(full);
	for (cap = 0; cap <= len + 8; cap++) {
		/* Exactly cap bytes under ASan, plus a checked guard region. */
		char *mem = malloc(cap + GUARD_BYTES);
		const char *got;

		ASSERT(mem);
		memset(mem, 0x5a, cap + GUARD_BYTES);
		json_init(&j, mem, cap);
		write_sample(&j);
		got = json_finish(&j);
		for (i = cap; i < cap + GUARD_BYTES; i++)
			ASSERT_EQm("wrote past cap", 0x5a, (unsigned char)mem[i]);
		if (cap > len) {
			ASSERT_STR_EQ(full, got);
		} else {
			ASSERT_EQ(NULL, got);
			ASSERT(j.overflow);
		}
		free(mem);
	}
	PASS();
}

TEST finish_with_zero_capacity(void)
{
	struct json j;

	json_init(&j, NULL, 0);
	json_u64(&j, NULL, 1);
	ASSERT_EQ(NULL, json_finish(&j));
	PASS();
}

SUITE(json_validator)
{
	SHUFFLED_TESTS({
		RUN_TEST(validator_accepts_and_rejects);
	});
}

SUITE(json_writer)
{
	SHUFFLED_TESTS({
		RUN_TEST(scalars_exact);
		RUN_TEST(top_level_scalar);
		RUN_TEST(every_byte_escaped_exactly);
		RUN_TEST(all_bytes_round_trip);
		RUN_TEST(keys_are_escaped);
		RUN_TEST(nesting_exact);
		RUN_TEST(depth_limit);
		RUN_TEST(misuse_fails);
		RUN_TEST(overflow_at_every_size);
		RUN_TEST(finish_with_zero_capacity);
		RUN_TEST(writer_stops_at_the_first_overflow);
		RUN_TEST(closing_too_often_writes_nothing_more);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(json_validator);
		RUN_SUITE(json_writer);
	});
	GREATEST_MAIN_END();
}
