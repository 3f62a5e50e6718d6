/*
 * Bitmap of guest frames for dirty logging. Pure: see dirty_bitmap.h.
 * Bit n of the bitmap is bit (n % 64) of word n / 64.
 */
#include <string.h>

#include "kernel/dirty_bitmap.h"

/* Bits set in w; SWAR, since the image links no libgcc for __builtin_popcountll. */
static uint64_t popcount(uint64_t w)
{
	w -= (w >> 1) & 0x5555555555555555ULL;
	w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (w * 0x0101010101010101ULL) >> 56;
}

static uint64_t bit(uint64_t frame)
{
	return 1ULL << (frame & 63);
}

void dirty_bitmap_init(struct dirty_bitmap *b, uint64_t *words, uint64_t nframes)
{
	b->words = words;
	b->nframes = nframes;
	dirty_bitmap_clear_all(b);
}

void dirty_bitmap_set(struct dirty_bitmap *b, uint64_t frame)
{
	if (frame < b->nframes)
		b->words[frame / 64] |= bit(frame);
}

bool dirty_bitmap_test(const struct dirty_bitmap *b, uint64_t frame)
{
	return frame < b->nframes && (b->words[frame / 64] & bit(frame));
}

void dirty_bitmap_clear(struct dirty_bitmap *b, uint64_t frame)
{
	if (frame < b->nframes)
		b->words[frame / 64] &= ~bit(frame);
}

void dirty_bitmap_set_range(struct dirty_bitmap *b, gpa_t gpa, uint64_t len)
{
	uint64_t first = gpa >> PAGE_SHIFT, last, f;

	if (!len || first >= b->nframes)
		return;
	/* gpa + len may wrap past the top of the address space */
	last = gpa + (len - 1) < gpa ? b->nframes - 1 : (gpa + (len - 1)) >> PAGE_SHIFT;
	for (f = first; f <= MIN(last, b->nframes - 1); f++)
		dirty_bitmap_set(b, f);
}

void dirty_bitmap_clear_all(struct dirty_bitmap *b)
{
	if (b->nframes)
		memset(b->words, 0, dirty_bitmap_words(b->nframes) * sizeof(uint64_t));
}

uint64_t dirty_bitmap_count(const struct dirty_bitmap *b)
{
	uint64_t i, n = 0;

	for (i = 0; i < dirty_bitmap_words(b->nframes); i++)
		n += popcount(b->words[i]);
	return n;
}

uint64_t dirty_bitmap_next(const struct dirty_bitmap *b, uint64_t from)
{
	uint64_t i, w;

	if (from >= b->nframes)
		return b->nframes;
	i = from / 64;
	w = b->words[i] & (~0ULL << (from & 63));
	while (!w) {
		if (++i >= dirty_bitmap_words(b->nframes))
			return b->nframes;
		w = b->words[i];
	}
	return MIN(i * 64 + (uint64_t)__builtin_ctzll(w), b->nframes);
}

uint64_t dirty_bitmap_or(struct dirty_bitmap *dst, const struct dirty_bitmap *src)
{
	uint64_t i, n = 0, nw = dirty_bitmap_words(MIN(dst->nframes, src->nframes));
	uint64_t tail = MIN(dst->nframes, src->nframes) & 63;

	for (i = 0; i < nw; i++) {
		uint64_t add = src->words[i] & ~dst->words[i];

		/* the last shared word may hold frames only one bitmap has */
		if (i == nw - 1 && tail)
			add &= (1ULL << tail) - 1;
		n += popcount(add);
		dst->words[i] |= add;
	}
	return n;
}

uint64_t dirty_bitmap_move(struct dirty_bitmap *dst, struct dirty_bitmap *src)
{
	uint64_t n = dirty_bitmap_or(dst, src);

	dirty_bitmap_clear_all(src);
	return n;
}
