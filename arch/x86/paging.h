/*
 * The hypervisor's own page tables. The core runs identity-mapped
 * (virtual == physical), as UEFI left it, so a host-physical address is
 * also a pointer; phys_to_virt is the one place that says so.
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "lib/types.h"

/* 4-level paging entry bits, SDM Vol. 3A 4.5 tables 4-15 to 4-20 */
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_LARGE (1ULL << 7) /* PS: 1 GiB in a PDPTE, 2 MiB in a PDE */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

static inline void *phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline hpa_t virt_to_phys(const void *va)
{
	return (hpa_t)(uintptr_t)va;
}

/*
 * Build an identity map of [0, top) (at least the 4 GiB that hold the
 * MMIO windows) with the largest pages the CPU supports and switch CR3 to
 * it. alloc_page returns a zeroed page or 0. Returns 0 or -ENOMEM.
 */
int paging_init(uint64_t top, hpa_t (*alloc_page)(void));

/*
 * Make [base, base + size) reachable at the same virtual address,
 * uncached, for device registers (PCI BARs above the identity map).
 * Already-mapped parts are left as they are. Returns 0 or -ENOMEM.
 */
int paging_map_mmio(hpa_t base, uint64_t size);

/* Pages used by the tables, and the page size used ("1G" or "2M"). */
uint64_t paging_table_pages(void);
const char *paging_page_size(void);

#endif
