/*
 * Physical memory bring-up. The allocator manages every frame below the
 * top of usable memory; its bookkeeping is carved out of the first usable
 * region large enough for it, which is then never handed out.
 */
#include <string.h>
#include "arch/x86/paging.h"
#include "kernel/log.h"
#include "kernel/physmem.h"

/* room for the firmware's regions plus splits from normalizing overlaps */
#define PHYSMEM_MAX_REGIONS (BOOTINFO_MAX_REGIONS * 2)

static struct mem_region regions[PHYSMEM_MAX_REGIONS];
static size_t nregions;
static struct palloc allocator;
static hpa_t meta_base;
static uint64_t meta_bytes;
static uint64_t reclaimed;

/* Add [base, base + pages) minus the low reserve and the bookkeeping. */
static uint64_t add_usable(hpa_t base, uint64_t pages)
{
	hpa_t end = base + pages * PAGE_SIZE;
	hpa_t meta_end = meta_base + ALIGN_UP(meta_bytes, PAGE_SIZE);
	uint64_t added = 0;

	base = MAX(base, PHYSMEM_LOW_RESERVED);
	if (base >= end)
		return 0;
	if (meta_base < end && meta_end > base) {
		if (meta_base > base)
			added += palloc_add_range(&allocator, base, (meta_base - base) / PAGE_SIZE);
		base = MAX(base, meta_end);
	}
	if (base < end)
		added += palloc_add_range(&allocator, base, (end - base) / PAGE_SIZE);
	return added;
}

static int place_meta(uint64_t bytes)
{
	size_t i;

	for (i = 0; i < nregions; i++) {
		const struct mem_region *r = &regions[i];
		hpa_t start = MAX(r->base, PHYSMEM_LOW_RESERVED);
		hpa_t end = r->base + r->pages * PAGE_SIZE;

		if (r->kind != MEM_USABLE || start >= end)
			continue;
		if (end - start >= ALIGN_UP(bytes, PAGE_SIZE)) {
			meta_base = start;
			meta_bytes = bytes;
			return 0;
		}
	}
	return -ENOMEM;
}

int physmem_init(const struct boot_info *bi)
{
	struct memmap_summary sum;
	uint64_t nframes;
	int n;
	size_t i;

	memcpy(regions, bi->regions, bi->nregions * sizeof(regions[0]));
	n = memmap_normalize(regions, bi->nregions, PHYSMEM_MAX_REGIONS);
	if (n < 0)
		return n;
	nregions = (size_t)n;
	memmap_summarize(regions, nregions, &sum);
	nframes = sum.top_usable / PAGE_SIZE;
	if (place_meta(palloc_meta_bytes(nframes)))
		return -ENOMEM;
	palloc_init(&allocator, 0, nframes, phys_to_virt(meta_base));
	for (i = 0; i < nregions; i++)
		if (regions[i].kind == MEM_USABLE)
			add_usable(regions[i].base, regions[i].pages);
	return 0;
}

void physmem_reclaim_boot_services(void)
{
	size_t i;

	for (i = 0; i < nregions; i++)
		if (regions[i].kind == MEM_RECLAIMABLE)
			reclaimed += add_usable(regions[i].base, regions[i].pages);
}

hpa_t physmem_alloc_pages(unsigned order)
{
	hpa_t pa = palloc_alloc(&allocator, order);

	if (pa == PALLOC_NONE)
		return 0;
	memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
	return pa;
}

hpa_t physmem_alloc_page(void)
{
	return physmem_alloc_pages(0);
}

void physmem_free_pages(hpa_t pa, unsigned order)
{
	if (palloc_free(&allocator, pa, order))
		log_error("mem: bad free of 0x%lx order %u ignored", pa, order);
}

const struct mem_region *physmem_regions(size_t *n)
{
	*n = nregions;
	return regions;
}

const struct palloc *physmem_allocator(void)
{
	return &allocator;
}

uint64_t physmem_reclaimed_pages(void)
{
	return reclaimed;
}

hpa_t physmem_meta_base(void)
{
	return meta_base;
}

uint64_t physmem_meta_bytes(void)
{
	return meta_bytes;
}
