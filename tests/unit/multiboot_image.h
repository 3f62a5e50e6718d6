/*
 * Test helpers for kernel/multiboot.c, shared by the unit test and the
 * fuzz target: a fake guest RAM that counts out-of-range writes, and
 * builders for ELF32 and a.out-kludge images, written from the ELF and
 * Multiboot 0.6.96 layouts independently of the loader.
 */
#ifndef TESTS_UNIT_MULTIBOOT_IMAGE_H
#define TESTS_UNIT_MULTIBOOT_IMAGE_H

#include <stdlib.h>
#include <string.h>

#include "kernel/guest_ram.h"
#include "lib/types.h"

#define IMG_MAX 0x8000
#define FILL 0xaa
#define MB_MAGIC 0x1badb002u
#define AOUT_KLUDGE 0x10000u
#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1
#define PF_RX 5

/* ---------------------------------------------------------- fake RAM */

struct fake_ram {
	uint8_t *buf;
	uint64_t backed; /* bytes behind buf; the RAM may claim more */
	int writes;
	int rejected;
	uint64_t lowest;
	uint64_t bad_at; /* a write covering this address fails (UINT64_MAX: none) */
};

static struct fake_ram fr;
static struct guest_ram gram;
static uint8_t img[IMG_MAX];

static inline int fake_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	struct fake_ram *r = ctx;

	if (gpa > r->backed || n > r->backed - gpa ||
	    (gpa <= r->bad_at && r->bad_at - gpa < n)) {
		r->rejected++;
		return -EINVAL;
	}
	memcpy(r->buf + gpa, src, n);
	r->writes++;
	r->lowest = MIN(r->lowest, gpa);
	return 0;
}

static inline int fake_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	struct fake_ram *r = ctx;

	if (gpa > r->backed || n > r->backed - gpa)
		return -EINVAL;
	memcpy(dst, r->buf + gpa, n);
	return 0;
}

static inline void ram_reset(uint64_t size, uint64_t backed)
{
	free(fr.buf);
	fr.buf = malloc(backed);
	memset(fr.buf, FILL, backed);
	fr.backed = backed;
	fr.writes = 0;
	fr.rejected = 0;
	fr.lowest = UINT64_MAX;
	fr.bad_at = UINT64_MAX;
	gram.write = fake_write;
	gram.read = fake_read;
	gram.ctx = &fr;
	gram.size = size;
}

static inline bool in_ram(uint64_t a, uint64_t n)
{
	return a <= fr.backed && n <= fr.backed - a;
}

static inline uint32_t rd32(uint64_t a)
{
	const uint8_t *p = fr.buf + a;

	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(uint64_t a)
{
	return rd32(a) | (uint64_t)rd32(a + 4) << 32;
}

static inline bool all_bytes(uint64_t a, uint64_t n, uint8_t v)
{
	for (; n; n--, a++)
		if (fr.buf[a] != v)
			return false;
	return true;
}

/* ---------------------------------------------------------- images */

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

struct seg {
	uint32_t type, off, vaddr, paddr, filesz, memsz, flags;
};

struct elf_spec {
	uint8_t mag0, cls, data, version;
	uint16_t type, machine, phentsize, phnum;
	uint32_t entry, phoff;
	struct seg seg[4];
	size_t hdr_off, size;
	uint32_t mb_flags, checksum_delta;
};

/* A file offset's byte, so copies can be checked against the file. */
static inline void img_fill(size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		img[i] = (uint8_t)(i * 31 + 7 + (i >> 8));
}

static inline void img_header(size_t off, uint32_t flags, uint32_t delta)
{
	wr32(img + off, MB_MAGIC);
	wr32(img + off + 4, flags);
	wr32(img + off + 8, -(MB_MAGIC + flags) + delta);
}

/* One text segment at 1 MiB with BSS, header inside the text. */
static inline void elf_default(struct elf_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->mag0 = 0x7f;
	s->cls = 1;
	s->data = 1;
	s->version = 1;
	s->type = 2;
	s->machine = 3;
	s->phentsize = 32;
	s->phnum = 1;
	s->phoff = 52;
	s->entry = 0x100010;
	s->seg[0] = (struct seg){ PT_LOAD, 0x1000, 0x100000, 0x100000,
				  0x1800, 0x3000, PF_RX };
	s->hdr_off = 0x1000;
	s->size = 0x2800;
	s->mb_flags = 0x3;
}

static inline size_t elf_build(const struct elf_spec *s)
{
	int i;

	img_fill(s->size);
	memcpy(img, "\177ELF", 4);
	img[0] = s->mag0;
	img[4] = s->cls;
	img[5] = s->data;
	img[6] = s->version;
	wr16(img + 16, s->type);
	wr16(img + 18, s->machine);
	wr32(img + 20, 1);
	wr32(img + 24, s->entry);
	wr32(img + 28, s->phoff);
	wr16(img + 40, 52);
	wr16(img + 42, s->phentsize);
	wr16(img + 44, s->phnum);
	for (i = 0; i < s->phnum && i < 4 &&
		    (uint64_t)s->phoff + 32 * (i + 1) <= IMG_MAX; i++) {
		uint8_t *ph = img + s->phoff + 32 * i;

		wr32(ph, s->seg[i].type);
		wr32(ph + 4, s->seg[i].off);
		wr32(ph + 8, s->seg[i].vaddr);
		wr32(ph + 12, s->seg[i].paddr);
		wr32(ph + 16, s->seg[i].filesz);
		wr32(ph + 20, s->seg[i].memsz);
		wr32(ph + 24, s->seg[i].flags);
	}
	if (s->hdr_off + 12 <= IMG_MAX)
		img_header(s->hdr_off, s->mb_flags, s->checksum_delta);
	return s->size;
}

struct aout_spec {
	size_t hdr_off, size;
	uint32_t flags, header_addr, load_addr, load_end, bss_end, entry;
};

/* A raw binary whose first byte loads at 1 MiB, header at 0x40. */
static inline void aout_default(struct aout_spec *s)
{
	s->hdr_off = 0x40;
	s->size = 0x1234;
	s->flags = AOUT_KLUDGE | 0x3;
	s->load_addr = 0x100000;
	s->header_addr = 0x100040;
	s->load_end = 0;
	s->bss_end = 0x104000;
	s->entry = 0x100080;
}

static inline size_t aout_build(const struct aout_spec *s)
{
	img_fill(s->size);
	img_header(s->hdr_off, s->flags, 0);
	wr32(img + s->hdr_off + 12, s->header_addr);
	wr32(img + s->hdr_off + 16, s->load_addr);
	wr32(img + s->hdr_off + 20, s->load_end);
	wr32(img + s->hdr_off + 24, s->bss_end);
	wr32(img + s->hdr_off + 28, s->entry);
	return s->size;
}

#endif
