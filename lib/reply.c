/*
 * Console replies: one description, rendered as YAML-like text or as a
 * single-line JSON object (see reply.h for the text layout).
 *
 * Only the chosen rendering is built, as the handler writes fields. Level
 * 0 is the reply object itself; r->in_array[d] says whether level d is an
 * array, and r->elem_first[d] that level d has not produced a text line
 * yet. The first line under an array element carries the element's "- "
 * marker in place of two spaces of indentation, so nested elements stack
 * their markers ("- - 1") as in YAML.
 */
#include "lib/reply.h"

#include <string.h>

#include "lib/fmt.h"

static bool reply_is_json(const struct reply *r)
{
	return r->mode == REPLY_JSON;
}

static void reply_text_put(struct reply *r, const char *s, size_t n)
{
	if (r->text_overflow)
		return;
	if (n > sizeof(r->text) - r->text_len) {
		r->text_overflow = true;
		return;
	}
	memcpy(r->text + r->text_len, s, n);
	r->text_len += n;
}

static void reply_text_puts(struct reply *r, const char *s)
{
	reply_text_put(r, s, strlen(s));
}

/* Text is for a terminal: show bytes that would move the cursor or
 * start an escape sequence as \xNN instead of sending them raw. */
static void reply_text_put_safe(struct reply *r, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = { '\\', 'x', 0, 0 };
	size_t i, run = 0;
	uint8_t c;

	for (i = 0; s[i]; i++) {
		c = (uint8_t)s[i];
		if (c >= 0x20 && c < 0x7f)
			continue;
		reply_text_put(r, s + run, i - run);
		run = i + 1;
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 0xf];
		reply_text_put(r, esc, sizeof(esc));
	}
	reply_text_put(r, s + run, i - run);
}

/* Indentation for a line at the current level, with pending "- " marks. */
static void reply_text_indent(struct reply *r)
{
	int k;

	for (k = 1; k <= r->depth; k++) {
		if (r->elem_first[k] && r->in_array[k - 1])
			reply_text_put(r, "- ", 2);
		else
			reply_text_put(r, "  ", 2);
		r->elem_first[k] = false;
	}
}

/* Start a text line for a field: indentation, then "- " or "key:". */
static void reply_text_field(struct reply *r, const char *key)
{
	reply_text_indent(r);
	if (r->in_array[r->depth]) {
		reply_text_put(r, "-", 1);
	} else {
		reply_text_put_safe(r, key ? key : "");
		reply_text_put(r, ":", 1);
	}
}

/* Key for JSON: none inside arrays, never NULL inside objects. */
static const char *reply_json_key(const struct reply *r, const char *key)
{
	if (r->in_array[r->depth])
		return NULL;
	return key ? key : "";
}

/* Common gate for every field: ignored once the reply failed. */
static bool reply_field_ok(struct reply *r)
{
	if (r->failed)
		return false;
	r->empty = false;
	return true;
}

void reply_begin(struct reply *r, enum reply_mode mode,
		 const struct reply_sink *sink, const char *cmd)
{
	size_t n = cmd ? strlen(cmd) : 0;

	if (n > sizeof(r->cmd) - 1)
		n = sizeof(r->cmd) - 1;
	r->mode = mode;
	r->sink = sink;
	if (n)
		memcpy(r->cmd, cmd, n);
	r->cmd[n] = '\0';
	r->failed = false;
	r->empty = true;
	r->error[0] = '\0';
	r->text_len = 0;
	r->text_overflow = false;
	r->depth = 0;
	r->in_array[0] = false;
	r->elem_first[0] = false;
	json_init(&r->json, r->jbuf, sizeof(r->jbuf));
	if (reply_is_json(r)) {
		json_obj_begin(&r->json, NULL);
		json_bool(&r->json, "ok", true);
		json_str(&r->json, "cmd", r->cmd);
	}
}

/* A "key: value" or "- value" line. An empty string shows as "" so it
 * does not read as a missing value. */
static void reply_text_scalar(struct reply *r, const char *key, const char *val)
{
	reply_text_field(r, key);
	reply_text_put(r, " ", 1);
	if (!val)
		reply_text_puts(r, "null");
	else if (!*val)
		reply_text_puts(r, "\"\"");
	else
		reply_text_put_safe(r, val);
	reply_text_put(r, "\n", 1);
}

void reply_str(struct reply *r, const char *key, const char *val)
{
	if (!reply_field_ok(r))
		return;
	if (reply_is_json(r))
		json_str(&r->json, reply_json_key(r, key), val);
	else
		reply_text_scalar(r, key, val);
}

void reply_strf(struct reply *r, const char *key, const char *fmt, ...)
{
	char buf[REPLY_ERROR_SIZE];
	va_list ap;
	int n;

	if (r->failed)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Show that a value was cut rather than pass it off as whole. */
	if (n >= (int)sizeof(buf))
		memcpy(buf + sizeof(buf) - 4, "...", 4);
	reply_str(r, key, buf);
}

void reply_u64(struct reply *r, const char *key, uint64_t val)
{
	char buf[24];

	if (!reply_field_ok(r))
		return;
	if (reply_is_json(r)) {
		json_u64(&r->json, reply_json_key(r, key), val);
		return;
	}
	fmt_snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	reply_text_scalar(r, key, buf);
}

