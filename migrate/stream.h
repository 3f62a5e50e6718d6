/*
 * The migration stream (docs/migration-stream.md): what a source
 * hypervisor sends a destination to move a guest. A header, memory in
 * batches of pages (zero pages as bare records), the guest-state record,
 * and an end record with a digest over all guest memory. Every record is
 * framed (type, length) and checksummed (CRC-32).
 *
 * Pure: the encoder writes into caller buffers, the decoder takes input
 * in chunks of any size (one byte at a time works) and hands what it
 * decoded to callbacks. The decoder is strict: every length and count is
 * checked against its bound before anything is used, unknown versions and
 * record types are refused, and after an error it accepts nothing more.
 */
#ifndef MIGRATE_STREAM_H
#define MIGRATE_STREAM_H

#include "kernel/guest_spec.h"
#include "kernel/guest_state.h"
#include "lib/types.h"
#include "migrate/delta.h"

#define MSTREAM_MAGIC 0x534d5648u /* "HVMS", little-endian */
#define MSTREAM_VERSION 3 /* 2: the commit handshake (migrate/ack.h); 3: page deltas (entry kind 2) */
#define MSTREAM_PAGE_SIZE 4096u
#define MSTREAM_BATCH_MAX 64u    /* pages per batch record */
#define MSTREAM_HOST_MAX 32      /* source host name, NUL-padded */
#define MSTREAM_FRAMES_MAX (GiB(64) / MSTREAM_PAGE_SIZE)

enum mstream_type {
	MSTREAM_HEADER = 1,
	MSTREAM_PAGES = 2,
	MSTREAM_STATE = 3,
	MSTREAM_END = 4,
};

/* Record framing: type u16, flags u16 (0), payload length u32; then the
 * payload; then CRC-32 of type..payload. */
#define MSTREAM_FRAME_HEAD 8
#define MSTREAM_FRAME_TAIL 4
/* Page entry in a batch: frame number u64, kind u8, then by kind: nothing
 * (zeros), the page's 4096 bytes, or a delta's length u16 and the delta
 * (migrate/delta.h) against the copy of the page sent before. */
enum mstream_kind { MSTREAM_KIND_ZERO = 0, MSTREAM_KIND_DATA = 1, MSTREAM_KIND_DELTA = 2 };
#define MSTREAM_PAGE_HEAD 9
#define MSTREAM_BATCH_HEAD 8 /* round u32, count u32 */
#define MSTREAM_BATCH_PAYLOAD_MAX \
	(MSTREAM_BATCH_HEAD + MSTREAM_BATCH_MAX * (MSTREAM_PAGE_HEAD + MSTREAM_PAGE_SIZE))
#define MSTREAM_RECORD_MAX (MSTREAM_FRAME_HEAD + MSTREAM_BATCH_PAYLOAD_MAX + MSTREAM_FRAME_TAIL)

struct mstream_header {
	char host[MSTREAM_HOST_MAX]; /* where it comes from */
	char guest[GUEST_NAME_MAX];  /* the guest's name */
	uint64_t frames;             /* guest RAM in 4 KiB frames */
};

struct mstream_end {
	uint64_t pages_sent; /* page entries in the whole stream */
	uint64_t digest;     /* mstream_digest over all guest memory, in frame order */
};

/* ---------------------------------------------------------------- encoder */

/* Write the header record into out (cap bytes). Returns its length, or -ENOSPC / -EINVAL. */
int mstream_put_header(uint8_t *out, size_t cap, const struct mstream_header *h);

/* A batch of pages being built in a caller's buffer. */
struct mstream_batch {
	uint8_t *buf;
	size_t cap, len;
	uint32_t count;
};

/* Start a batch for round in buf (MSTREAM_RECORD_MAX bytes fit the largest). */
void mstream_batch_begin(struct mstream_batch *b, uint8_t *buf, size_t cap, uint32_t round);

/* Add frame's page: data (4096 bytes), or NULL for a zero page. Returns 0, or -ENOSPC when full. */
int mstream_batch_add(struct mstream_batch *b, uint64_t frame, const void *data);

/* Add frame's delta (enc, 1..DELTA_MAX bytes). Returns 0, -ENOSPC when full, -EINVAL for a bad length. */
int mstream_batch_add_delta(struct mstream_batch *b, uint64_t frame, const uint8_t *enc,
			    size_t len);

/* Seal the batch (length, CRC). Returns the record's length. */
size_t mstream_batch_end(struct mstream_batch *b);

/* Write the state record (an encoded guest-state record, len bytes). Returns its length or -ENOSPC. */
int mstream_put_state(uint8_t *out, size_t cap, const uint8_t *record, size_t len);

/* Write the end record. Returns its length or -ENOSPC. */
int mstream_put_end(uint8_t *out, size_t cap, const struct mstream_end *e);

/* Fold frame's page (4096 bytes; NULL for zeros) into a memory digest; start from 0. */
uint64_t mstream_digest(uint64_t digest, uint64_t frame, const void *page);

/* Whether a 4 KiB page is all zeros (sent as a bare record). */
bool mstream_page_is_zero(const void *page);

/* ---------------------------------------------------------------- decoder */

struct mstream_ops {
	/* each returns 0, or a negative errno that stops the stream (message in err) */
	int (*header)(void *ctx, const struct mstream_header *h);
	int (*page)(void *ctx, uint64_t frame, const void *data); /* data NULL: zeros */
	int (*state)(void *ctx, const uint8_t *record, size_t len);
	int (*end)(void *ctx, const struct mstream_end *e);
	void *ctx;
	/* apply a checked delta (delta_apply) to the frame's copy; NULL refuses deltas */
	int (*delta)(void *ctx, uint64_t frame, const uint8_t *enc, size_t len);
};

enum mstream_phase { MSTREAM_WANT_HEADER, MSTREAM_WANT_BODY, MSTREAM_DONE, MSTREAM_FAILED };

struct mstream_dec {
	struct mstream_ops ops;
	enum mstream_phase phase;
	bool have_state;
	uint64_t frames, pages, records;
	size_t have, need;                 /* bytes in rec[] and bytes the current record needs */
	uint8_t rec[MSTREAM_RECORD_MAX];   /* the record being received */
	char err[160];
};

/* Ready for a stream. */
void mstream_dec_init(struct mstream_dec *d, const struct mstream_ops *ops);

/*
 * Feed n more bytes. Returns 0 while the stream is fine (complete or
 * not: see d->phase), or a negative errno with a message in d->err, after
 * which every call fails. Records are handed to ops only once their CRC
 * is checked, so nothing of a corrupted record is ever applied.
 */
int mstream_feed(struct mstream_dec *d, const uint8_t *data, size_t n);

#endif
