/*
 * A JSON writer into a fixed buffer. Pure: no I/O, no allocation.
 *
 * Output is always ASCII: control characters and bytes >= 0x80 are written
 * as \u00XX escapes, so arbitrary bytes (say, garbage echoed into an error
 * message) still give valid JSON. Keys are NULL inside arrays and for the
 * top-level value. On overflow the writer stops and json_finish() fails.
 */
#ifndef LIB_JSON_H
#define LIB_JSON_H

#include "lib/types.h"

#define JSON_MAX_DEPTH 16

struct json {
	char *buf;
	size_t cap;
	size_t len;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool overflow; /* buffer too small or nesting too deep */
};

/* Start writing into buf of cap bytes. */
void json_init(struct json *j, char *buf, size_t cap);
/* Open an object / array, as member key (or as an element when key is NULL). */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
/* Scalar members (or elements when key is NULL). val NULL writes null. */
void json_str(struct json *j, const char *key, const char *val);
/* A string of exactly n bytes (may hold NULs or any byte). */
void json_strn(struct json *j, const char *key, const char *val, size_t n);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/*
 * NUL-terminate and return the text, or NULL when the writer overflowed or
 * objects/arrays are still open.
 */
const char *json_finish(struct json *j);

#endif
