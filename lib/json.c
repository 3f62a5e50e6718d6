/*
 * JSON writer (RFC 8259) into a fixed buffer.
 *
 * One byte of the buffer is always kept for the terminating NUL, so a
 * writer never touches buf[cap] or beyond. Misuse that would give invalid
 * JSON (closing more than was opened, a second top-level value) is
 * treated like overflow: json_finish() then fails instead of returning
 * text a parser would reject.
 */
#include "lib/json.h"

#include <string.h>

void json_init(struct json *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->depth = 0;
	memset(j->need_comma, 0, sizeof(j->need_comma));
	j->overflow = cap == 0;
}

static void json_putn(struct json *j, const char *s, size_t n)
{
	if (j->overflow)
		return;
	if (n >= j->cap - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void json_putc(struct json *j, char c)
{
	json_putn(j, &c, 1);
}

static void json_puts(struct json *j, const char *s)
{
	json_putn(j, s, strlen(s));
}

/* RFC 8259 section 7: '"', '\\' and controls must be escaped; we also
 * escape DEL and non-ASCII so the output is plain ASCII whatever came in. */
static void json_put_escaped(struct json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i, run = 0;
	uint8_t c;

	for (i = 0; i < n; i++) {
		c = (uint8_t)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		json_putn(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': json_putn(j, "\\\"", 2); break;
		case '\\': json_putn(j, "\\\\", 2); break;
		case '\n': json_putn(j, "\\n", 2); break;
		case '\r': json_putn(j, "\\r", 2); break;
		case '\t': json_putn(j, "\\t", 2); break;
		case '\b': json_putn(j, "\\b", 2); break;
		case '\f': json_putn(j, "\\f", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			json_putn(j, esc, sizeof(esc));
			break;
		}
	}
	json_putn(j, s + run, n - run);
}

static void json_put_string(struct json *j, const char *s, size_t n)
{
	json_putc(j, '"');
	json_put_escaped(j, s, n);
	json_putc(j, '"');
}

/* Separator and key before a value at the current depth. */
static void json_value_prefix(struct json *j, const char *key)
{
	if (j->overflow)
		return;
	if (j->need_comma[j->depth]) {
		if (j->depth == 0) {
			j->overflow = true; /* a second top-level value */
			return;
		}
		json_putc(j, ',');
	}
	j->need_comma[j->depth] = true;
	if (key && j->depth > 0) {
		json_put_string(j, key, strlen(key));
		json_putc(j, ':');
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_value_prefix(j, key);
	if (j->overflow)
		return;
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	json_putc(j, c);
	j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	if (j->overflow)
		return;
	if (j->depth == 0) {
		j->overflow = true; /* nothing open */
		return;
	}
	json_putc(j, c);
	j->depth--;
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_strn(struct json *j, const char *key, const char *val, size_t n)
{
	json_value_prefix(j, key);
	if (val)
		json_put_string(j, val, n);
	else
		json_puts(j, "null");
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_strn(j, key, val, val ? strlen(val) : 0);
}

static void json_put_u64(struct json *j, uint64_t v)
{
	char d[20];
	int n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	json_putn(j, d + sizeof(d) - n, (size_t)n);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	json_value_prefix(j, key);
	json_put_u64(j, val);
}

void json_i64(struct json *j, const char *key, int64_t val)
{
	json_value_prefix(j, key);
	if (val < 0) {
		json_putc(j, '-');
		/* Unsigned negation keeps INT64_MIN defined. */
		json_put_u64(j, 0 - (uint64_t)val);
	} else {
		json_put_u64(j, (uint64_t)val);
	}
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_value_prefix(j, key);
	json_puts(j, val ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	json_value_prefix(j, key);
	json_puts(j, "null");
}

/* An empty document is not JSON either, so it fails like the others. */
const char *json_finish(struct json *j)
{
	if (j->overflow || j->depth != 0 || !j->need_comma[0])
		return NULL;
	j->buf[j->len] = '\0';
	return j->buf;
}
