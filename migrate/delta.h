/*
 * Page deltas for the migration stream (docs/migration-stream.md, page
 * entry kind 2): a page sent again in a later round travels as the XOR
 * of its new contents against the copy sent before, run-length encoded,
 * when that is smaller than the page (the idea of QEMU's XBZRLE). A busy
 * guest rewriting a few bytes of each page then costs a few bytes per
 * page, not 4 KiB.
 *
 * Encoding: alternating runs, starting with an unchanged run:
 *   skip (ULEB128, may be 0 only as the first run), then
 *   count (ULEB128, >= 1) followed by count XOR bytes,
 *   skip (>= 1), count, bytes, ...
 * ending after a changed run; the bytes after the last changed run are
 * unchanged. Runs never pass the end of the page. An empty encoding is
 * not valid: an unchanged page is not re-sent.
 *
 * The sender keeps what it sent in a bounded, direct-mapped cache of
 * pages (struct delta_cache); a page not in it goes whole. The receiver
 * needs no cache: the copy it holds is the copy the delta was made
 * against.
 *
 * Pure: no allocation, no hardware; the caller provides the memory.
 */
#ifndef MIGRATE_DELTA_H
#define MIGRATE_DELTA_H

#include "lib/types.h"

#define DELTA_PAGE_SIZE 4096u
/* Longest useful delta: anything longer goes as a whole page. */
#define DELTA_MAX (DELTA_PAGE_SIZE - 64u)

/*
 * Encode new against old (DELTA_PAGE_SIZE bytes each) into out (cap
 * bytes). Returns the encoding's length (1..cap), 0 when the pages are
 * equal, or -ENOSPC when the encoding would not fit in cap (send the
 * whole page instead).
 */
int delta_encode(const uint8_t *old, const uint8_t *new, uint8_t *out, size_t cap);

/*
 * Apply the encoding in (len bytes) to page in place. Strict: a
 * truncated or over-long number, a zero-length run other than the first
 * skip, a run past the page's end, an empty input or a trailing skip
 * give -EINVAL and leave page unchanged (it is checked before anything
 * is written).
 */
int delta_apply(uint8_t *page, const uint8_t *in, size_t len);

/* Check an encoding as delta_apply would, without a page. 0 or -EINVAL. */
int delta_check(const uint8_t *in, size_t len);

struct delta_slot {
	uint64_t frame; /* the frame whose copy the slot holds */
	bool valid;
};

/* The sender's copies of pages as last sent, slot = frame mod nslots. */
struct delta_cache {
	struct delta_slot *slots;
	uint8_t *pages; /* nslots * DELTA_PAGE_SIZE bytes */
	size_t nslots;
	uint64_t hits, misses, evictions;
};

/* Use slots[n] and pages (n * DELTA_PAGE_SIZE bytes) for an empty cache. */
void delta_cache_init(struct delta_cache *c, struct delta_slot *slots, uint8_t *pages, size_t n);

/* The copy of frame as last sent, or NULL when the cache does not hold it. */
const uint8_t *delta_cache_lookup(struct delta_cache *c, uint64_t frame);

/* Remember page (DELTA_PAGE_SIZE bytes) as frame's copy, replacing the slot's. */
void delta_cache_store(struct delta_cache *c, uint64_t frame, const uint8_t *page);

/*
 * Like delta_cache_store, unless the slot holds another frame's copy
 * (then that copy stays and frame is not cached).
 */
void delta_cache_offer(struct delta_cache *c, uint64_t frame, const uint8_t *page);

/* Forget frame (it was sent as zeros, or whole without a copy kept). */
void delta_cache_forget(struct delta_cache *c, uint64_t frame);

#endif
