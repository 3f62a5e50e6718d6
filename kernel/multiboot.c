/*
 * Multiboot 1 loader (Multiboot Specification 0.6.96). The kernel goes
 * where its header's a.out fields or its ELF program headers (p_paddr)
 * say, as with QEMU's -kernel; the modules follow it page-aligned, and the
 * boot information follows them on its own page. A kernel may load into
 * the low 639 KiB (kvm-unit-tests' realmode test does), but the modules
 * and the info structure always go above 1 MiB: unlike QEMU, which keeps
 * the info at 0x9000, the loader never takes low memory for itself, so
 * the memory map can hand the guest its whole low 639 KiB.
 *
 * Everything is validated and placed on paper first (struct mb_plan, drawn
 * up from the image by multiboot_image.c, and struct mb_layout here); guest
 * RAM is written only once the whole load is known to fit, so a rejected
 * image leaves RAM untouched. Address arithmetic is 64-bit on values that
 * are 32-bit fields or were first checked against the limit, min(RAM size,
 * 4 GiB - 1), so no sum can wrap.
 */
#include "kernel/multiboot.h"

#include <string.h>

#include "kernel/multiboot_image.h"

/* Boot information flags (spec 3.3). */
#define MULTIBOOT_INFO_MEMORY 0x00000001
#define MULTIBOOT_INFO_CMDLINE 0x00000004
#define MULTIBOOT_INFO_MODS 0x00000008
#define MULTIBOOT_INFO_MEM_MAP 0x00000040
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200

/* Boot information fields, byte offsets (spec 3.3). */
enum { MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_CMDLINE = 16,
	MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44,
	MBI_MMAP_ADDR = 48, MBI_BOOT_LOADER_NAME = 64 };
/* Through the framebuffer fields of 0.6.96, all left zero (flag unset). */
#define MBI_SIZE 116
#define MBI_AREA 128 /* keeps the module array 16-byte aligned */

/* Module structure (spec 3.3, mods_addr): start, end, string, reserved. */
enum { MB_MOD_START = 0, MB_MOD_END = 4, MB_MOD_STRING = 8, MB_MOD_SIZE = 16 };

/*
 * Memory map entry (spec 3.3, mmap_addr): size, base_addr, length, type.
 * mmap_addr points at the size field, which counts the bytes after it.
 */
enum { MB_MMAP_SIZE = 0, MB_MMAP_BASE = 4, MB_MMAP_LENGTH = 12,
	MB_MMAP_TYPE = 20, MB_MMAP_ENTRY = 24 };
#define MB_MMAP_COUNT 4
#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED 2
#define MB_VGA_START 0xa0000  /* end of the EBDA, start of the VGA hole */
#define MB_BIOS_START 0xf0000 /* system BIOS ROM up to 1 MiB */

struct mb_layout {
	uint64_t mod[MULTIBOOT_MAX_MODULES];
	uint64_t mod_str[MULTIBOOT_MAX_MODULES];
	uint64_t info;
	uint64_t mods;
	uint64_t mmap;
	uint64_t cmdline;
	uint64_t loader;
	uint64_t end;
};

