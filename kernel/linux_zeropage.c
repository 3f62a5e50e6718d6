/*
 * Zero page builder (see linux_zeropage.h). The boot protocol's own
 * order: copy the setup header from the image, then fill in what the
 * loader owns (boot.rst "THE REAL-MODE KERNEL HEADER": fields marked
 * "write" or "modify").
 */
#include <string.h>
#include "kernel/linux_zeropage.h"

static void put(uint8_t *p, size_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static int add(struct e820_entry *out, int n, int max, uint64_t a, uint64_t end, uint32_t t)
{
	if (n < max && end > a)
		out[n++] = (struct e820_entry){ a, end - a, t };
	return n;
}

int zp_e820(const struct zp_layout *l, struct e820_entry *out, int max)
{
	gpa_t ba = l->boot_area, be = l->boot_area + l->boot_area_size;
	int n = 0;

	n = add(out, n, max, 0, ba, E820_RAM);
	n = add(out, n, max, ba, be, E820_RESERVED);
	n = add(out, n, max, be, LINUX_LOW_RAM_END, E820_RAM);
	n = add(out, n, max, LINUX_LOW_RAM_END, LINUX_LOW_RAM_END + KiB(1), E820_RESERVED);
	n = add(out, n, max, LINUX_BIOS_AREA, LINUX_HIGH_RAM, E820_RESERVED);
	return add(out, n, max, LINUX_HIGH_RAM, l->ram_size, E820_RAM);
}

static void put_e820(uint8_t *zp, const struct zp_layout *l)
{
	struct e820_entry e[ZP_E820_MAX];
	int i, n = zp_e820(l, e, ZP_E820_MAX);

	for (i = 0; i < n; i++) {
		size_t off = ZP_E820_TABLE + (size_t)i * ZP_E820_ENTRY_SIZE;

		put(zp, off, e[i].addr, 8);
		put(zp, off + 8, e[i].size, 8);
		put(zp, off + 16, e[i].type, 4);
	}
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
}

void zp_build(uint8_t *zp, const uint8_t *image, const struct bzimage_info *bz,
	      const struct zp_layout *l)
{
	memset(zp, 0, ZP_SIZE);
	memcpy(zp + BZ_SETUP_SECTS, image + BZ_SETUP_SECTS, bz->header_end - BZ_SETUP_SECTS);
	zp[BZ_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER;
	zp[BZ_LOADFLAGS] = (uint8_t)((zp[BZ_LOADFLAGS] | CAN_USE_HEAP) & ~KEEP_SEGMENTS);
	put(zp, BZ_HEAP_END_PTR, LINUX_HEAP_END, 2);
	put(zp, BZ_CMD_LINE_PTR, (uint32_t)l->cmdline, 4);
	put(zp, ZP_EXT_CMD_LINE_PTR, l->cmdline >> 32, 4);
	if (l->initrd_size) {
		put(zp, BZ_RAMDISK_IMAGE, (uint32_t)l->initrd, 4);
		put(zp, ZP_EXT_RAMDISK_IMAGE, l->initrd >> 32, 4);
		put(zp, BZ_RAMDISK_SIZE, (uint32_t)l->initrd_size, 4);
		put(zp, ZP_EXT_RAMDISK_SIZE, l->initrd_size >> 32, 4);
	}
	put(zp, ZP_ACPI_RSDP_ADDR, l->rsdp, 8);
	put_e820(zp, l);
}
