/*
 * Walking the guest's page tables to find the instruction behind an MMIO
 * exit: guest-linear to guest-physical, and fetching its bytes. Pure:
 * guest memory is read through struct guest_ram; see insn.h.
 *
 * Paging, SDM Vol. 3A chapter 4: 32-bit paging (4.3), PAE paging (4.4)
 * and 4-level paging (4.5).
 */
#include "arch/x86/insn.h"

/* Paging-structure entries, SDM Vol. 3A tables 4-4 to 4-20 */
#define PTE_P (1ULL << 0)
#define PTE_PS (1ULL << 7)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ULL /* bits 51:12 */
#define LARGE_PAT_BIT (1ULL << 12)          /* PAT in PS=1 entries */
#define PDE32_ADDR_MASK 0xFFFFF000ULL       /* table 4-6 */
#define PDE32_4M_ADDR_MASK 0xFFC00000ULL    /* table 4-4, bits 31:22 */
#define PDE32_4M_HI_SHIFT 13                /* PSE-36: bits 20:13 = PA 39:32 */
#define PDE32_4M_HI_MASK 0xFFULL
#define PDE32_4M_RSVD (1ULL << 21)
#define CR3_32_ADDR_MASK 0xFFFFF000ULL      /* table 4-3 */
#define CR3_PAE_ADDR_MASK 0xFFFFFFE0ULL     /* table 4-7, bits 31:5 */
#define PDPTE_PAE_RSVD 0x1E6ULL             /* table 4-8, bits 2:1 and 8:5 */
#define OFFSET_4K 0xFFFULL
#define OFFSET_4M 0x3FFFFFULL
#define TABLE_INDEX_MASK 0x1FFULL           /* 512 entries of 8 bytes */
#define LEVEL_BITS 9
#define SHIFT_PT 12
#define SHIFT_PD 21
#define SHIFT_PDPT 30
#define SHIFT_PML4 39

/* Read a little-endian paging-structure entry of width bytes. */
static int guest_read_entry(const struct guest_ram *ram, gpa_t gpa, unsigned width,
			    uint64_t *entry)
{
	uint8_t buf[8];
	unsigned i;

	if (ram->read(ram->ctx, gpa, buf, width))
		return -EINVAL;
	*entry = 0;
	for (i = 0; i < width; i++)
		*entry |= (uint64_t)buf[i] << (8 * i);
	return 0;
}

/* 32-bit paging, SDM Vol. 3A 4.3, with PSE-36 for 4 MiB pages. */
static int guest_walk_32(const struct guest_paging *pg, const struct guest_ram *ram,
			 uint32_t la, gpa_t *gpa)
{
	uint64_t pde, pte;

	if (guest_read_entry(ram, (pg->cr3 & CR3_32_ADDR_MASK) + ((la >> 22) << 2),
			     4, &pde))
		return -EINVAL;
	if (!(pde & PTE_P))
		return -ENOENT;
	if ((pde & PTE_PS) && (pg->cr4 & GUEST_CR4_PSE)) {
		if (pde & PDE32_4M_RSVD)
			return -EINVAL;
		*gpa = (pde & PDE32_4M_ADDR_MASK) |
		       (((pde >> PDE32_4M_HI_SHIFT) & PDE32_4M_HI_MASK) << 32) |
		       (la & OFFSET_4M);
		return 0;
	}
	if (guest_read_entry(ram, (pde & PDE32_ADDR_MASK) + (((la >> 12) & 0x3FF) << 2),
			     4, &pte))
		return -EINVAL;
	if (!(pte & PTE_P))
		return -ENOENT;
	*gpa = (pte & PDE32_ADDR_MASK) | (la & OFFSET_4K);
	return 0;
}

/*
 * The 64-bit-entry levels shared by PAE and 4-level paging, from the
 * table at the given level (shift) down. PS=1 maps a page at the PDPT and
 * PD levels; in a PML4E it is reserved, and in a large-page entry the
 * address bits below the page size, except PAT, are reserved (tables
 * 4-15 to 4-20). Bits above the guest's MAXPHYADDR are not checked: we do
 * not know it, and the table reads catch addresses outside RAM.
 */
