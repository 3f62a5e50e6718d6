/*
 * The destination's answer to a migration stream (docs/migration-stream.md,
 * "The answer"): one small message, accepted or refused with a reason,
 * sent after the end record (or as soon as the destination gives up).
 * The source's commit, its reply to an acceptance, is the same message
 * with code MACK_COMMIT going the other way.
 *
 *   magic u32 = 0x414D5648 ("HVMA"), version u16 = 1, code u16,
 *   message length u16 (at most MACK_MSG_MAX), message bytes (no NUL),
 *   CRC-32 u32 over everything before it.
 *
 * Pure: the encoder writes into a caller buffer; the parser takes bytes
 * in chunks of any size and is strict (wrong magic, version, code,
 * length or CRC is an error, and so is any byte after the message).
 */
#ifndef MIGRATE_ACK_H
#define MIGRATE_ACK_H

#include "lib/types.h"

#define MACK_MAGIC 0x414d5648u /* "HVMA", little-endian */
#define MACK_VERSION 2 /* 2: the commit handshake */
#define MACK_MSG_MAX 200
#define MACK_HEAD 10 /* magic, version, code, length */
#define MACK_TAIL 4  /* CRC-32 */
#define MACK_MAX (MACK_HEAD + MACK_MSG_MAX + MACK_TAIL)

/* Why the destination answered as it did. */
enum mack_code {
	MACK_ACCEPTED = 0, /* digest matched, the guest runs on the destination */
	MACK_BAD_STREAM,   /* the strict decoder refused a record */
	MACK_BAD_DIGEST,   /* memory arrived but does not match the source's digest */
	MACK_NO_RESOURCES, /* not enough memory, or the name is taken */
	MACK_BUSY,         /* another migration is being received */
	MACK_CANCELLED,    /* the destination's operator cancelled */
	MACK_COMMIT,       /* source to destination: we let go, run it */
	MACK_CODE_COUNT,
};

/* A short name for code ("accepted", "bad-stream", ...). */
const char *mack_code_name(enum mack_code code);

/*
 * Encode an answer into out (cap bytes); msg may be NULL and is cut at
 * MACK_MSG_MAX bytes. Returns the length, or -ENOSPC / -EINVAL (bad code).
 */
int mack_encode(uint8_t *out, size_t cap, enum mack_code code, const char *msg);

enum mack_status { MACK_MORE, MACK_DONE, MACK_ERROR };

struct mack_parser {
	enum mack_status status;
	uint8_t buf[MACK_MAX];
	size_t have, need;
	enum mack_code code;       /* once done */
	char msg[MACK_MSG_MAX + 1]; /* once done: the message; on error: what was wrong */
};

void mack_parser_init(struct mack_parser *p);

/* Feed n bytes. Returns the parser's status (MACK_MORE while incomplete). */
enum mack_status mack_feed(struct mack_parser *p, const uint8_t *data, size_t n);

#endif
