/*
 * Test helper for the Linux loader, shared by the unit tests and the
 * fuzz target: a synthetic bzImage written from boot.rst's header layout
 * (offsets typed in here, not taken from kernel/bzimage.h), valid until
 * a test edits a field.
 */
#ifndef TESTS_UNIT_BZIMAGE_IMAGE_H
#define TESTS_UNIT_BZIMAGE_IMAGE_H

#include <string.h>

#include "lib/types.h"

#define BZI_MAX 0x4000
#define BZI_SETUP_SECTS 4
#define BZI_KERNEL_OFF ((BZI_SETUP_SECTS + 1) * 512)
#define BZI_SIZE 0x3000
#define BZI_PREF 0x1000000ULL
#define BZI_INIT_SIZE 0x100000u

static uint8_t bzi[BZI_MAX];

static inline void bzi_put(size_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		bzi[off + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t bzi_get(const uint8_t *p, size_t off, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[off + n];
	return v;
}

/* A valid protocol 2.15 image of BZI_SIZE bytes; the kernel part is a byte pattern. */
static inline size_t bzi_make(void)
{
	size_t i;

	memset(bzi, 0, sizeof(bzi));
	for (i = BZI_KERNEL_OFF; i < BZI_SIZE; i++)
		bzi[i] = (uint8_t)(i * 7 + 3);
	bzi[0x1f1] = BZI_SETUP_SECTS;
	bzi_put(0x1fe, 0xaa55, 2);
	bzi[0x200] = 0xeb;          /* jmp short */
	bzi[0x201] = 0x6a;          /* header ends at 0x202 + 0x6a = 0x26c */
	bzi_put(0x202, 0x53726448, 4); /* "HdrS" */
	bzi_put(0x206, 0x020f, 2);
	bzi[0x211] = 0x01;          /* LOADED_HIGH */
	bzi_put(0x22c, 0x7fffffff, 4);
	bzi_put(0x230, 0x200000, 4);
	bzi[0x234] = 1;
	bzi[0x235] = 21;
	bzi_put(0x236, 0x3, 2);     /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	bzi_put(0x238, 2047, 4);
	bzi_put(0x258, BZI_PREF, 8);
	bzi_put(0x260, BZI_INIT_SIZE, 4);
	return BZI_SIZE;
}

#endif
