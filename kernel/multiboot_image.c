/*
 * Multiboot 1 loader, the kernel image: finding the multiboot header
 * (Multiboot Specification 0.6.96, 3.1) and planning where the a.out
 * kludge or the ELF32 program headers (p_paddr) put the kernel, as with
 * QEMU's -kernel. Apart from multiboot.c because this part only reads and
 * validates outside input: the result is a struct mb_plan, and guest RAM
 * is not touched here. Address arithmetic is 64-bit on values that are
 * 32-bit fields or were first checked against p->limit, so no sum can wrap.
 */
#include "kernel/multiboot_image.h"

#include <stdarg.h>
#include <string.h>

#include "lib/fmt.h"
#include "kernel/multiboot.h"

/* Header fields, byte offsets from the magic (spec 3.1.1). */
enum { MB_HDR_FLAGS = 4, MB_HDR_CHECKSUM = 8, MB_HDR_HEADER_ADDR = 12,
	MB_HDR_LOAD_ADDR = 16, MB_HDR_LOAD_END_ADDR = 20,
	MB_HDR_BSS_END_ADDR = 24, MB_HDR_ENTRY_ADDR = 28 };
#define MB_HDR_MIN_SIZE 12  /* magic, flags, checksum */
#define MB_HDR_AOUT_SIZE 32 /* up to entry_addr, needed with bit 16 */

/*
 * Header flags (spec 3.1.2). Bits 0-15 are required, 16-31 optional;
 * MULTIBOOT_AOUT_KLUDGE (bit 16) is in multiboot_image.h.
 */
#define MULTIBOOT_PAGE_ALIGN 0x00000001
#define MULTIBOOT_MEMORY_INFO 0x00000002
#define MULTIBOOT_VIDEO_MODE 0x00000004
#define MB_REQUIRED_MASK 0x0000ffff
/*
 * Modules are always page aligned and memory information always given.
 * A video mode request is accepted and ignored, as QEMU does: the info
 * flags then lack bits 11/12, which tells the kernel it got no VBE data.
 */
#define MB_REQUIRED_OK (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | \
			MULTIBOOT_VIDEO_MODE)

/* ELF32 (System V ABI 4.1 ch. 4, Intel386 supplement). */
enum { EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6 };
enum { ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1,
	ET_EXEC = 2, EM_386 = 3, PT_LOAD = 1, PF_X = 1 };
enum { E_TYPE = 16, E_MACHINE = 18, E_ENTRY = 24, E_PHOFF = 28,
	E_PHENTSIZE = 42, E_PHNUM = 44, ELF32_EHDR_SIZE = 52 };
enum { P_TYPE = 0, P_OFFSET = 4, P_VADDR = 8, P_PADDR = 12, P_FILESZ = 16,
	P_MEMSZ = 20, P_FLAGS = 24, ELF32_PHDR_SIZE = 32 };

int mb_plan_fail(struct mb_plan *p, const char *fmt, ...)
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
		return mb_plan_fail(p, "multiboot header at offset 0x%zx has a bad checksum",
				 bad);
	return mb_plan_fail(p, "no multiboot header (magic 0x%x) in the first %d bytes",
			 MULTIBOOT_HEADER_MAGIC, MULTIBOOT_SEARCH);
}

