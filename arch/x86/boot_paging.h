/*
 * What a 64-bit boot protocol needs in guest memory before the first
 * instruction: a GDT with flat segments and page tables that identity-map
 * the low 4 GiB. Pure: built into a caller's buffer that the loader then
 * copies to guest-physical base.
 */
#ifndef ARCH_X86_BOOT_PAGING_H
#define ARCH_X86_BOOT_PAGING_H

#include "lib/types.h"

/* Linux's boot selectors (boot.rst "64-bit BOOT PROTOCOL": __BOOT_CS, __BOOT_DS) */
#define BOOT_SEL_CS64 0x10
#define BOOT_SEL_DS 0x18

/* One page of GDT, then the PML4, one PDPT and four page directories. */
#define BOOT_PAGING_GDT_PAGES 1
#define BOOT_PAGING_PD_PAGES 4 /* 4 x 1 GiB of 2 MiB pages: the low 4 GiB */
#define BOOT_PAGING_PAGES (BOOT_PAGING_GDT_PAGES + 2 + BOOT_PAGING_PD_PAGES)
#define BOOT_PAGING_SIZE (BOOT_PAGING_PAGES * PAGE_SIZE)
#define BOOT_PAGING_MAPPED GiB(4) /* identity-mapped span from address 0 */

struct boot_paging {
	gpa_t gdt_base;
	uint16_t gdt_limit;
	gpa_t cr3; /* the PML4 */
};

/*
 * Fill buf (BOOT_PAGING_SIZE bytes, destined for guest-physical base, page
 * aligned) with the GDT and the identity page tables; describe them in out.
 */
void boot_paging_build(uint8_t *buf, gpa_t base, struct boot_paging *out);

#endif
