/*
 * libFuzzer target: multiboot_load on arbitrary images.
 *
 * The first byte picks how the input becomes an image: raw bytes, raw
 * bytes with a valid header planted, or an ELF32 / a.out-kludge image
 * whose fields come from the input, biased towards the edges the loader
 * polices (1 MiB, the end of RAM, 4 GiB). Besides the sanitizers' checks
 * it asserts that no write lands outside the fake RAM or in the PC hole
 * (0x9fc00 to 1 MiB), that the boot information stays above 1 MiB, that
 * a rejected image wrote nothing, and that an accepted one left boot
 * information a kernel can walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/multiboot.h"
#include "tests/unit/multiboot_image.h"
#include "tests/fuzz/fuzz_check.h"

#define RAM_BACKED MiB(4)
#define MOD_BYTES 0x4000

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t ram_buf[RAM_BACKED];
static uint8_t mod_buf[MOD_BYTES];

static uint8_t take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t take32(struct input *in)
{
	uint32_t v = take8(in);

	v |= (uint32_t)take8(in) << 8;
	v |= (uint32_t)take8(in) << 16;
	return v | (uint32_t)take8(in) << 24;
}

/* An address near one of the edges, or anywhere. */
static uint32_t pick_addr(struct input *in)
{
	uint32_t r = take32(in);

	switch (take8(in) % 6) {
	case 0:
		return r;
	case 1:
		return 0xf0000 + (r & 0x1ffff);
	case 2:
		return (uint32_t)(gram.size - (r & 0xffff));
	case 3:
		return 0xfffff000 + (r & 0xfff);
	case 4:
		return 0x9e000 + (r & 0x3fff); /* around the end of low memory */
	default:
		return 0x100000 + (r & 0x3fffff);
	}
}

static uint32_t pick_size(struct input *in)
{
	uint32_t r = take32(in);

	switch (take8(in) % 4) {
	case 0:
		return r;
	case 1:
		return r & 0xfffff;
	default:
		return r & 0x3fff;
	}
}

/* Every write the loader makes: never into the PC hole (0x9fc00 to 1 MiB). */
static int hole_checked_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	CHECK(gpa >= 0x100000 || gpa + n <= MULTIBOOT_LOW_MEM_END);
	return fake_write(ctx, gpa, src, n);
}

static void fuzz_ram_reset(struct input *in)
{
	static const uint64_t sizes[] = { 0x110000, 0x180000, MiB(2), MiB(4),
					  GiB(8) };

	fr.buf = ram_buf;
	fr.backed = RAM_BACKED;
	fr.writes = 0;
	fr.rejected = 0;
	fr.lowest = UINT64_MAX;
	fr.bad_at = UINT64_MAX; /* no address fails */
	gram.write = hole_checked_write;
	gram.read = fake_read;
	gram.ctx = &fr;
	gram.size = sizes[take8(in) % ARRAY_SIZE(sizes)];
	if (gram.size < fr.backed)
		fr.backed = gram.size;
}

static size_t image_raw(struct input *in, bool plant)
{
	size_t size = MIN(in->n, (size_t)IMG_MAX), off;
	uint32_t flags;

	memcpy(img, in->p, size);
	in->p += size;
	in->n = 0;
	if (!plant || size < 12)
		return size;
	off = ((size_t)img[0] << 2 | (size_t)img[1] << 10) % (MIN(size, 8192) - 8);
	off &= ~(size_t)3;
	flags = (img[2] & 1 ? 0x10000 : 0) | (img[3] & 0x7);
	img_header(off, flags, 0);
	return size;
}

static size_t image_elf(struct input *in)
{
	struct elf_spec s;
	uint8_t knobs = take8(in);
	int i;

	elf_default(&s);
	s.phnum = take8(in) % 6;
	for (i = 0; i < 4; i++) {
		s.seg[i].type = take8(in) % 4 ? PT_LOAD : PT_NOTE;
		s.seg[i].off = pick_size(in);
		s.seg[i].paddr = pick_addr(in);
		s.seg[i].vaddr = knobs & 1 ? s.seg[i].paddr : pick_addr(in);
		s.seg[i].filesz = pick_size(in);
		s.seg[i].memsz = s.seg[i].filesz + (knobs & 2 ? pick_size(in) : 0);
		s.seg[i].flags = take8(in);
	}
	s.entry = knobs & 4 ? s.seg[0].vaddr + (take8(in) & 0x3f) : pick_addr(in);
	if (knobs & 8)
		s.phoff = pick_size(in);
	if (knobs & 16)
		s.mb_flags = take32(in);
	if (knobs & 32)
		s.cls = take8(in) % 3;
	s.size = 0x1000 + take32(in) % (IMG_MAX - 0x1000);
	s.hdr_off = (take32(in) % 8192) & ~(size_t)3;
	return elf_build(&s);
}

