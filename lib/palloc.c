/*
 * Physical page allocator: a binary buddy allocator. Pure: see palloc.h.
 *
 * Every managed frame has a record. Only the first frame of a block (its
 * head) carries the block's order and state; the other frames of a block
 * are tails. Free blocks sit on one doubly linked list per order, threaded
 * through the head records, so a buddy can be unlinked in O(1) while
 * coalescing. Blocks are aligned in absolute frame numbers, not relative
 * to base_pfn, so an order-9 block is always a valid 2 MiB EPT page.
 */
#include <string.h>

#include "lib/palloc.h"

/* Frame indexes are 32 bits: 2^32 frames are 16 TiB, far above any host. */
#define FRAME_NONE UINT32_MAX
#define FRAME_INDEX_LIMIT ((uint64_t)UINT32_MAX)

enum frame_state {
	FRAME_RESERVED, /* not handed to the allocator (zero-filled default) */
	FRAME_FREE,     /* head of a free block */
	FRAME_ALLOC,    /* head of an allocated block */
	FRAME_TAIL,     /* inside a block, not its head */
};

struct palloc_frame {
	uint32_t next, prev; /* free list links, heads of free blocks only */
	uint8_t order;       /* heads only */
	uint8_t state;       /* enum frame_state */
};

static uint64_t palloc_clamp(uint64_t nframes)
{
	return MIN(nframes, FRAME_INDEX_LIMIT);
}

size_t palloc_meta_bytes(uint64_t nframes)
{
	return (size_t)palloc_clamp(nframes) * sizeof(struct palloc_frame);
}

void palloc_init(struct palloc *pa, uint64_t base_pfn, uint64_t nframes, void *meta)
{
	unsigned k;

	memset(pa, 0, sizeof(*pa));
	pa->base_pfn = base_pfn;
	pa->nframes = palloc_clamp(nframes);
	pa->frames = meta;
	for (k = 0; k <= PALLOC_MAX_ORDER; k++)
		pa->free_head[k] = PALLOC_NONE;
	memset(meta, 0, palloc_meta_bytes(pa->nframes));
}

/* The list functions take frame indexes (pfn - base_pfn). */
static void palloc_push(struct palloc *pa, uint64_t idx, unsigned order)
{
	struct palloc_frame *f = &pa->frames[idx];
	uint64_t head = pa->free_head[order];

	f->state = FRAME_FREE;
	f->order = (uint8_t)order;
	f->prev = FRAME_NONE;
	f->next = head == PALLOC_NONE ? FRAME_NONE : (uint32_t)head;
	if (head != PALLOC_NONE)
		pa->frames[head].prev = (uint32_t)idx;
	pa->free_head[order] = idx;
	pa->free_blocks[order]++;
}

static void palloc_unlink(struct palloc *pa, uint64_t idx)
{
	struct palloc_frame *f = &pa->frames[idx];
	unsigned order = f->order;

	if (f->prev == FRAME_NONE)
		pa->free_head[order] = f->next == FRAME_NONE ? PALLOC_NONE : f->next;
	else
		pa->frames[f->prev].next = f->next;
	if (f->next != FRAME_NONE)
		pa->frames[f->next].prev = f->prev;
	f->next = f->prev = FRAME_NONE;
	pa->free_blocks[order]--;
}

/*
 * Put the block at idx of the given order on the free lists, merging it
 * with its buddy for as long as the buddy is a whole free block.
 */
static void palloc_release(struct palloc *pa, uint64_t idx, unsigned order)
{
	uint64_t pfn = pa->base_pfn + idx;

	while (order < PALLOC_MAX_ORDER) {
		uint64_t buddy_pfn = pfn ^ (1ULL << order);
		uint64_t bidx = buddy_pfn - pa->base_pfn;
		struct palloc_frame *b;

		if (buddy_pfn < pa->base_pfn || bidx >= pa->nframes)
			break;
		b = &pa->frames[bidx];
		if (b->state != FRAME_FREE || b->order != order)
			break;
		palloc_unlink(pa, bidx);
		/* The higher half's head becomes a tail of the merged block. */
		pa->frames[MAX(idx, bidx)].state = FRAME_TAIL;
		pa->frames[MAX(idx, bidx)].order = 0;
		pfn = MIN(pfn, buddy_pfn);
		idx = MIN(idx, bidx);
		order++;
	}
	palloc_push(pa, idx, order);
}

