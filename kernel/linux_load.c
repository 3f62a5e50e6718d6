/*
 * The Linux loader (see linux_load.h): plan, then write. Planning reads
 * only the image and sizes; every region is checked against RAM and the
 * others before the first byte is written.
 */
#include <stdarg.h>
#include <string.h>

#include "arch/x86/boot_paging.h"
#include "kernel/bzimage.h"
#include "kernel/linux_load.h"
#include "kernel/linux_zeropage.h"
#include "lib/fmt.h"

#define INITRD_ALIGN 4 /* concatenated cpio archives start 4-byte aligned */

struct plan {
	const struct linux_load_args *a;
	struct bzimage_info bz;
	uint64_t ram_size;
	size_t cmdline_len;
	uint64_t initrd_size;
	struct linux_load_result r;
	char *err;
	size_t errlen;
};

PRINTF_LIKE(2, 3) static int fail(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static unsigned long long mib(uint64_t v)
{
	return DIV_ROUND_UP(v, MiB(1));
}

/*
 * The kernel at pref_address when [pref, pref + init_size) fits in RAM
 * above 1 MiB; a relocatable kernel may go lower, at its alignment above
 * 1 MiB (boot.rst "relocatable_kernel", "kernel_alignment").
 */
static int place_kernel(struct plan *p)
{
	uint64_t at = p->bz.pref_address, need = p->bz.init_size;
	uint64_t top = MIN(p->ram_size, BOOT_PAGING_MAPPED);

	/* compared without sums: pref_address is the image's, any 64-bit value */
	if (at < LINUX_HIGH_RAM || at > top || need > top - at) {
		if (!p->bz.relocatable)
			return fail(p, "kernel must be loaded at 0x%llx and needs %llu MiB from there; "
				    "guest RAM is %llu MiB", (unsigned long long)at,
				    mib(need), mib(p->ram_size));
		at = ALIGN_UP((uint64_t)LINUX_HIGH_RAM, (uint64_t)p->bz.kernel_alignment);
	}
	if (at > top || need > top - at)
		return fail(p, "kernel needs %llu MiB of RAM from 0x%llx (init_size); guest RAM is %llu MiB",
			    mib(need), (unsigned long long)at, mib(p->ram_size));
	p->r.kernel = at;
	p->r.kernel_end = at + need;
	p->r.entry = at + BZ_ENTRY64_OFFSET;
	return 0;
}

/* The initrd as high as it goes: below RAM's end and initrd_addr_max, above the kernel. */
static int place_initrd(struct plan *p)
{
	uint64_t top = MIN(p->ram_size, (uint64_t)p->bz.initrd_addr_max + 1);
	uint64_t at;

	if (!p->initrd_size)
		return 0;
	if (p->initrd_size > top || ALIGN_DOWN(top - p->initrd_size, PAGE_SIZE) < p->r.kernel_end)
		return fail(p, "initrd of %llu KiB does not fit between the kernel's end (0x%llx) "
			    "and 0x%llx", (unsigned long long)DIV_ROUND_UP(p->initrd_size, 1024),
			    (unsigned long long)p->r.kernel_end, (unsigned long long)top);
	at = ALIGN_DOWN(top - p->initrd_size, PAGE_SIZE);
	p->r.initrd = at;
	p->r.initrd_size = p->initrd_size;
	return 0;
}

static int size_inputs(struct plan *p)
{
	const struct linux_load_args *a = p->a;
	int i;

	p->cmdline_len = a->cmdline ? strlen(a->cmdline) : 0;
	if (p->cmdline_len > p->bz.cmdline_size || p->cmdline_len >= LINUX_CMDLINE_MAX)
		return fail(p, "command line of %zu bytes is longer than the kernel's %u",
			    p->cmdline_len, p->bz.cmdline_size);
	if (a->ninitrd < 0 || a->ninitrd > LINUX_INITRD_PARTS)
		return fail(p, "%d initrd files (at most %d)", a->ninitrd, LINUX_INITRD_PARTS);
	for (i = 0; i < a->ninitrd; i++)
		p->initrd_size = ALIGN_UP(p->initrd_size, INITRD_ALIGN) + a->initrd[i].size;
	if (a->acpi_size > LINUX_ACPI_MAX)
		return fail(p, "ACPI tables of %zu bytes exceed their area", a->acpi_size);
	if (p->ram_size < LINUX_HIGH_RAM)
		return fail(p, "guest RAM of %llu KiB is below 1 MiB",
			    (unsigned long long)(p->ram_size >> 10));
	return 0;
}

static int plan(struct plan *p)
{
	if (!bzimage_detect(p->a->image, p->a->size))
		return fail(p, "not a Linux bzImage (no boot_flag 0xAA55 and \"HdrS\")");
	if (bzimage_parse(p->a->image, p->a->size, &p->bz, p->err, p->errlen))
		return -EINVAL;
	p->r.version = p->bz.version;
	if (size_inputs(p) || place_kernel(p) || place_initrd(p))
		return -EINVAL;
	p->r.zero_page = LINUX_ZERO_PAGE;
	p->r.stack = LINUX_BOOT_STACK;
	return 0;
}

/* The parts of the initrd, one after another at their aligned offsets. */
static int write_initrd(const struct plan *p, const struct guest_ram *ram)
{
	uint64_t off = 0;
	int i;

	for (i = 0; i < p->a->ninitrd; i++) {
		off = ALIGN_UP(off, INITRD_ALIGN);
		if (ram->write(ram->ctx, p->r.initrd + off, p->a->initrd[i].data, p->a->initrd[i].size))
			return -EINVAL;
		off += p->a->initrd[i].size;
	}
	return 0;
}

static int write_boot_data(struct plan *p, const struct guest_ram *ram)
{
	static uint8_t zp[ZP_SIZE], paging[BOOT_PAGING_SIZE]; /* one load at a time */
	struct boot_paging bp;
	struct zp_layout l = { p->ram_size, LINUX_BOOT_AREA, BOOT_PAGING_SIZE, LINUX_CMDLINE,
			       p->r.initrd, p->r.initrd_size, p->a->acpi ? p->a->rsdp : 0 };

	boot_paging_build(paging, LINUX_BOOT_AREA, &bp);
	p->r.cr3 = bp.cr3;
	p->r.gdt_base = bp.gdt_base;
	p->r.gdt_limit = bp.gdt_limit;
	zp_build(zp, p->a->image, &p->bz, &l);
	if (ram->write(ram->ctx, LINUX_BOOT_AREA, paging, sizeof(paging)) ||
	    ram->write(ram->ctx, LINUX_ZERO_PAGE, zp, sizeof(zp)) ||
	    ram->write(ram->ctx, LINUX_CMDLINE, p->a->cmdline ? p->a->cmdline : "",
		       p->cmdline_len + 1))
		return -EINVAL;
	if (p->a->acpi && ram->write(ram->ctx, LINUX_ACPI_BASE, p->a->acpi, p->a->acpi_size))
		return -EINVAL;
	return 0;
}

int linux_load(const struct linux_load_args *a, const struct guest_ram *ram,
	       struct linux_load_result *out, char *err, size_t errlen)
{
	struct plan p = { .a = a, .ram_size = ram->size, .err = err, .errlen = errlen };
	const uint8_t *img = a->image;

	if (plan(&p))
		return -EINVAL;
	if (ram->write(ram->ctx, p.r.kernel, img + p.bz.kernel_off, p.bz.kernel_size) ||
	    write_initrd(&p, ram) || write_boot_data(&p, ram))
		return fail(&p, "a write outside guest RAM (a loader bug)");
	*out = p.r;
	return 0;
}