static void put32(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Append a string's bytes (with NUL) at *at, staying below the limit. */
static int mb_layout_string(struct mb_plan *p, const char *s, uint64_t *at)
{
	size_t len = strlen(s) + 1;

	if (len > p->limit || *at + len > p->limit)
		return mb_plan_fail(p, "not enough guest RAM for the boot information (limit 0x%llx)",
				 ull(p->limit));
	*at += len;
	return 0;
}

static int mb_layout(struct mb_plan *p, const char *cmdline,
		     const struct multiboot_module *mods, int nmods,
		     struct mb_layout *l)
{
	uint64_t at = ALIGN_UP(p->load_end, PAGE_SIZE);
	int i, rc;

	if (at < MULTIBOOT_HIGH_MEM_START)
		at = MULTIBOOT_HIGH_MEM_START; /* a kernel in low memory */

	for (i = 0; i < nmods; i++) {
		if (mods[i].size > p->limit || at + mods[i].size > p->limit)
			return mb_plan_fail(p, "not enough guest RAM for module %d (0x%zx bytes at 0x%llx, limit 0x%llx)",
					 i, mods[i].size, ull(at), ull(p->limit));
		l->mod[i] = at;
		at = ALIGN_UP(at + mods[i].size, PAGE_SIZE);
	}
	l->info = at;
	l->mods = l->info + MBI_AREA;
	l->mmap = l->mods + (uint64_t)nmods * MB_MOD_SIZE;
	l->cmdline = l->mmap + MB_MMAP_COUNT * MB_MMAP_ENTRY;
	at = l->cmdline;
	rc = mb_layout_string(p, cmdline, &at);
	for (i = 0; i < nmods && !rc; i++) {
		l->mod_str[i] = at;
		rc = mb_layout_string(p, mods[i].cmdline ? mods[i].cmdline : "",
				      &at);
	}
	l->loader = at;
	if (!rc)
		rc = mb_layout_string(p, MULTIBOOT_LOADER_NAME, &at);
	l->end = at;
	return rc;
}

static int mb_write(struct mb_plan *p, const struct guest_ram *ram, uint64_t gpa,
		    const void *src, uint64_t n)
{
	if (n && ram->write(ram->ctx, gpa, src, n))
		return mb_plan_fail(p, "writing 0x%llx bytes to guest RAM at 0x%llx failed",
				 ull(n), ull(gpa));
	return 0;
}

static int mb_zero(struct mb_plan *p, const struct guest_ram *ram, uint64_t gpa,
		   uint64_t n)
{
	static const uint8_t zeros[512];
	int rc = 0;

	while (n && !rc) {
		uint64_t chunk = MIN(n, (uint64_t)sizeof(zeros));

		rc = mb_write(p, ram, gpa, zeros, chunk);
		gpa += chunk;
		n -= chunk;
	}
	return rc;
}

static int mb_write_segments(struct mb_plan *p, const struct guest_ram *ram)
{
	int i, rc = 0;

	for (i = 0; i < p->nseg && !rc; i++) {
		const struct mb_seg *s = &p->seg[i];

		rc = mb_write(p, ram, s->addr, p->img + s->off, s->filesz);
		if (!rc)
			rc = mb_zero(p, ram, s->addr + s->filesz,
				     s->memsz - s->filesz);
	}
	return rc;
}

static int mb_write_modules(struct mb_plan *p, const struct guest_ram *ram,
			    const struct multiboot_module *mods, int nmods,
			    const struct mb_layout *l)
{
	uint8_t ent[MB_MOD_SIZE];
	int i, rc = 0;

	for (i = 0; i < nmods && !rc; i++) {
		const char *str = mods[i].cmdline ? mods[i].cmdline : "";

		memset(ent, 0, sizeof(ent));
		put32(ent + MB_MOD_START, l->mod[i]);
		put32(ent + MB_MOD_END, l->mod[i] + mods[i].size);
		put32(ent + MB_MOD_STRING, l->mod_str[i]);
		rc = mb_write(p, ram, l->mod[i], mods[i].data, mods[i].size);
		if (!rc)
			rc = mb_write(p, ram, l->mods + (uint64_t)i * MB_MOD_SIZE,
				      ent, sizeof(ent));
		if (!rc)
			rc = mb_write(p, ram, l->mod_str[i], str, strlen(str) + 1);
	}
	return rc;
}

static void mb_put_mmap(uint8_t *e, uint64_t base, uint64_t end, uint32_t type)
{
	put32(e + MB_MMAP_SIZE, MB_MMAP_ENTRY - 4);
	put32(e + MB_MMAP_BASE, base);
	put32(e + MB_MMAP_BASE + 4, base >> 32);
	put32(e + MB_MMAP_LENGTH, end - base);
	put32(e + MB_MMAP_LENGTH + 4, (end - base) >> 32);
	put32(e + MB_MMAP_TYPE, type);
}

/* The PC map QEMU's BIOS reports: 639 KiB, VGA/ROM hole, RAM from 1 MiB. */
static int mb_write_mmap(struct mb_plan *p, const struct guest_ram *ram,
			 const struct mb_layout *l)
{
	uint8_t map[MB_MMAP_COUNT * MB_MMAP_ENTRY];

	mb_put_mmap(map, 0, MULTIBOOT_LOW_MEM_END, MULTIBOOT_MEMORY_AVAILABLE);
	mb_put_mmap(map + MB_MMAP_ENTRY, MULTIBOOT_LOW_MEM_END, MB_VGA_START,
		    MULTIBOOT_MEMORY_RESERVED);
	mb_put_mmap(map + 2 * MB_MMAP_ENTRY, MB_BIOS_START,
		    MULTIBOOT_HIGH_MEM_START, MULTIBOOT_MEMORY_RESERVED);
	mb_put_mmap(map + 3 * MB_MMAP_ENTRY, MULTIBOOT_HIGH_MEM_START, ram->size,
		    MULTIBOOT_MEMORY_AVAILABLE);
	return mb_write(p, ram, l->mmap, map, sizeof(map));
}

static int mb_write_info(struct mb_plan *p, const struct guest_ram *ram,
			 const char *cmdline, int nmods,
			 const struct mb_layout *l)
{
	uint8_t mbi[MBI_SIZE];
	uint64_t upper = (ram->size - MULTIBOOT_HIGH_MEM_START) / 1024;
	int rc;

	memset(mbi, 0, sizeof(mbi));
	put32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
				       MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP |
				       MULTIBOOT_INFO_BOOT_LOADER_NAME);
	put32(mbi + MBI_MEM_LOWER, MULTIBOOT_LOW_MEM_END / 1024);
	put32(mbi + MBI_MEM_UPPER, MIN(upper, (uint64_t)UINT32_MAX));
	put32(mbi + MBI_CMDLINE, l->cmdline);
	put32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
	put32(mbi + MBI_MODS_ADDR, l->mods);
	put32(mbi + MBI_MMAP_LENGTH, MB_MMAP_COUNT * MB_MMAP_ENTRY);
	put32(mbi + MBI_MMAP_ADDR, l->mmap);
	put32(mbi + MBI_BOOT_LOADER_NAME, l->loader);
	rc = mb_write(p, ram, l->info, mbi, sizeof(mbi));
	if (!rc)
		rc = mb_write_mmap(p, ram, l);
	if (!rc)
		rc = mb_write(p, ram, l->cmdline, cmdline, strlen(cmdline) + 1);
	if (!rc)
		rc = mb_write(p, ram, l->loader, MULTIBOOT_LOADER_NAME,
			      sizeof(MULTIBOOT_LOADER_NAME));
	return rc;
}

