/*
 * Internal to the multiboot loader: the plan of one load, which
 * kernel/multiboot_image.c draws up from the kernel image and
 * kernel/multiboot.c completes with the modules and boot information and
 * writes to guest RAM. Others use multiboot.h. Section numbers are the
 * Multiboot Specification 0.6.96's.
 */
#ifndef KERNEL_MULTIBOOT_IMAGE_H
#define KERNEL_MULTIBOOT_IMAGE_H

#include "lib/types.h"

/* Header flag bit 16 (spec 3.1.2): load by the header's address fields, not as ELF. */
#define MULTIBOOT_AOUT_KLUDGE 0x00010000

/* More PT_LOADs than any real kernel has; bounds the overlap check. */
#define MB_MAX_SEGMENTS 16
#define MB_AOUT_SEGMENT (-1)

struct mb_seg {
	int index; /* program header number, or MB_AOUT_SEGMENT */
	uint64_t addr;
	uint64_t off; /* in the image */
	uint64_t filesz;
	uint64_t memsz;
};

struct mb_plan {
	const uint8_t *img;
	size_t size;
	size_t hdr_off;
	uint32_t hdr_flags;
	uint64_t ram_size;
	uint64_t limit; /* every byte placed lies below this */
	struct mb_seg seg[MB_MAX_SEGMENTS];
	int nseg;
	uint64_t entry;
	uint64_t load_start;
	uint64_t load_end;
	char *err;
	size_t errlen;
};

/* Put a printf-style message in p->err (when given); returns -EINVAL. */
PRINTF_LIKE(2, 3) int mb_plan_fail(struct mb_plan *p, const char *fmt, ...);

/* A 64-bit value as %llx wants it. */
static inline unsigned long long ull(uint64_t v)
{
	return v;
}

/*
 * Find and check the multiboot header, then plan the kernel's segments
 * (a.out kludge or ELF32) below p->limit, its entry point and load bounds.
 * Needs img, size, ram_size, limit and err/errlen set. Returns 0 or
 * -EINVAL with the reason in err. Reads only the image.
 */
int mb_plan_image(struct mb_plan *p);

#endif
