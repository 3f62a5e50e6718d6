/*
 * A bitmap of guest frames: bit n set means the 4 KiB page at guest-
 * physical n * 4 KiB was (or may have been) written. Dirty logging fills
 * it; migration walks it. Pure: the caller supplies the words (from the
 * page allocator in the hypervisor, malloc in the tests).
 *
 * Not atomic: the hypervisor changes a guest's bitmap only on the CPU
 * that runs that guest, while the guest is not running.
 */
#ifndef KERNEL_DIRTY_BITMAP_H
#define KERNEL_DIRTY_BITMAP_H

#include "lib/types.h"

struct dirty_bitmap {
	uint64_t *words;
	uint64_t nframes; /* bits in use; the rest of the last word stays 0 */
};

/* Words needed for nframes bits. */
static inline uint64_t dirty_bitmap_words(uint64_t nframes)
{
	return DIV_ROUND_UP(nframes, 64);
}

/* Use words (dirty_bitmap_words(nframes) of them) for nframes frames, all clear. */
void dirty_bitmap_init(struct dirty_bitmap *b, uint64_t *words, uint64_t nframes);

/* Set, test, clear one frame; frames past the end are ignored (test: false). */
void dirty_bitmap_set(struct dirty_bitmap *b, uint64_t frame);
bool dirty_bitmap_test(const struct dirty_bitmap *b, uint64_t frame);
void dirty_bitmap_clear(struct dirty_bitmap *b, uint64_t frame);

/* Set every frame that [gpa, gpa + len) touches (clipped to the bitmap). */
void dirty_bitmap_set_range(struct dirty_bitmap *b, gpa_t gpa, uint64_t len);

/* Clear every frame. */
void dirty_bitmap_clear_all(struct dirty_bitmap *b);

/* Number of frames set. */
uint64_t dirty_bitmap_count(const struct dirty_bitmap *b);

/* The first set frame >= from, or b->nframes when there is none. */
uint64_t dirty_bitmap_next(const struct dirty_bitmap *b, uint64_t from);

/* dst |= src over the frames both have; returns how many frames were newly set in dst. */
uint64_t dirty_bitmap_or(struct dirty_bitmap *dst, const struct dirty_bitmap *src);

/* Move src into dst (dst |= src, src cleared); returns frames newly set in dst. */
uint64_t dirty_bitmap_move(struct dirty_bitmap *dst, struct dirty_bitmap *src);

#endif