void reply_i64(struct reply *r, const char *key, int64_t val)
{
	char buf[24];

	if (!reply_field_ok(r))
		return;
	if (reply_is_json(r)) {
		json_i64(&r->json, reply_json_key(r, key), val);
		return;
	}
	fmt_snprintf(buf, sizeof(buf), "%lld", (long long)val);
	reply_text_scalar(r, key, buf);
}

void reply_hex(struct reply *r, const char *key, uint64_t val)
{
	char buf[24];

	fmt_snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)val);
	reply_str(r, key, buf);
}

void reply_bool(struct reply *r, const char *key, bool val)
{
	if (!reply_field_ok(r))
		return;
	if (reply_is_json(r))
		json_bool(&r->json, reply_json_key(r, key), val);
	else
		reply_text_scalar(r, key, val ? "true" : "false");
}

static void reply_open(struct reply *r, const char *key, bool array)
{
	if (!reply_field_ok(r))
		return;
	if (r->depth + 1 >= REPLY_MAX_DEPTH) {
		reply_error(r, "reply nested too deeply");
		return;
	}
	if (reply_is_json(r)) {
		if (array)
			json_arr_begin(&r->json, reply_json_key(r, key));
		else
			json_obj_begin(&r->json, reply_json_key(r, key));
	} else if (!r->in_array[r->depth]) {
		/* A member's header line; an element's "- " waits for its
		 * first line. */
		reply_text_field(r, key);
		reply_text_put(r, "\n", 1);
	}
	r->depth++;
	r->in_array[r->depth] = array;
	r->elem_first[r->depth] = true;
}

/* An empty container still shows up: "key: {}" or "- []". */
static void reply_text_close_empty(struct reply *r)
{
	const char *mark = r->in_array[r->depth] ? "[]" : "{}";

	if (r->in_array[r->depth - 1]) {
		reply_text_indent(r);
		reply_text_puts(r, mark);
		reply_text_put(r, "\n", 1);
	} else if (!r->text_overflow && r->text_len > 0) {
		r->text_len--; /* the header's "\n" is the last thing written */
		reply_text_put(r, " ", 1);
		reply_text_puts(r, mark);
		reply_text_put(r, "\n", 1);
	}
}

/* Close the innermost container, whichever kind it is. */
static void reply_close(struct reply *r)
{
	if (r->failed || r->depth == 0)
		return;
	if (reply_is_json(r)) {
		if (r->in_array[r->depth])
			json_arr_end(&r->json);
		else
			json_obj_end(&r->json);
	} else if (r->elem_first[r->depth]) {
		reply_text_close_empty(r);
	}
	r->depth--;
}

void reply_obj_begin(struct reply *r, const char *key)
{
	reply_open(r, key, false);
}

void reply_obj_end(struct reply *r)
{
	reply_close(r);
}

void reply_arr_begin(struct reply *r, const char *key)
{
	reply_open(r, key, true);
}

void reply_arr_end(struct reply *r)
{
	reply_close(r);
}

void reply_text_block(struct reply *r, const char *s)
{
	if (reply_is_json(r) || !reply_field_ok(r))
		return;
	reply_text_puts(r, s);
	r->empty = false;
}

void reply_error(struct reply *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->failed = true;
}

static void reply_write(struct reply *r, const char *s, size_t n)
{
	if (r->sink && r->sink->write)
		r->sink->write(r->sink->ctx, s, n);
}

static void reply_end_failed(struct reply *r)
{
	const char *out;

	if (!reply_is_json(r)) {
		r->text_len = 0;
		r->text_overflow = false;
		reply_text_puts(r, "error: ");
		reply_text_put_safe(r, r->error);
		reply_text_put(r, "\n", 1);
		reply_write(r, r->text, r->text_len);
		return;
	}
	json_init(&r->json, r->jbuf, sizeof(r->jbuf));
	json_obj_begin(&r->json, NULL);
	json_bool(&r->json, "ok", false);
	json_str(&r->json, "cmd", r->cmd);
	json_str(&r->json, "error", r->error);
	json_obj_end(&r->json);
	/* cmd and error are bounded far below the buffer, so this fits. */
	out = json_finish(&r->json);
	if (out) {
		reply_write(r, out, r->json.len);
		reply_write(r, "\n", 1);
	}
}

void reply_end(struct reply *r)
{
	const char *out = NULL;

	while (!r->failed && r->depth > 0)
		reply_close(r);
	if (!r->failed && reply_is_json(r)) {
		json_obj_end(&r->json);
		out = json_finish(&r->json);
		if (!out)
			reply_error(r, "reply too large");
	} else if (!r->failed && r->text_overflow) {
		reply_error(r, "reply too large");
	}
	if (r->failed) {
		reply_end_failed(r);
	} else if (out) {
		reply_write(r, out, r->json.len);
		reply_write(r, "\n", 1);
	} else if (r->empty) {
		reply_write(r, "ok\n", 3);
	} else {
		reply_write(r, r->text, r->text_len);
	}
}

void reply_ipv4(struct reply *r, const char *key, uint32_t addr)
{
	reply_strf(r, key, "%u.%u.%u.%u", addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff,
		   addr & 0xff);
}
