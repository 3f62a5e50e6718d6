/*
 * The core's physical memory: the normalized memory map and the page
 * allocator built from it.
 */
#ifndef KERNEL_PHYSMEM_H
#define KERNEL_PHYSMEM_H

#include "kernel/bootinfo.h"
#include "lib/palloc.h"
#include "lib/types.h"

/* Memory below this stays out of the allocator: AP start-up code needs it later. */
#define PHYSMEM_LOW_RESERVED MiB(1)

/*
 * Build the allocator from the boot memory map: usable (conventional)
 * memory only. Returns 0 or -ENOMEM when no region can hold the
 * allocator's own bookkeeping.
 */
int physmem_init(const struct boot_info *bi);

/*
 * Hand boot-services memory to the allocator. Only once the core runs
 * on its own stack, GDT, IDT and page tables, and ACPI has been read.
 */
void physmem_reclaim_boot_services(void);

/* 2^order zeroed pages, aligned to their size; 0 when memory is exhausted. */
hpa_t physmem_alloc_pages(unsigned order);
/* One zeroed page, or 0. */
hpa_t physmem_alloc_page(void);
/* Return pages from physmem_alloc_pages; a bad free is logged and ignored. */
void physmem_free_pages(hpa_t pa, unsigned order);

/* The normalized memory map. */
const struct mem_region *physmem_regions(size_t *n);
/* The allocator's counters. */
const struct palloc *physmem_allocator(void);
/* Pages of boot-services memory added by physmem_reclaim_boot_services. */
uint64_t physmem_reclaimed_pages(void);
/* Where the allocator's bookkeeping lives. */
hpa_t physmem_meta_base(void);
uint64_t physmem_meta_bytes(void);

#endif