static int mb_check_args(struct mb_plan *p, const struct multiboot_module *mods,
			 int nmods, const struct guest_ram *ram)
{
	int i;

	if (!p->img && p->size)
		return mb_plan_fail(p, "no kernel image");
	if (!ram || !ram->write)
		return mb_plan_fail(p, "no guest RAM");
	if (nmods < 0 || nmods > MULTIBOOT_MAX_MODULES)
		return mb_plan_fail(p, "too many modules (%d, at most %d)", nmods,
				 MULTIBOOT_MAX_MODULES);
	for (i = 0; i < nmods; i++)
		if (!mods || (!mods[i].data && mods[i].size))
			return mb_plan_fail(p, "module %d has no data", i);
	return 0;
}

int multiboot_load(const void *image, size_t size, const char *cmdline,
		   const struct multiboot_module *mods, int nmods,
		   const struct guest_ram *ram, struct multiboot_result *out,
		   char *err, size_t errlen)
{
	struct mb_plan p = { .img = image, .size = size, .err = err,
			     .errlen = errlen };
	struct mb_layout l = { .end = 0 };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = mb_check_args(&p, mods, nmods, ram);
	if (rc)
		return rc;
	if (!cmdline)
		cmdline = "";
	/* One byte short of 4 GiB so every exclusive end fits 32 bits. */
	p.ram_size = ram->size;
	p.limit = MIN(ram->size, GiB(4) - 1);
	rc = mb_plan_image(&p);
	if (!rc)
		rc = mb_layout(&p, cmdline, mods, nmods, &l);
	if (!rc)
		rc = mb_write_segments(&p, ram);
	if (!rc)
		rc = mb_write_modules(&p, ram, mods, nmods, &l);
	if (!rc)
		rc = mb_write_info(&p, ram, cmdline, nmods, &l);
	if (rc || !out)
		return rc;
	out->entry = (uint32_t)p.entry;
	out->mbi = (uint32_t)l.info;
	out->load_start = (uint32_t)p.load_start;
	out->load_end = (uint32_t)p.load_end;
	out->used_end = (uint32_t)l.end;
	out->aout_kludge = (p.hdr_flags & MULTIBOOT_AOUT_KLUDGE) != 0;
	return 0;
}