static int guest_walk_levels(const struct guest_ram *ram, uint64_t table,
			     uint64_t la, unsigned shift, gpa_t *gpa)
{
	for (;; shift -= LEVEL_BITS) {
		uint64_t e, page_mask = (1ULL << shift) - 1;
		uint64_t index = (la >> shift) & TABLE_INDEX_MASK;

		if (guest_read_entry(ram, table + index * 8, 8, &e))
			return -EINVAL;
		if (!(e & PTE_P))
			return -ENOENT;
		if (shift == SHIFT_PT || (e & PTE_PS)) {
			if (shift == SHIFT_PML4)
				return -EINVAL;
			if (shift != SHIFT_PT && (e & page_mask & ~(LARGE_PAT_BIT | OFFSET_4K)))
				return -EINVAL;
			*gpa = (e & PTE_ADDR_MASK & ~page_mask) | (la & page_mask);
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
}

/*
 * PAE paging, SDM Vol. 3A 4.4. The CPU loads the four PDPTEs when CR3 is
 * written and the VMCS holds them; reading them from memory instead is
 * exact unless the guest changed them without reloading CR3.
 */
static int guest_walk_pae(const struct guest_paging *pg, const struct guest_ram *ram,
			  uint32_t la, gpa_t *gpa)
{
	uint64_t pdpte;

	if (guest_read_entry(ram, (pg->cr3 & CR3_PAE_ADDR_MASK) + ((la >> SHIFT_PDPT) << 3),
			     8, &pdpte))
		return -EINVAL;
	if (!(pdpte & PTE_P))
		return -ENOENT;
	if (pdpte & PDPTE_PAE_RSVD)
		return -EINVAL;
	return guest_walk_levels(ram, pdpte & PTE_ADDR_MASK, la, SHIFT_PD, gpa);
}

/*
 * The paging mode follows SDM Vol. 3A table 4-1. Long mode without PAE
 * cannot be entered, so it is reported as invalid state. In 4-level
 * paging only bits 47:0 of the address are used: the CPU faulted on a
 * non-canonical address before any MMIO access could happen.
 */
int guest_linear_to_phys(const struct guest_paging *pg, const struct guest_ram *ram,
			 uint64_t linear, gpa_t *gpa)
{
	bool long_mode = pg->efer & GUEST_EFER_LMA;

	if (!(pg->cr0 & GUEST_CR0_PG)) {
		*gpa = long_mode ? linear : (uint32_t)linear;
		return 0;
	}
	if (long_mode) {
		if (!(pg->cr4 & GUEST_CR4_PAE) || (pg->cr4 & GUEST_CR4_LA57))
			return -EINVAL;
		return guest_walk_levels(ram, pg->cr3 & PTE_ADDR_MASK, linear,
					 SHIFT_PML4, gpa);
	}
	if (pg->cr4 & GUEST_CR4_PAE)
		return guest_walk_pae(pg, ram, (uint32_t)linear, gpa);
	return guest_walk_32(pg, ram, (uint32_t)linear, gpa);
}

int insn_fetch(const struct guest_paging *pg, const struct guest_ram *ram,
	       uint64_t linear, uint8_t *dst, size_t n)
{
	size_t done = 0;

	if (n > INSN_MAX_LEN)
		return -EINVAL;
	while (done < n) {
		uint64_t la = linear + done;
		size_t chunk = MIN(n - done, (size_t)(PAGE_SIZE - (la & OFFSET_4K)));
		gpa_t gpa;
		int err = guest_linear_to_phys(pg, ram, la, &gpa);

		if (!err && ram->read(ram->ctx, gpa, dst + done, chunk))
			err = -EINVAL;
		if (err)
			return done ? (int)done : err;
		done += chunk;
	}
	return (int)done;
}
