/*
 * Multiboot 1 loader (Multiboot Specification 0.6.96). The kernel goes
 * where its header's a.out fields or its ELF program headers (p_paddr)
 * say, as with QEMU's -kernel; the modules follow it page-aligned, and the
 * boot information follows them on its own page. Unlike QEMU, which keeps
 * the info structure at 0x9000, nothing is placed below 1 MiB, so the
 * memory map can hand the guest its whole low 639 KiB.
 *
 * Everything is validated and placed on paper first (struct mb_plan and
 * struct mb_layout); guest RAM is written only once the whole load is known
 * to fit, so a rejected image leaves RAM untouched. Address arithmetic is
 * 64-bit on values that are 32-bit fields or were first checked against
 * the limit, min(RAM size, 4 GiB - 1), so no sum can wrap.
 */
#include "kernel/multiboot.h"

#include <stdarg.h>
#include <string.h>

#include "kernel/fmt.h"

/* Header fields, byte offsets from the magic (spec 3.1.1). */
enum { MB_HDR_FLAGS = 4, MB_HDR_CHECKSUM = 8, MB_HDR_HEADER_ADDR = 12,
	MB_HDR_LOAD_ADDR = 16, MB_HDR_LOAD_END_ADDR = 20,
	MB_HDR_BSS_END_ADDR = 24, MB_HDR_ENTRY_ADDR = 28 };
#define MB_HDR_MIN_SIZE 12  /* magic, flags, checksum */
#define MB_HDR_AOUT_SIZE 32 /* up to entry_addr, needed with bit 16 */

/* Header flags (spec 3.1.2). Bits 0-15 are required, 16-31 optional. */
#define MULTIBOOT_PAGE_ALIGN 0x00000001
#define MULTIBOOT_MEMORY_INFO 0x00000002
#define MULTIBOOT_VIDEO_MODE 0x00000004
#define MULTIBOOT_AOUT_KLUDGE 0x00010000
#define MB_REQUIRED_MASK 0x0000ffff
/*
 * Modules are always page aligned and memory information always given.
 * A video mode request is accepted and ignored, as QEMU does: the info
 * flags then lack bits 11/12, which tells the kernel it got no VBE data.
 */
#define MB_REQUIRED_OK (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | \
			MULTIBOOT_VIDEO_MODE)

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

/* ELF32 (System V ABI 4.1 ch. 4, Intel386 supplement). */
enum { EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6 };
enum { ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1,
	ET_EXEC = 2, EM_386 = 3, PT_LOAD = 1, PF_X = 1 };
enum { E_TYPE = 16, E_MACHINE = 18, E_ENTRY = 24, E_PHOFF = 28,
	E_PHENTSIZE = 42, E_PHNUM = 44, ELF32_EHDR_SIZE = 52 };
enum { P_TYPE = 0, P_OFFSET = 4, P_VADDR = 8, P_PADDR = 12, P_FILESZ = 16,
	P_MEMSZ = 20, P_FLAGS = 24, ELF32_PHDR_SIZE = 32 };

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

static PRINTF_LIKE(2, 3) int plan_fail(struct mb_plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static void put32(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* The first header with a valid checksum wins, as in GRUB and QEMU. */
static int mb_find_header(struct mb_plan *p)
{
	size_t end = MIN(p->size, (size_t)MULTIBOOT_SEARCH), off, bad = SIZE_MAX;
	uint32_t flags;

	for (off = 0; off + MB_HDR_MIN_SIZE <= end; off += 4) {
		if (get32(p->img + off) != MULTIBOOT_HEADER_MAGIC)
			continue;
		flags = get32(p->img + off + MB_HDR_FLAGS);
		if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + flags +
			       get32(p->img + off + MB_HDR_CHECKSUM)) != 0) {
			bad = MIN(bad, off);
			continue;
		}
		p->hdr_off = off;
		p->hdr_flags = flags;
		return 0;
	}
	if (bad != SIZE_MAX)
		return plan_fail(p, "multiboot header at offset 0x%zx has a bad checksum",
				 bad);
	return plan_fail(p, "no multiboot header (magic 0x%x) in the first %d bytes",
			 MULTIBOOT_HEADER_MAGIC, MULTIBOOT_SEARCH);
}

static int mb_check_flags(struct mb_plan *p)
{
	uint32_t bad = p->hdr_flags & MB_REQUIRED_MASK & ~MB_REQUIRED_OK;

	if (bad)
		return plan_fail(p, "multiboot header requires unsupported features (flags 0x%x, unknown 0x%x)",
				 p->hdr_flags, bad);
	if ((p->hdr_flags & MULTIBOOT_AOUT_KLUDGE) &&
	    p->hdr_off + MB_HDR_AOUT_SIZE > MIN(p->size, (size_t)MULTIBOOT_SEARCH))
		return plan_fail(p, "multiboot header at offset 0x%zx is cut off before its address fields",
				 p->hdr_off);
	return 0;
}

static void mb_seg_name(const struct mb_seg *s, char *buf, size_t len)
{
	if (s->index == MB_AOUT_SEGMENT)
		fmt_snprintf(buf, len, "a.out image");
	else
		fmt_snprintf(buf, len, "ELF segment %d", s->index);
}

