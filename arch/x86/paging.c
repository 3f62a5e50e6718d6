/*
 * Identity-mapped page tables for the core. The firmware's tables live
 * in boot-services memory, which the allocator reclaims, so the core must
 * stop using them before that memory is handed out.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"

#define ENTRIES 512
#define PDPTE_SPAN GiB(1)
#define PDE_SPAN MiB(2)
#define PML4E_SPAN GiB(512)

static uint64_t table_pages;
static bool use_1g;
static uint64_t *root;
static hpa_t (*table_alloc)(void);

static uint64_t *new_table(hpa_t (*alloc_page)(void))
{
	hpa_t pa = alloc_page();

	if (!pa)
		return NULL;
	table_pages++;
	return phys_to_virt(pa);
}

/* Fill one page directory mapping [base, base + 1 GiB) with 2 MiB pages. */
static void fill_pd(uint64_t *pd, uint64_t base)
{
	int i;

	for (i = 0; i < ENTRIES; i++)
		pd[i] = (base + i * PDE_SPAN) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
}

static int fill_pdpt(uint64_t *pdpt, uint64_t base, uint64_t top, hpa_t (*alloc_page)(void))
{
	int i;

	for (i = 0; i < ENTRIES && base + i * PDPTE_SPAN < top; i++) {
		uint64_t addr = base + i * PDPTE_SPAN;
		uint64_t *pd;

		if (use_1g) {
			pdpt[i] = addr | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
			continue;
		}
		pd = new_table(alloc_page);
		if (!pd)
			return -ENOMEM;
		fill_pd(pd, addr);
		pdpt[i] = virt_to_phys(pd) | PTE_PRESENT | PTE_WRITE;
	}
	return 0;
}

int paging_init(uint64_t top, hpa_t (*alloc_page)(void))
{
	uint32_t a, b, c, d;
	uint64_t *pml4;
	uint64_t base;
	int i;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		use_1g = d & CPUID_80000001_EDX_PDPE1GB;
	}
	/* memory types come from the firmware's MTRRs: MMIO ranges stay uncached there */
	top = ALIGN_UP(MAX(top, GiB(4)), GiB(1));
	pml4 = new_table(alloc_page);
	if (!pml4)
		return -ENOMEM;
	for (i = 0, base = 0; i < ENTRIES && base < top; i++, base += PML4E_SPAN) {
		uint64_t *pdpt = new_table(alloc_page);

		if (!pdpt || fill_pdpt(pdpt, base, top, alloc_page))
			return -ENOMEM;
		pml4[i] = virt_to_phys(pdpt) | PTE_PRESENT | PTE_WRITE;
	}
	root = pml4;
	table_alloc = alloc_page;
	write_cr3(virt_to_phys(pml4));
	return 0;
}

/* The table an entry points to, allocating it if the entry is empty. */
static uint64_t *next_table(uint64_t *entry)
{
	uint64_t *t;

	if (*entry & PTE_PRESENT)
		return (*entry & PTE_LARGE) ? NULL : phys_to_virt(*entry & PTE_ADDR_MASK);
	t = new_table(table_alloc);
	if (t)
		*entry = virt_to_phys(t) | PTE_PRESENT | PTE_WRITE;
	return t;
}

int paging_map_mmio(hpa_t base, uint64_t size)
{
	uint64_t addr, end = ALIGN_UP(base + size, PDE_SPAN);

	for (addr = ALIGN_DOWN(base, PDE_SPAN); addr < end; addr += PDE_SPAN) {
		uint64_t *pml4e = &root[(addr >> 39) & 511];
		uint64_t *pdpt, *pd, *pde;

		pdpt = next_table(pml4e);
		if (!pdpt)
			return -ENOMEM;
		if ((pdpt[(addr >> 30) & 511] & (PTE_PRESENT | PTE_LARGE)) == (PTE_PRESENT | PTE_LARGE))
			continue; /* inside a 1 GiB page already */
		pd = next_table(&pdpt[(addr >> 30) & 511]);
		if (!pd)
			return -ENOMEM;
		pde = &pd[(addr >> 21) & 511];
		if (!(*pde & PTE_PRESENT))
			*pde = addr | PTE_PRESENT | PTE_WRITE | PTE_LARGE | PTE_PCD | PTE_PWT;
	}
	write_cr3(read_cr3()); /* flush: entries were only added, but keep it simple */
	return 0;
}

uint64_t paging_table_pages(void)
{
	return table_pages;
}

const char *paging_page_size(void)
{
	return use_1g ? "1G" : "2M";
}