/*
 * The largest block that starts at the reserved frame idx, lies in
 * [idx, end) and holds only reserved frames. Checking doubles with the
 * block, so a whole add_range stays linear in its length.
 */
static unsigned palloc_fit_order(struct palloc *pa, uint64_t idx, uint64_t end)
{
	uint64_t pfn = pa->base_pfn + idx;
	unsigned order = 0;

	while (order < PALLOC_MAX_ORDER) {
		uint64_t half = 1ULL << order, i;

		if (pfn & (2 * half - 1) || end - idx < 2 * half)
			break;
		for (i = idx + half; i < idx + 2 * half; i++)
			if (pa->frames[i].state != FRAME_RESERVED)
				return order;
		order++;
	}
	return order;
}

uint64_t palloc_add_range(struct palloc *pa, hpa_t addr, uint64_t pages)
{
	uint64_t lo, hi, start, end, idx, added = 0;

	if (addr > UINT64_MAX - (PAGE_SIZE - 1))
		return 0;
	/* Only whole pages count: a ragged start gives up its first page. */
	lo = ALIGN_UP(addr, PAGE_SIZE) >> PAGE_SHIFT;
	hi = addr >> PAGE_SHIFT;
	hi = pages > UINT64_MAX - hi ? UINT64_MAX : hi + pages;
	lo = MAX(lo, pa->base_pfn);
	hi = MIN(hi, pa->base_pfn + pa->nframes);
	if (lo >= hi)
		return 0;
	start = lo - pa->base_pfn;
	end = hi - pa->base_pfn;

	for (idx = start; idx < end;) {
		unsigned order;
		uint64_t size, i;

		if (pa->frames[idx].state != FRAME_RESERVED) {
			idx++;
			continue;
		}
		order = palloc_fit_order(pa, idx, end);
		size = 1ULL << order;
		for (i = idx + 1; i < idx + size; i++)
			pa->frames[i].state = FRAME_TAIL;
		palloc_release(pa, idx, order);
		added += size;
		idx += size;
	}
	pa->free_pages += added;
	pa->total_pages += added;
	return added;
}

hpa_t palloc_alloc(struct palloc *pa, unsigned order)
{
	unsigned k = order;
	uint64_t idx;

	if (order > PALLOC_MAX_ORDER)
		return PALLOC_NONE;
	while (k <= PALLOC_MAX_ORDER && pa->free_head[k] == PALLOC_NONE)
		k++;
	if (k > PALLOC_MAX_ORDER)
		return PALLOC_NONE;
	idx = pa->free_head[k];
	palloc_unlink(pa, idx);
	/* Hand the upper halves back until the block is the size asked. */
	while (k > order) {
		k--;
		palloc_push(pa, idx + (1ULL << k), k);
	}
	pa->frames[idx].state = FRAME_ALLOC;
	pa->frames[idx].order = (uint8_t)order;
	pa->free_pages -= 1ULL << order;
	return (pa->base_pfn + idx) << PAGE_SHIFT;
}

int palloc_free(struct palloc *pa, hpa_t addr, unsigned order)
{
	uint64_t pfn = addr >> PAGE_SHIFT, idx;
	struct palloc_frame *f;

	if (order > PALLOC_MAX_ORDER || addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (pfn < pa->base_pfn || pfn - pa->base_pfn >= pa->nframes)
		return -EINVAL;
	if (pfn & ((1ULL << order) - 1))
		return -EINVAL;
	idx = pfn - pa->base_pfn;
	f = &pa->frames[idx];
	if (f->state != FRAME_ALLOC || f->order != order)
		return -EINVAL;
	palloc_release(pa, idx, order);
	pa->free_pages += 1ULL << order;
	return 0;
}

unsigned palloc_order_for(uint64_t bytes)
{
	uint64_t pages = (bytes >> PAGE_SHIFT) + ((bytes & (PAGE_SIZE - 1)) != 0);
	unsigned order = 0;

	while (order < 63 && (1ULL << order) < pages)
		order++;
	return order;
}