static int mb_check_overlap(struct mb_plan *p, const struct mb_seg *s)
{
	char a[24], b[24];
	int i;

	for (i = 0; i < p->nseg; i++) {
		const struct mb_seg *o = &p->seg[i];

		if (s->addr >= o->addr + o->memsz || o->addr >= s->addr + s->memsz)
			continue;
		mb_seg_name(s, a, sizeof(a));
		mb_seg_name(o, b, sizeof(b));
		return plan_fail(p, "%s at 0x%llx overlaps %s at 0x%llx", a,
				 ull(s->addr), b, ull(o->addr));
	}
	return 0;
}

/* Record a segment whose file range the caller has checked already. */
static int mb_add_segment(struct mb_plan *p, const struct mb_seg *s)
{
	char name[24];
	int rc;

	if (s->memsz == 0)
		return 0;
	mb_seg_name(s, name, sizeof(name));
	if (s->addr < MULTIBOOT_HIGH_MEM_START)
		return plan_fail(p, "%s at 0x%llx is below 1 MiB", name,
				 ull(s->addr));
	if (s->memsz > p->limit || s->addr + s->memsz > p->limit)
		return plan_fail(p, "%s at 0x%llx-0x%llx is outside guest RAM (0x%llx bytes%s)",
				 name, ull(s->addr), ull(s->addr + s->memsz),
				 ull(p->ram_size), p->limit < p->ram_size ?
				 ", loads end below 4 GiB" : "");
	if (p->nseg == MB_MAX_SEGMENTS)
		return plan_fail(p, "more than %d loadable segments",
				 MB_MAX_SEGMENTS);
	rc = mb_check_overlap(p, s);
	if (rc)
		return rc;
	p->seg[p->nseg++] = *s;
	return 0;
}

/* Header flag bit 16: the header's address fields say what to load. */
static int mb_plan_aout(struct mb_plan *p)
{
	const uint8_t *h = p->img + p->hdr_off;
	uint32_t header_addr = get32(h + MB_HDR_HEADER_ADDR);
	uint32_t load_addr = get32(h + MB_HDR_LOAD_ADDR);
	uint32_t load_end = get32(h + MB_HDR_LOAD_END_ADDR);
	uint32_t bss_end = get32(h + MB_HDR_BSS_END_ADDR);
	struct mb_seg s = { .index = MB_AOUT_SEGMENT, .addr = load_addr };

	if (header_addr < load_addr)
		return plan_fail(p, "a.out kludge: header_addr 0x%x is below load_addr 0x%x",
				 header_addr, load_addr);
	if (header_addr - load_addr > p->hdr_off)
		return plan_fail(p, "a.out kludge: load_addr 0x%x lies before the start of the file",
				 load_addr);
	s.off = p->hdr_off - (header_addr - load_addr);
	if (load_end == 0) {
		s.filesz = p->size - s.off;
	} else {
		if (load_end < load_addr)
			return plan_fail(p, "a.out kludge: load_end_addr 0x%x is below load_addr 0x%x",
					 load_end, load_addr);
		s.filesz = load_end - load_addr;
		if (s.off + s.filesz > p->size)
			return plan_fail(p, "a.out kludge: load_end_addr 0x%x is past the end of the file",
					 load_end);
	}
	s.memsz = s.filesz;
	if (bss_end) {
		if (bss_end < s.addr + s.filesz)
			return plan_fail(p, "a.out kludge: bss_end_addr 0x%x is below the load end 0x%llx",
					 bss_end, ull(s.addr + s.filesz));
		s.memsz = bss_end - load_addr;
	}
	p->entry = get32(h + MB_HDR_ENTRY_ADDR);
	return mb_add_segment(p, &s);
}

static int mb_check_ehdr(struct mb_plan *p)
{
	const uint8_t *e = p->img;

	if (p->size < ELF32_EHDR_SIZE || memcmp(e, "\177ELF", 4) != 0)
		return plan_fail(p, "not an ELF file, and the multiboot header has no a.out kludge (flag bit 16)");
	if (e[EI_CLASS] == ELFCLASS64)
		return plan_fail(p, "ELF64 image: multiboot loads 32-bit ELF kernels only");
	if (e[EI_CLASS] != ELFCLASS32)
		return plan_fail(p, "bad ELF class %u", e[EI_CLASS]);
	if (e[EI_DATA] != ELFDATA2LSB)
		return plan_fail(p, "ELF image is not little-endian");
	if (e[EI_VERSION] != EV_CURRENT)
		return plan_fail(p, "bad ELF version %u", e[EI_VERSION]);
	if (get16(e + E_TYPE) != ET_EXEC)
		return plan_fail(p, "ELF type %u is not ET_EXEC", get16(e + E_TYPE));
	if (get16(e + E_MACHINE) != EM_386)
		return plan_fail(p, "ELF machine %u is not EM_386",
				 get16(e + E_MACHINE));
	if (get16(e + E_PHENTSIZE) != ELF32_PHDR_SIZE)
		return plan_fail(p, "ELF program header size %u, expected %d",
				 get16(e + E_PHENTSIZE), ELF32_PHDR_SIZE);
	return 0;
}

