/*
 * A compact, strict JSON validator (RFC 8259 grammar) for the fuzzers.
 *
 * It also insists on what the hypervisor's writer promises beyond the
 * RFC: plain ASCII output with no raw control bytes. Header-only so each
 * fuzzer stays one translation unit.
 */
#ifndef TESTS_FUZZ_JSON_CHECK_H
#define TESTS_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct json_check {
	const char *s;
	size_t n;
	size_t i;
};

static int json_check_peek(const struct json_check *c)
{
	return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

static void json_check_ws(struct json_check *c)
{
	int ch;

	while ((ch = json_check_peek(c)) == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		c->i++;
}

static bool json_check_lit(struct json_check *c, const char *lit)
{
	while (*lit) {
		if (json_check_peek(c) != (unsigned char)*lit++)
			return false;
		c->i++;
	}
	return true;
}

static bool json_check_digits(struct json_check *c)
{
	size_t start = c->i;

	while (json_check_peek(c) >= '0' && json_check_peek(c) <= '9')
		c->i++;
	return c->i > start;
}

static bool json_check_number(struct json_check *c)
{
	if (json_check_peek(c) == '-')
		c->i++;
	if (json_check_peek(c) == '0')
		c->i++;
	else if (!json_check_digits(c))
		return false;
	if (json_check_peek(c) == '.') {
		c->i++;
		if (!json_check_digits(c))
			return false;
	}
	if (json_check_peek(c) == 'e' || json_check_peek(c) == 'E') {
		c->i++;
		if (json_check_peek(c) == '+' || json_check_peek(c) == '-')
			c->i++;
		if (!json_check_digits(c))
			return false;
	}
	return true;
}

static bool json_check_is_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

static bool json_check_string(struct json_check *c)
{
	int ch, k;

	if (json_check_peek(c) != '"')
		return false;
	c->i++;
	for (;;) {
		ch = json_check_peek(c);
		if (ch < 0x20 || ch >= 0x7f) /* end of input, control, non-ASCII */
			return false;
		c->i++;
		if (ch == '"')
			return true;
		if (ch != '\\')
			continue;
		ch = json_check_peek(c);
		c->i++;
		if (ch == 'u') {
			for (k = 0; k < 4; k++, c->i++)
				if (!json_check_is_hex(json_check_peek(c)))
					return false;
		} else if (ch < 0 || !strchr("\"\\/bfnrt", ch)) {
			return false;
		}
	}
}

static bool json_check_value(struct json_check *c, int depth);

/* Members of an object (pairs) or elements of an array, after the opener. */
static bool json_check_items(struct json_check *c, int depth, bool pairs, int close)
{
	json_check_ws(c);
	if (json_check_peek(c) == close) {
		c->i++;
		return true;
	}
	for (;;) {
		json_check_ws(c);
		if (pairs) {
			if (!json_check_string(c))
				return false;
			json_check_ws(c);
			if (json_check_peek(c) != ':')
				return false;
			c->i++;
		}
		if (!json_check_value(c, depth + 1))
			return false;
		json_check_ws(c);
		if (json_check_peek(c) == close) {
			c->i++;
			return true;
		}
		if (json_check_peek(c) != ',')
			return false;
		c->i++;
	}
}

static bool json_check_value(struct json_check *c, int depth)
{
	int ch;

	if (depth > 64)
		return false;
	json_check_ws(c);
	ch = json_check_peek(c);
	switch (ch) {
	case '{': c->i++; return json_check_items(c, depth, true, '}');
	case '[': c->i++; return json_check_items(c, depth, false, ']');
	case '"': return json_check_string(c);
	case 't': return json_check_lit(c, "true");
	case 'f': return json_check_lit(c, "false");
	case 'n': return json_check_lit(c, "null");
	default:
		return (ch == '-' || (ch >= '0' && ch <= '9')) && json_check_number(c);
	}
}

/* True when s[0..n) is exactly one JSON value, surrounding blanks allowed. */
static inline bool json_check(const char *s, size_t n)
{
	struct json_check c = { s, n, 0 };

	if (!json_check_value(&c, 0))
		return false;
	json_check_ws(&c);
	return c.i == n;
}

#endif
