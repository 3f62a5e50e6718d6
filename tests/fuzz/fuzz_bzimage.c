/*
 * libFuzzer target: the bzImage header parser and the Linux loader on
 * arbitrary images and RAM sizes.
 *
 * The first byte picks how the input becomes an image: raw bytes, or the
 * valid synthetic image (tests/unit/bzimage_image.h) with header fields
 * overwritten by the input. RAM sizes, initrd part sizes and the command
 * line length come from the input too. Besides the sanitizers' checks it
 * asserts that every write lies inside the fake RAM and that no two
 * writes overlap, that a refused image wrote nothing and left a message,
 * and that an accepted one is where the protocol says: entry at the load
 * address + 0x200, kernel and initrd inside RAM and apart, the initrd
 * below initrd_addr_max, the zero page's e820 table sorted and inside RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bzimage.h"
#include "kernel/linux_load.h"
#include "kernel/linux_zeropage.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/bzimage_image.h"

#define MAX_WRITES 32
#define LOW_BACKED 0x20000 /* the zero page and command line are read back from here */

struct input {
	const uint8_t *p;
	size_t n;
};

static struct { uint64_t a, n; } writes[MAX_WRITES];
static int nwrites;
static uint8_t low[LOW_BACKED];
static uint8_t part_buf[0x1000];

static uint8_t take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t take(struct input *in, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)take8(in) << (8 * i);
	return v;
}

/* Records each write's range; copies what lands in the low area. */
static int fake_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	const struct guest_ram *ram = ctx;
	int i;

	CHECK(gpa <= ram->size && n <= ram->size - gpa);
	for (i = 0; i < nwrites; i++)
		CHECK(gpa + n <= writes[i].a || writes[i].a + writes[i].n <= gpa);
	CHECK(nwrites < MAX_WRITES);
	writes[nwrites].a = gpa;
	writes[nwrites++].n = n;
	if (gpa < LOW_BACKED)
		memcpy(low + gpa, src, MIN(n, LOW_BACKED - gpa));
	return 0;
}

static int fake_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	return -EINVAL;
}

/* Header fields overwritten from the input: offset and width pairs. */
static void mutate_header(struct input *in)
{
	static const struct { uint16_t off; uint8_t w; } f[] = {
		{ 0x1f1, 1 }, { 0x201, 1 }, { 0x206, 2 }, { 0x211, 1 }, { 0x22c, 4 },
		{ 0x230, 4 }, { 0x234, 1 }, { 0x236, 2 }, { 0x238, 4 }, { 0x258, 8 },
		{ 0x260, 4 },
	};
	int k = take8(in) % 6;

	while (k--) {
		int i = take8(in) % (int)(sizeof(f) / sizeof(f[0]));

		bzi_put(f[i].off, take(in, f[i].w), f[i].w);
	}
}

static size_t make_image(struct input *in, uint8_t mode)
{
	size_t n;

	if (mode & 1) {
		n = MIN(in->n, (size_t)BZI_MAX);
		memcpy(bzi, in->p, n);
		in->p += n;
		in->n -= n;
		return n;
	}
	n = bzi_make();
	mutate_header(in);
	return MIN(n, (size_t)(take(in, 2) % (BZI_MAX + 1)) | (mode & 2 ? 0 : n));
}

static void check_loaded(const struct linux_load_result *r, const struct guest_ram *ram,
			 const struct bzimage_info *bz)
{
	int i, ne = low[LINUX_ZERO_PAGE + ZP_E820_ENTRIES];
	uint64_t prev_end = 0;

	CHECK(r->entry == r->kernel + BZ_ENTRY64_OFFSET);
	CHECK(r->kernel >= LINUX_HIGH_RAM && r->kernel_end <= ram->size);
	CHECK(r->kernel_end - r->kernel == bz->init_size);
	if (r->initrd_size) {
		CHECK(r->initrd >= r->kernel_end && r->initrd + r->initrd_size <= ram->size);
		CHECK(r->initrd + r->initrd_size - 1 <= bz->initrd_addr_max);
	}
	CHECK(ne > 0 && ne <= ZP_E820_MAX);
	for (i = 0; i < ne; i++) {
		const uint8_t *e = low + LINUX_ZERO_PAGE + ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
		uint64_t a = bzi_get(e, 0, 8), len = bzi_get(e, 8, 8);

		CHECK(len && a >= prev_end && a + len <= ram->size);
		prev_end = a + len;
	}
	CHECK(low[LINUX_ZERO_PAGE + ZP_SENTINEL] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cmdline[3000];
	struct input in = { data, size };
	struct linux_initrd_part parts[3];
	struct guest_ram ram = { fake_write, fake_read, NULL, 0 };
	struct linux_load_args a = { 0 };
	struct linux_load_result r;
	struct bzimage_info bz;
	uint8_t mode = take8(&in);
	size_t clen = take(&in, 2) % sizeof(cmdline);
	char err[96] = "";
	int i, np = (mode >> 2) % 4;

	ram.ctx = &ram;
	ram.size = take8(&in) & 1 ? (take(&in, 4) % GiB(8)) : MiB(1 + take(&in, 2) % 4096);
	for (i = 0; i < np; i++)
		parts[i] = (struct linux_initrd_part){ part_buf, take(&in, 4) % MiB(512) };
	memset(cmdline, 'c', clen);
	cmdline[clen] = '\0';
	a = (struct linux_load_args){ bzi, 0, mode & 0x10 ? NULL : cmdline, parts, np, NULL, 0, 0 };
	a.size = make_image(&in, mode);
	nwrites = 0;
	memset(low, 0, sizeof(low));
	if (linux_load(&a, &ram, &r, err, sizeof(err))) {
		CHECK(nwrites == 0 && err[0]);
		return 0;
	}
	CHECK(bzimage_parse(bzi, a.size, &bz, NULL, 0) == 0);
	check_loaded(&r, &ram, &bz);
	return 0;
}