static int mb_check_flags(struct mb_plan *p)
{
	uint32_t bad = p->hdr_flags & MB_REQUIRED_MASK & ~MB_REQUIRED_OK;

	if (bad)
		return mb_plan_fail(p, "multiboot header requires unsupported features (flags 0x%x, unknown 0x%x)",
				 p->hdr_flags, bad);
	if ((p->hdr_flags & MULTIBOOT_AOUT_KLUDGE) &&
	    p->hdr_off + MB_HDR_AOUT_SIZE > MIN(p->size, (size_t)MULTIBOOT_SEARCH))
		return mb_plan_fail(p, "multiboot header at offset 0x%zx is cut off before its address fields",
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
		return mb_plan_fail(p, "%s at 0x%llx overlaps %s at 0x%llx", a,
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
	/* low RAM is the guest's (QEMU loads there too); the PC hole is not RAM */
	if (s->addr < MULTIBOOT_HIGH_MEM_START && s->addr + s->memsz > MULTIBOOT_LOW_MEM_END)
		return mb_plan_fail(p, "%s at 0x%llx-0x%llx reaches into the PC hole 0x%x-0x%x (BIOS data, VGA, ROMs)",
				 name, ull(s->addr), ull(s->addr + s->memsz),
				 MULTIBOOT_LOW_MEM_END, MULTIBOOT_HIGH_MEM_START);
	if (s->memsz > p->limit || s->addr + s->memsz > p->limit)
		return mb_plan_fail(p, "%s at 0x%llx-0x%llx is outside guest RAM (0x%llx bytes%s)",
				 name, ull(s->addr), ull(s->addr + s->memsz),
				 ull(p->ram_size), p->limit < p->ram_size ?
				 ", loads end below 4 GiB" : "");
	if (p->nseg == MB_MAX_SEGMENTS)
		return mb_plan_fail(p, "more than %d loadable segments",
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
		return mb_plan_fail(p, "a.out kludge: header_addr 0x%x is below load_addr 0x%x",
				 header_addr, load_addr);
	if (header_addr - load_addr > p->hdr_off)
		return mb_plan_fail(p, "a.out kludge: load_addr 0x%x lies before the start of the file",
				 load_addr);
	s.off = p->hdr_off - (header_addr - load_addr);
	if (load_end == 0) {
		s.filesz = p->size - s.off;
	} else {
		if (load_end < load_addr)
			return mb_plan_fail(p, "a.out kludge: load_end_addr 0x%x is below load_addr 0x%x",
					 load_end, load_addr);
		s.filesz = load_end - load_addr;
		if (s.off + s.filesz > p->size)
			return mb_plan_fail(p, "a.out kludge: load_end_addr 0x%x is past the end of the file",
					 load_end);
	}
	s.memsz = s.filesz;
	if (bss_end) {
		if (bss_end < s.addr + s.filesz)
			return mb_plan_fail(p, "a.out kludge: bss_end_addr 0x%x is below the load end 0x%llx",
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
		return mb_plan_fail(p, "not an ELF file, and the multiboot header has no a.out kludge (flag bit 16)");
	if (e[EI_CLASS] == ELFCLASS64)
		return mb_plan_fail(p, "ELF64 image: multiboot loads 32-bit ELF kernels only");
	if (e[EI_CLASS] != ELFCLASS32)
		return mb_plan_fail(p, "bad ELF class %u", e[EI_CLASS]);
	if (e[EI_DATA] != ELFDATA2LSB)
		return mb_plan_fail(p, "ELF image is not little-endian");
	if (e[EI_VERSION] != EV_CURRENT)
		return mb_plan_fail(p, "bad ELF version %u", e[EI_VERSION]);
	if (get16(e + E_TYPE) != ET_EXEC)
		return mb_plan_fail(p, "ELF type %u is not ET_EXEC", get16(e + E_TYPE));
	if (get16(e + E_MACHINE) != EM_386)
		return mb_plan_fail(p, "ELF machine %u is not EM_386",
				 get16(e + E_MACHINE));
	if (get16(e + E_PHENTSIZE) != ELF32_PHDR_SIZE)
		return mb_plan_fail(p, "ELF program header size %u, expected %d",
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
		return mb_plan_fail(p, "ELF segment %d at 0x%llx: p_filesz 0x%llx exceeds p_memsz 0x%llx",
				 i, ull(s.addr), ull(s.filesz), ull(s.memsz));
	if (s.off + s.filesz > p->size)
		return mb_plan_fail(p, "ELF segment %d at 0x%llx: file data 0x%llx+0x%llx is past the end of the file",
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
		return mb_plan_fail(p, "ELF image has no program headers");
	if ((uint64_t)phoff + (uint64_t)phnum * ELF32_PHDR_SIZE > p->size)
		return mb_plan_fail(p, "ELF program headers (offset 0x%x, count %u) are past the end of the file",
				 phoff, phnum);
	p->entry = e_entry;
	for (i = 0; i < phnum; i++) {
		rc = mb_plan_phdr(p, (int)i,
				  p->img + phoff + i * ELF32_PHDR_SIZE, e_entry);
		if (rc)
			return rc;
	}
	if (p->nseg == 0)
		return mb_plan_fail(p, "ELF image has no loadable segments");
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
		return mb_plan_fail(p, "the image loads no bytes");
	if (!entry_ok)
		return mb_plan_fail(p, "entry point 0x%llx is outside the loaded image",
				 ull(p->entry));
	return 0;
}

int mb_plan_image(struct mb_plan *p)
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
