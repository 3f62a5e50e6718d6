/*
 * The physical memory map: UEFI's descriptors reduced to what the
 * hypervisor needs. Pure.
 *
 * UEFI types (UEFI 2.10 section 7.2, EFI_MEMORY_TYPE) are folded into a
 * few kinds. Boot-services memory is "reclaimable": free once the core
 * no longer runs on UEFI's stack and page tables.
 */
#ifndef LIB_MEMMAP_H
#define LIB_MEMMAP_H

#include "lib/types.h"

/* EFI_MEMORY_TYPE values, UEFI 2.10 table 7.5 */
#define EFI_RESERVED_MEMORY 0
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BOOT_SERVICES_CODE 3
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_UNUSABLE_MEMORY 8
#define EFI_ACPI_RECLAIM_MEMORY 9
#define EFI_ACPI_MEMORY_NVS 10
#define EFI_MEMORY_MAPPED_IO 11
#define EFI_MEMORY_MAPPED_IO_PORT_SPACE 12
#define EFI_PAL_CODE 13
#define EFI_PERSISTENT_MEMORY 14

enum mem_kind {
	MEM_USABLE,      /* conventional: free now */
	MEM_RECLAIMABLE, /* boot services code/data: free after the switch */
	MEM_LOADER,      /* our image, boot info, guest files: kept */
	MEM_RUNTIME,     /* UEFI runtime services: never touched */
	MEM_ACPI,        /* ACPI tables (reclaim type): kept for reading */
	MEM_ACPI_NVS,
	MEM_MMIO,
	MEM_UNUSABLE,    /* reserved, unusable, PAL, persistent, unknown */
	MEM_KIND_COUNT
};

struct mem_region {
	uint64_t base; /* bytes, page aligned */
	uint64_t pages;
	uint32_t kind; /* enum mem_kind */
	uint32_t efi_type;
};

/* Kind for a UEFI memory type; unknown types are MEM_UNUSABLE. */
enum mem_kind memmap_kind_from_efi(uint32_t efi_type);

/* Short name of a kind ("usable", "reclaimable", ...). */
const char *mem_kind_name(enum mem_kind kind);

/*
 * Sort regions by base, merge neighbours of the same kind (touching), and
 * resolve overlaps in favour of the more restrictive kind (the larger enum
 * value), splitting regions as needed. Regions with zero pages are
 * dropped. Works in place; cap is the array's capacity (splits may need
 * room). Returns the new count, or -ENOSPC if cap was too small.
 */
int memmap_normalize(struct mem_region *r, size_t n, size_t cap);

struct memmap_summary {
	uint64_t pages[MEM_KIND_COUNT];
	uint64_t top;        /* end of the highest region */
	uint64_t top_usable; /* end of the highest usable or reclaimable region */
};

void memmap_summarize(const struct mem_region *r, size_t n, struct memmap_summary *s);

#endif
