/*
 * EPT steps the dirty-logging back-ends share: splitting RAM into 4 KiB
 * leaves and merging it back, and collecting D flags. Pure.
 */
#include "arch/x86/dirty_backend.h"

int dirty_ept_split(struct dirty_log *l)
{
	int n = ept_split_range(l->ept, 0, l->ram_size);

	if (n < 0)
		return n;
	l->stats.splits += (uint64_t)n;
	return 0;
}

void dirty_ept_merge(struct dirty_log *l)
{
	int n = ept_merge_range(l->ept, 0, l->ram_size);

	if (n > 0)
		l->stats.merges += (uint64_t)n;
}

static void note_dirty(void *ctx, gpa_t gpa, uint64_t size)
{
	struct dirty_log *l = ctx;

	dirty_bitmap_set_range(&l->pending, gpa, size);
}

int dirty_ept_collect_all(struct dirty_log *l)
{
	int64_t n = ept_harvest_dirty(l->ept, 0, l->ram_size, true, note_dirty, l);

	return n < 0 ? (int)n : 0;
}

int dirty_ept_forget_all(struct dirty_log *l)
{
	int64_t n = ept_harvest_dirty(l->ept, 0, l->ram_size, true, NULL, NULL);

	return n < 0 ? (int)n : 0;
}

void dirty_ept_each_pending(struct dirty_log *l, void (*fn)(struct dirty_log *l, gpa_t gpa))
{
	uint64_t f;

	for (f = dirty_bitmap_next(&l->pending, 0); f < l->pending.nframes;
	     f = dirty_bitmap_next(&l->pending, f + 1))
		fn(l, f << PAGE_SHIFT);
}
