/*
 * GDT and identity page tables for a 64-bit boot (see boot_paging.h).
 * Formats: SDM Vol. 3A 3.4.5 (segment descriptors), 5.5 table 5-15..5-18
 * (4-level paging entries).
 */
#include <string.h>
#include "arch/x86/boot_paging.h"

/* Page-table entry bits, SDM Vol. 3A 5.5 tables 5-15 (PML4E), 5-17 (PDPTE), 5-18 (PDE 2 MiB) */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7) /* in a PDE: maps a 2 MiB page */
#define PDE_SPAN MiB(2)
#define ENTRIES 512

/*
 * Flat descriptors (base 0, limit 0xfffff pages), SDM Vol. 3A 3.4.5:
 * 64-bit code (L=1, D=0, execute/read, accessed) and data (D/B=1,
 * read/write, accessed), both present, DPL 0, G=1.
 */
#define GDT_CODE64 0x00af9b000000ffffULL
#define GDT_DATA 0x00cf93000000ffffULL

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v)); /* x86 is little-endian, as is every host we test on */
}

void boot_paging_build(uint8_t *buf, gpa_t base, struct boot_paging *out)
{
	gpa_t pml4 = base + BOOT_PAGING_GDT_PAGES * PAGE_SIZE;
	gpa_t pdpt = pml4 + PAGE_SIZE;
	gpa_t pd = pdpt + PAGE_SIZE;
	uint8_t *b_pml4 = buf + (pml4 - base), *b_pdpt = buf + (pdpt - base);
	uint8_t *b_pd = buf + (pd - base);
	int i;

	memset(buf, 0, BOOT_PAGING_SIZE);
	put64(buf + BOOT_SEL_CS64, GDT_CODE64);
	put64(buf + BOOT_SEL_DS, GDT_DATA);
	put64(b_pml4, pdpt | PTE_P | PTE_RW);
	for (i = 0; i < BOOT_PAGING_PD_PAGES; i++)
		put64(b_pdpt + 8 * i, (pd + i * PAGE_SIZE) | PTE_P | PTE_RW);
	for (i = 0; i < BOOT_PAGING_PD_PAGES * ENTRIES; i++)
		put64(b_pd + 8 * i, (uint64_t)i * PDE_SPAN | PTE_P | PTE_RW | PTE_PS);
	out->gdt_base = base;
	out->gdt_limit = BOOT_SEL_DS + 8 - 1;
	out->cr3 = pml4;
}
