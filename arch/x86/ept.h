/*
 * EPT page tables: building, changing and reading the guest-physical to
 * host-physical map, and the accessed/dirty flags dirty logging needs.
 *
 * Pure: tables are reached only through struct ept_mem_ops, so the host
 * tests run the builder over simulated physical memory. The caller
 * invalidates cached translations (INVEPT) after changes that remove or
 * restrict access or clear A/D flags; functions say when that is due by
 * returning a positive "flush needed" count where it matters.
 *
 * Layout: SDM Vol. 3C 29.3.2 (tables 29-1 to 29-6), EPTP 25.6.11.
 */
#ifndef ARCH_X86_EPT_H
#define ARCH_X86_EPT_H

#include "lib/types.h"

/* EPT entry bits, SDM Vol. 3C 29.3.2 */
#define EPT_READ (1ULL << 0)
#define EPT_WRITE (1ULL << 1)
#define EPT_EXEC (1ULL << 2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3 /* bits 5:3 of a leaf */
#define EPT_MEMTYPE_UC 0ULL
#define EPT_MEMTYPE_WB 6ULL
#define EPT_IGNORE_PAT (1ULL << 6)
#define EPT_LARGE (1ULL << 7)      /* bit 7 in a PDE/PDPTE: maps a 2 MiB / 1 GiB page */
#define EPT_ACCESSED (1ULL << 8)
#define EPT_DIRTY (1ULL << 9)      /* leaves only */
#define EPT_ADDR_MASK 0x000ffffffffff000ULL

/* EPTP fields, SDM Vol. 3C 25.6.11 */
#define EPTP_MEMTYPE_WB 6ULL
#define EPTP_WALK_LENGTH_4 (3ULL << 3)
#define EPTP_ENABLE_AD (1ULL << 6)

#define EPT_LEVELS 4
#define EPT_PAGE_4K PAGE_SIZE
#define EPT_PAGE_2M MiB(2)
#define EPT_MAX_GPA (1ULL << 48)

struct ept_mem_ops {
	/* a zeroed 4 KiB page for a table, or 0 when out of memory */
	hpa_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, hpa_t table);
	/* a pointer through which the table page at pa can be read and written */
	void *(*map)(void *ctx, hpa_t pa);
	void *ctx;
};

struct ept {
	hpa_t root; /* the PML4 table */
	struct ept_mem_ops ops;
	uint64_t table_pages;
	uint64_t large_pages; /* 2 MiB leaves currently mapped */
	uint64_t small_pages; /* 4 KiB leaves currently mapped */
};

/* Allocate an empty PML4. Returns 0 or -ENOMEM. */
int ept_init(struct ept *e, const struct ept_mem_ops *ops);

/* Free every table (not the memory they map). */
void ept_destroy(struct ept *e);

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size) with perms (EPT_READ |
 * EPT_WRITE | EPT_EXEC) and write-back memory type. Uses 2 MiB leaves
 * where gpa and hpa are both 2 MiB aligned and the range covers the whole
 * 2 MiB, 4 KiB leaves elsewhere. gpa, hpa and size must be 4 KiB aligned.
 * Returns 0, -EINVAL (alignment, range past EPT_MAX_GPA), -EEXIST (part
 * already mapped: nothing changed), -ENOMEM (tables allocated so far
 * stay, the range may be partly mapped; unmap it).
 */
int ept_map_range(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t size, uint64_t perms);

/*
 * Unmap [gpa, gpa + size), splitting 2 MiB leaves that are only partly
 * covered. Unmapped holes inside the range are fine. Returns 0,
 * -EINVAL or -ENOMEM (from a split). Needs INVEPT afterwards.
 */
int ept_unmap_range(struct ept *e, gpa_t gpa, uint64_t size);

/*
 * Set the permission bits of every mapped page in [gpa, gpa + size) to
 * perms, splitting 2 MiB leaves only partly covered. Addresses, memory
 * type and A/D flags stay. Returns 0, -EINVAL or -ENOMEM. Needs INVEPT
 * afterwards when permissions were removed.
 */
int ept_protect_range(struct ept *e, gpa_t gpa, uint64_t size, uint64_t perms);

/*
 * Replace the 2 MiB leaf covering gpa by a table of 512 4 KiB leaves with
 * the same addresses, permissions, memory type and A/D flags (so no dirty
 * page is lost). Returns 0, -ENOENT (no 2 MiB leaf there) or -ENOMEM.
 */
int ept_split_large(struct ept *e, gpa_t gpa);

/*
 * Translate gpa. On success returns 0 and fills *hpa (the byte's host
 * address), *leaf (the leaf entry) and *page_size; -ENOENT when unmapped.
 */
int ept_lookup(const struct ept *e, gpa_t gpa, hpa_t *hpa, uint64_t *leaf, uint64_t *page_size);

/* Called with each dirty page found: a 4 KiB or 2 MiB page at gpa. */
typedef void (*ept_dirty_fn)(void *ctx, gpa_t gpa, uint64_t page_size);

/*
 * Walk the leaves in [gpa, gpa + size), report each one with the dirty
 * flag set to fn (may be NULL), and clear the flag when clear is true.
 * Returns the number of 4 KiB pages reported (a 2 MiB leaf counts 512),
 * or -EINVAL (range not 4 KiB aligned or past EPT_MAX_GPA, no tables):
 * a caller that must not miss a page can tell "nothing dirty" from "not
 * looked". After clearing, INVEPT is needed before the flags can be
 * trusted again (SDM Vol. 3C 29.4.3.1: cached translations may keep D).
 */
int64_t ept_harvest_dirty(struct ept *e, gpa_t gpa, uint64_t size, bool clear,
			  ept_dirty_fn fn, void *ctx);

/*
 * Clear the dirty flag of the 4 KiB leaf mapping gpa (PML re-arms a page
 * this way: the CPU logs only a 0 -> 1 change, SDM Vol. 3C 29.3.6).
 * Returns 1 when the flag was set, 0 when not, -ENOENT when gpa has no
 * 4 KiB leaf (a 2 MiB leaf keeps its flag: clearing it would hide the
 * other 511 pages). Needs INVEPT afterwards.
 */
int ept_clear_dirty(struct ept *e, gpa_t gpa);

/*
 * Split every 2 MiB leaf in [gpa, gpa + size) into 4 KiB leaves keeping
 * permissions, memory type and A/D flags (dirty logging wants one D flag
 * per 4 KiB page). Returns the number of leaves split, -EINVAL or
 * -ENOMEM (the leaves split so far stay split; that is harmless).
 */
int ept_split_range(struct ept *e, gpa_t gpa, uint64_t size);

/*
 * Merge back: every page table in [gpa, gpa + size) whose 512 leaves map
 * one 2 MiB-aligned host block with the same permissions and memory type
 * becomes one 2 MiB leaf. Its A and D flags are the OR of the small
 * leaves' (a D flag set by a CPU during the merge is folded in too), so
 * no dirty page is lost; the table is freed. Returns the number of
 * leaves merged or -EINVAL. Needs INVEPT before the freed table pages
 * are reused, and no guest may run on this EPT in between (see
 * ept_drop_table).
 */
int ept_merge_range(struct ept *e, gpa_t gpa, uint64_t size);

/* Clear the accessed flag of every entry (all levels) in the range. */
void ept_clear_accessed(struct ept *e, gpa_t gpa, uint64_t size);

/* The EPT pointer for the VMCS: WB, 4-level walk, A/D enabled when ad. */
uint64_t ept_eptp(const struct ept *e, bool ad);

#endif