/*
 * Segments go to p_paddr, as in QEMU. The entry is virtual: when it lies
 * in an executable segment linked elsewhere than it loads (a higher-half
 * kernel), it moves with that segment, again as QEMU does.
 */
static int mb_plan_phdr(struct mb_plan *p, int i, const uint8_t *ph,
			uint32_t e_entry)
{
	uint32_t vaddr = get32(ph + P_VADDR);
	struct mb_seg s = {
		.index = i,
		.addr = get32(ph + P_PADDR),
		.off = get32(ph + P_OFFSET),
		.filesz = get32(ph + P_FILESZ),
		.memsz = get32(ph + P_MEMSZ),
	};

	if (get32(ph + P_TYPE) != PT_LOAD)
		return 0;
	if (s.filesz > s.memsz)
		return plan_fail(p, "ELF segment %d at 0x%llx: p_filesz 0x%llx exceeds p_memsz 0x%llx",
				 i, ull(s.addr), ull(s.filesz), ull(s.memsz));
	if (s.off + s.filesz > p->size)
		return plan_fail(p, "ELF segment %d at 0x%llx: file data 0x%llx+0x%llx is past the end of the file",
				 i, ull(s.addr), ull(s.off), ull(s.filesz));
	if ((get32(ph + P_FLAGS) & PF_X) && vaddr != s.addr &&
	    e_entry >= vaddr && e_entry - vaddr < s.filesz)
		p->entry = s.addr + (e_entry - vaddr);
	return mb_add_segment(p, &s);
}

static int mb_plan_elf(struct mb_plan *p)
{
	uint32_t phoff = get32(p->img + E_PHOFF);
	uint32_t phnum = get16(p->img + E_PHNUM);
	uint32_t e_entry = get32(p->img + E_ENTRY);
	uint32_t i;
	int rc = mb_check_ehdr(p);

	if (rc)
		return rc;
	if (phnum == 0)
		return plan_fail(p, "ELF image has no program headers");
	if ((uint64_t)phoff + (uint64_t)phnum * ELF32_PHDR_SIZE > p->size)
		return plan_fail(p, "ELF program headers (offset 0x%x, count %u) are past the end of the file",
				 phoff, phnum);
	p->entry = e_entry;
	for (i = 0; i < phnum; i++) {
		rc = mb_plan_phdr(p, (int)i,
				  p->img + phoff + i * ELF32_PHDR_SIZE, e_entry);
		if (rc)
			return rc;
	}
	if (p->nseg == 0)
		return plan_fail(p, "ELF image has no loadable segments");
	return 0;
}

/* A kernel entered outside what was loaded would only run garbage. */
static int mb_finish_plan(struct mb_plan *p)
{
	bool entry_ok = false;
	int i;

	p->load_start = p->limit;
	p->load_end = 0;
	for (i = 0; i < p->nseg; i++) {
		const struct mb_seg *s = &p->seg[i];

		p->load_start = MIN(p->load_start, s->addr);
		p->load_end = MAX(p->load_end, s->addr + s->memsz);
		if (p->entry >= s->addr && p->entry < s->addr + s->memsz)
			entry_ok = true;
	}
	if (p->nseg == 0)
		return plan_fail(p, "the image loads no bytes");
	if (!entry_ok)
		return plan_fail(p, "entry point 0x%llx is outside the loaded image",
				 ull(p->entry));
	return 0;
}

static int mb_plan_image(struct mb_plan *p)
{
	int rc = mb_find_header(p);

	if (!rc)
		rc = mb_check_flags(p);
	if (!rc)
		rc = (p->hdr_flags & MULTIBOOT_AOUT_KLUDGE) ? mb_plan_aout(p) :
							      mb_plan_elf(p);
	if (!rc)
		rc = mb_finish_plan(p);
	return rc;
}

/* Append a string's bytes (with NUL) at *at, staying below the limit. */
static int mb_layout_string(struct mb_plan *p, const char *s, uint64_t *at)
{
	size_t len = strlen(s) + 1;

	if (len > p->limit || *at + len > p->limit)
		return plan_fail(p, "not enough guest RAM for the boot information (limit 0x%llx)",
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

	for (i = 0; i < nmods; i++) {
		if (mods[i].size > p->limit || at + mods[i].size > p->limit)
			return plan_fail(p, "not enough guest RAM for module %d (0x%zx bytes at 0x%llx, limit 0x%llx)",
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
		return plan_fail(p, "writing 0x%llx bytes to guest RAM at 0x%llx failed",
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
		return plan_fail(p, "no kernel image");
	if (!ram || !ram->write)
		return plan_fail(p, "no guest RAM");
	if (nmods < 0 || nmods > MULTIBOOT_MAX_MODULES)
		return plan_fail(p, "too many modules (%d, at most %d)", nmods,
				 MULTIBOOT_MAX_MODULES);
	for (i = 0; i < nmods; i++)
		if (!mods || (!mods[i].data && mods[i].size))
			return plan_fail(p, "module %d has no data", i);
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
