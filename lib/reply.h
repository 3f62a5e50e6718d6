/*
 * Console replies in two renderings from one description.
 *
 * A command handler describes its answer as named fields, objects and
 * arrays; the reply renders them as indented "key: value" text for people,
 * or as one JSON object on one line for tools ("mode json"). Every JSON
 * reply carries "ok" and "cmd"; a failed reply carries "error" and none of
 * the fields written before the failure. Pure: output goes through a sink.
 *
 * Text rendering (YAML-like):
 *   key: value            scalar member
 *   key:                  object or array member, contents indented 2
 *   - value               scalar array element
 *   - first: 1            object array element: first field after "- ",
 *     second: 2           the others aligned under it
 *   error: message        a failed reply, alone
 * A reply with no fields prints "ok" in text mode.
 */
#ifndef LIB_REPLY_H
#define LIB_REPLY_H

#include "lib/json.h"
#include "lib/types.h"

enum reply_mode { REPLY_TEXT, REPLY_JSON };

struct reply_sink {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
};

#define REPLY_BUF_SIZE 32768
#define REPLY_ERROR_SIZE 256
#define REPLY_MAX_DEPTH 8

struct reply {
	enum reply_mode mode;
	const struct reply_sink *sink;
	char cmd[64];
	bool failed;
	bool empty; /* no field written yet */
	char error[REPLY_ERROR_SIZE];
	struct json json;
	char jbuf[REPLY_BUF_SIZE];
	char text[REPLY_BUF_SIZE];
	size_t text_len;
	bool text_overflow;
	int depth;
	/* per open container: is it an array, and is the next field the first of an element */
	bool in_array[REPLY_MAX_DEPTH];
	bool elem_first[REPLY_MAX_DEPTH];
};

/* Start a reply to command cmd (any bytes; escaped on output). */
void reply_begin(struct reply *r, enum reply_mode mode, const struct reply_sink *sink, const char *cmd);
void reply_str(struct reply *r, const char *key, const char *val);
void reply_strf(struct reply *r, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);
void reply_u64(struct reply *r, const char *key, uint64_t val);
void reply_i64(struct reply *r, const char *key, int64_t val);
/* A value best read in hex (addresses, MSRs): "0x..." in both renderings. */
void reply_hex(struct reply *r, const char *key, uint64_t val);
void reply_bool(struct reply *r, const char *key, bool val);
/* An IPv4 address (host byte order) as "A.B.C.D". */
void reply_ipv4(struct reply *r, const char *key, uint32_t addr);
void reply_obj_begin(struct reply *r, const char *key);
void reply_obj_end(struct reply *r);
void reply_arr_begin(struct reply *r, const char *key);
void reply_arr_end(struct reply *r);
/* Whether the reply renders as text (progress lines may then go to the console). */
/*
 * Text mode only: s as it is (already laid out, e.g. a table from
 * lib/table.h); ignored in JSON mode, where the fields speak.
 */
void reply_text_block(struct reply *r, const char *s);

static inline bool reply_text_mode(const struct reply *r)
{
	return r->mode == REPLY_TEXT;
}

/* Mark the reply failed with a message; the first error wins. */
void reply_error(struct reply *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
/*
 * Render and write the reply to the sink, ending with a newline. A reply
 * too large for its buffers becomes a failure saying so.
 */
void reply_end(struct reply *r);

#endif
