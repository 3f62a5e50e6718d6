/*
 * bzImage setup header parser (see bzimage.h). Every field comes from
 * outside: each is checked before it is used for arithmetic, and sizes
 * are compared in 64 bits so no sum wraps.
 */
#include "kernel/bzimage.h"

#include <stdarg.h>
#include <string.h>

#include "lib/fmt.h"

static uint64_t get(const uint8_t *p, size_t off, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[off + n];
	return v;
}

PRINTF_LIKE(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

bool bzimage_detect(const void *img, size_t size)
{
	const uint8_t *p = img;

	return size >= BZ_VERSION && get(p, BZ_BOOT_FLAG, 2) == BZ_BOOT_FLAG_MAGIC &&
	       get(p, BZ_HEADER, 4) == BZ_HEADER_MAGIC;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The fields a 64-bit load needs (boot.rst: 2.10 for pref_address and init_size). */
static int check_fields(const struct bzimage_info *b, char *err, size_t errlen)
{
	if (b->version < BZ_MIN_VERSION)
		return fail(err, errlen, "boot protocol %u.%02u is too old (need 2.10 or later)",
			    b->version >> 8, b->version & 0xff);
	if (!(b->loadflags & LOADED_HIGH))
		return fail(err, errlen, "kernel is not loaded high (zImage: LOADED_HIGH clear)");
	if (!(b->xloadflags & XLF_KERNEL_64))
		return fail(err, errlen, "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
	if (!is_pow2(b->kernel_alignment))
		return fail(err, errlen, "kernel_alignment 0x%x is not a power of two",
			    b->kernel_alignment);
	if (b->pref_address & (PAGE_SIZE - 1))
		return fail(err, errlen, "pref_address 0x%llx is not page aligned",
			    (unsigned long long)b->pref_address);
	if (b->init_size < b->kernel_size)
		return fail(err, errlen, "init_size 0x%x is smaller than the kernel (0x%zx bytes)",
			    b->init_size, b->kernel_size);
	if (!b->cmdline_size)
		return fail(err, errlen, "cmdline_size is 0");
	return 0;
}

/* Where the setup ends and the protected-mode kernel starts (boot.rst "LOADING THE REST"). */
static int locate_kernel(const uint8_t *p, size_t size, struct bzimage_info *b, char *err,
			 size_t errlen)
{
	size_t sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : BZ_DEFAULT_SETUP_SECTS;

	b->kernel_off = (sects + 1) * BZ_SECTOR;
	if (b->kernel_off >= size)
		return fail(err, errlen, "image of %zu bytes ends inside its %zu setup sectors", size,
			    sects);
	b->kernel_size = size - b->kernel_off;
	/* at most 0x202 + 0xff = 0x301: always inside a setup of two or more sectors */
	b->header_end = BZ_HEADER + p[BZ_JUMP + 1];
	if (b->header_end < BZ_HEADER_END_MIN)
		return fail(err, errlen, "setup header ends at 0x%zx (jump byte 0x%02x)",
			    b->header_end, p[BZ_JUMP + 1]);
	return 0;
}

int bzimage_parse(const void *img, size_t size, struct bzimage_info *out, char *err,
		  size_t errlen)
{
	const uint8_t *p = img;
	struct bzimage_info b;

	if (size < BZ_HEADER_END_MIN)
		return fail(err, errlen, "image of %zu bytes is too short for a setup header", size);
	if (get(p, BZ_BOOT_FLAG, 2) != BZ_BOOT_FLAG_MAGIC)
		return fail(err, errlen, "no boot_flag 0xAA55 at 0x1fe");
	if (get(p, BZ_HEADER, 4) != BZ_HEADER_MAGIC)
		return fail(err, errlen, "no \"HdrS\" setup header magic at 0x202");
	memset(&b, 0, sizeof(b));
	if (locate_kernel(p, size, &b, err, errlen))
		return -EINVAL;
	b.version = (uint16_t)get(p, BZ_VERSION, 2);
	b.loadflags = p[BZ_LOADFLAGS];
	b.xloadflags = (uint16_t)get(p, BZ_XLOADFLAGS, 2);
	b.relocatable = p[BZ_RELOCATABLE_KERNEL] != 0;
	b.kernel_alignment = (uint32_t)get(p, BZ_KERNEL_ALIGNMENT, 4);
	b.pref_address = get(p, BZ_PREF_ADDRESS, 8);
	b.init_size = (uint32_t)get(p, BZ_INIT_SIZE, 4);
	b.cmdline_size = (uint32_t)get(p, BZ_CMDLINE_SIZE, 4);
	b.initrd_addr_max = (uint32_t)get(p, BZ_INITRD_ADDR_MAX, 4);
	if (check_fields(&b, err, errlen))
		return -EINVAL;
	*out = b;
	return 0;
}
