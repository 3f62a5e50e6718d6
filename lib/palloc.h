/*
 * Physical page allocator: a binary buddy allocator over page frames.
 *
 * Pure: it keeps its bookkeeping in a metadata array the caller provides
 * and never touches the pages it manages, so the host tests run it over
 * made-up address ranges. Blocks are 2^order pages, aligned to their size,
 * which is what EPT large pages need. Pages are not zeroed here.
 */
#ifndef LIB_PALLOC_H
#define LIB_PALLOC_H

#include "lib/types.h"

#define PALLOC_MAX_ORDER 18 /* 2^18 pages = 1 GiB */
#define PALLOC_NONE (~0ULL)

struct palloc_frame; /* private per-frame record */

struct palloc {
	uint64_t base_pfn; /* first frame managed */
	uint64_t nframes;
	struct palloc_frame *frames;
	uint64_t free_head[PALLOC_MAX_ORDER + 1]; /* frame index or PALLOC_NONE */
	uint64_t free_blocks[PALLOC_MAX_ORDER + 1];
	uint64_t free_pages;
	uint64_t total_pages; /* pages ever added */
};

/* Bytes of metadata needed to manage nframes frames. */
size_t palloc_meta_bytes(uint64_t nframes);

/*
 * Manage frames [base_pfn, base_pfn + nframes) with meta (palloc_meta_bytes
 * long). Every frame starts reserved: nothing is allocatable until added.
 */
void palloc_init(struct palloc *pa, uint64_t base_pfn, uint64_t nframes, void *meta);

/*
 * Make [addr, addr + pages*4K) allocatable. Parts outside the managed
 * frames or already free are ignored. Returns pages actually added.
 */
uint64_t palloc_add_range(struct palloc *pa, hpa_t addr, uint64_t pages);

/* Allocate 2^order pages aligned to their size. Returns PALLOC_NONE when none. */
hpa_t palloc_alloc(struct palloc *pa, unsigned order);

/*
 * Free a block from palloc_alloc with the same order. Returns -EINVAL for
 * an address that is not the start of an allocated block of that order
 * (double free, wrong order, never allocated); nothing changes then.
 */
int palloc_free(struct palloc *pa, hpa_t addr, unsigned order);

/* Smallest order whose block holds bytes. */
unsigned palloc_order_for(uint64_t bytes);

#endif
