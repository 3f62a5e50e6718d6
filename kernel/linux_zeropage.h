/*
 * The Linux zero page (struct boot_params, one 4 KiB page) and the e820
 * memory map in it. Pure. Offsets are those of the kernel's
 * Documentation/arch/x86/zero-page.rst and bootparam.h; setup header
 * fields are in bzimage.h.
 */
#ifndef KERNEL_LINUX_ZEROPAGE_H
#define KERNEL_LINUX_ZEROPAGE_H

#include "kernel/bzimage.h"
#include "lib/types.h"

#define ZP_SIZE 4096
/* zero-page.rst */
#define ZP_ACPI_RSDP_ADDR 0x070 /* protocol 2.14 */
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE 0x0c4
#define ZP_EXT_CMD_LINE_PTR 0x0c8
#define ZP_E820_ENTRIES 0x1e8
#define ZP_SENTINEL 0x1ef /* must stay 0, or the kernel clears the fields a loader set */
#define ZP_E820_TABLE 0x2d0
#define ZP_E820_MAX 128 /* E820_MAX_ENTRIES_ZEROPAGE */
#define ZP_E820_ENTRY_SIZE 20 /* packed: u64 addr, u64 size, u32 type */

/* e820 types (ACPI 6.5 table 15.1, "Address Range Types") */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3

#define LINUX_TYPE_OF_LOADER 0xff /* "undefined" loader ID, boot.rst type_of_loader */
#define LINUX_HEAP_END 0xde00     /* heap_end_ptr: boot.rst's 0xe000 - 0x200 */

/* Guest-physical layout of a PC's low memory, as a BIOS reports it. */
#define LINUX_LOW_RAM_END 0x9fc00 /* the EBDA starts here */
#define LINUX_BIOS_AREA 0xe0000   /* option ROMs end, BIOS area to 1 MiB */
#define LINUX_HIGH_RAM 0x100000

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

/* Where things are, as the zero page tells the kernel (addresses guest-physical). */
struct zp_layout {
	uint64_t ram_size;
	gpa_t boot_area, boot_area_size; /* GDT and page tables: reserved */
	gpa_t cmdline;
	gpa_t initrd;
	uint64_t initrd_size; /* 0: no initrd */
	gpa_t rsdp;           /* 0: no ACPI */
};

/*
 * The guest's memory map: RAM below 0x9fc00 (less l->boot_area, which
 * is reserved), the EBDA and the BIOS area (0xe0000-1 MiB, where the ACPI
 * tables go) reserved, RAM from 1 MiB to ram_size. Returns the count (at
 * most max) written to out.
 */
int zp_e820(const struct zp_layout *l, struct e820_entry *out, int max);

/*
 * Build the zero page in zp (ZP_SIZE bytes): zeroed, the image's setup
 * header copied (bz->header_end bytes from 0x1f1), then the loader's
 * fields: type_of_loader, loadflags (CAN_USE_HEAP, heap_end_ptr; no
 * KEEP_SEGMENTS, the 64-bit entry loads its own), command line and
 * initrd pointers (with their ext_ high halves), acpi_rsdp_addr, e820.
 */
void zp_build(uint8_t *zp, const uint8_t *image, const struct bzimage_info *bz,
	      const struct zp_layout *l);

#endif