static size_t image_aout(struct input *in)
{
	struct aout_spec s;
	uint8_t knobs = take8(in);

	aout_default(&s);
	s.size = 0x100 + take32(in) % (IMG_MAX - 0x100);
	s.hdr_off = (take32(in) % MIN(s.size - 32, (size_t)8160)) & ~(size_t)3;
	s.load_addr = pick_addr(in);
	s.header_addr = knobs & 1 ? pick_addr(in) : s.load_addr + (uint32_t)s.hdr_off;
	s.load_end = knobs & 2 ? s.load_addr + pick_size(in) : 0;
	s.bss_end = knobs & 4 ? s.load_addr + pick_size(in) : 0;
	s.entry = knobs & 8 ? pick_addr(in) : s.load_addr + (take8(in) & 0xff);
	if (knobs & 16)
		s.flags = take32(in) | AOUT_KLUDGE;
	return aout_build(&s);
}

static uint32_t rd32_checked(uint64_t a)
{
	CHECK(in_ram(a, 4));
	return rd32(a);
}

static void check_str(uint64_t a, const char *want)
{
	CHECK(in_ram(a, strlen(want) + 1));
	CHECK(strcmp((const char *)fr.buf + a, want) == 0);
}

/* Walk the boot information the way a kernel would. */
static void check_info(const struct multiboot_result *r, const char *cmdline,
		       const struct multiboot_module *mods, int nmods)
{
	uint64_t mbi = r->mbi, p, mm, next = ALIGN_UP((uint64_t)r->load_end, PAGE_SIZE);
	int i;

	/* a kernel may load low; its modules and the information go above 1 MiB */
	if (next < 0x100000)
		next = 0x100000;
	CHECK(mbi >= 0x100000);
	CHECK(r->load_start < r->load_end);
	CHECK(r->entry >= r->load_start && r->entry < r->load_end);
	CHECK(r->used_end <= gram.size && r->used_end > mbi);
	CHECK(rd32_checked(mbi) == 0x24d);
	CHECK(rd32_checked(mbi + 4) == 639);
	CHECK(rd32_checked(mbi + 8) == (gram.size - 0x100000) / 1024);
	check_str(rd32_checked(mbi + 16), cmdline);
	check_str(rd32_checked(mbi + 64), "hv");
	CHECK(rd32_checked(mbi + 20) == (uint32_t)nmods);
	for (i = 0; i < nmods; i++) {
		p = rd32_checked(mbi + 24) + 16 * i;
		CHECK(rd32_checked(p) == next);
		CHECK(rd32_checked(p + 4) - rd32(p) == mods[i].size);
		CHECK(in_ram(next, mods[i].size));
		CHECK(memcmp(fr.buf + next, mods[i].data, mods[i].size) == 0);
		check_str(rd32_checked(p + 8), mods[i].cmdline);
		next = ALIGN_UP(next + mods[i].size, PAGE_SIZE);
	}
	CHECK(next == mbi);
	mm = rd32_checked(mbi + 48);
	CHECK(rd32_checked(mbi + 44) == 96);
	for (p = mm; p < mm + 96; p += rd32_checked(p) + 4)
		CHECK(rd32_checked(p) == 20 && in_ram(p, 24));
	CHECK(rd64(mm + 72 + 4) == 0x100000);
	CHECK(rd64(mm + 72 + 12) == gram.size - 0x100000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "", "a", "module two" };
	struct input in = { data, size };
	struct multiboot_module mods[3];
	struct multiboot_result r;
	uint8_t mode = take8(&in);
	int nmods = (mode >> 2) % 4, i, rc;
	size_t n;
	char err[96];

	fuzz_ram_reset(&in);
	for (i = 0; i < nmods; i++) {
		uint32_t len = take32(&in);

		mods[i].data = mod_buf;
		mods[i].size = len & 0x80000000u ? GiB(4) + len : len % MOD_BYTES;
		mods[i].cmdline = names[i % 3];
	}
	if (mode & 0x40)
		memset(mod_buf, mode, sizeof(mod_buf));
	switch (mode & 3) {
	case 0:
		n = image_raw(&in, false);
		break;
	case 1:
		n = image_raw(&in, true);
		break;
	case 2:
		n = image_elf(&in);
		break;
	default:
		n = image_aout(&in);
		break;
	}
	memset(err, 'x', sizeof(err));
	rc = multiboot_load(img, n, "fuzz", mods, nmods, &gram, &r, err,
			    sizeof(err));
	if (rc == 0) {
		CHECK(fr.rejected == 0);
		check_info(&r, "fuzz", mods, nmods);
		return 0;
	}
	CHECK(rc == -EINVAL);
	CHECK(memchr(err, '\0', sizeof(err)) && err[0] != '\0');
	/* Only a RAM larger than its backing can fail after validation. */
	if (gram.size <= fr.backed)
		CHECK(fr.writes == 0 && fr.rejected == 0);
	return 0;
}
