/*
 * Unit tests for kernel/multiboot.c: ELF32 and a.out-kludge images built
 * here, loaded into a fake guest RAM, and the boot information read back
 * with an independent reader that knows the spec's offsets (0.6.96, 3.3).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/multiboot.h"
#include "tests/unit/multiboot_image.h"

#define INFO_FLAGS (0x1u | 0x4u | 0x8u | 0x40u | 0x200u)

static struct multiboot_result mbr;
static char errbuf[160];

static int load(size_t size, const char *cmdline,
		const struct multiboot_module *mods, int nmods)
{
	memset(&mbr, 0x5a, sizeof(mbr));
	memset(errbuf, 'x', sizeof(errbuf));
	return multiboot_load(img, size, cmdline, mods, nmods, &gram, &mbr,
			      errbuf, sizeof(errbuf));
}

/* ---------------------------------------------------------- checks */

/* File bytes at paddr, zeros to memsz: the ELF/a.out loading rule. */
static enum greatest_test_res check_seg(uint64_t paddr, size_t off,
					uint64_t filesz, uint64_t memsz)
{
	ASSERT(in_ram(paddr, memsz));
	ASSERT_MEM_EQ(img + off, fr.buf + paddr, filesz);
	ASSERT(all_bytes(paddr + filesz, memsz - filesz, 0));
	PASS();
}

static enum greatest_test_res check_str_at(uint32_t a, const char *want)
{
	size_t n = strlen(want) + 1;

	ASSERT(a >= mbr.mbi && a + n <= mbr.used_end);
	ASSERT(in_ram(a, n));
	ASSERT_STR_EQ(want, (const char *)fr.buf + a);
	PASS();
}

/* The memory map as the task defines it, walked the spec's way. */
static enum greatest_test_res check_mmap(uint32_t addr, uint32_t len)
{
	const uint64_t want[4][3] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, gram.size - 0x100000, 1 },
	};
	uint64_t p = addr;
	int n = 0;

	ASSERT_EQ_FMT(4u * 24, len, "%u");
	ASSERT(addr >= mbr.mbi && (uint64_t)addr + len <= mbr.used_end);
	while (p < (uint64_t)addr + len) {
		ASSERT(n < 4 && in_ram(p, 24));
		ASSERT_EQ_FMT(20u, rd32(p), "%u");
		ASSERT_EQ_FMT(want[n][0], rd64(p + 4), "0x%" PRIx64);
		ASSERT_EQ_FMT(want[n][1], rd64(p + 12), "0x%" PRIx64);
		ASSERT_EQ_FMT((uint32_t)want[n][2], rd32(p + 20), "%u");
		p += rd32(p) + 4;
		n++;
	}
	ASSERT_EQ(4, n);
	PASS();
}

static enum greatest_test_res check_mods(uint32_t addr, uint32_t count,
					 const struct multiboot_module *mods,
					 int nmods, uint64_t *next)
{
	uint32_t i;

	ASSERT_EQ_FMT((uint32_t)nmods, count, "%u");
	ASSERT(addr >= mbr.mbi && addr % 4 == 0);
	for (i = 0; i < count; i++) {
		uint64_t e = addr + 16 * i;
		uint32_t start = rd32(e), end = rd32(e + 4);

		ASSERT(in_ram(e, 16));
		ASSERT_EQ_FMT(*next, (uint64_t)start, "0x%" PRIx64);
		ASSERT_EQ_FMT((uint64_t)mods[i].size, (uint64_t)(end - start),
			      "0x%" PRIx64);
		ASSERT(in_ram(start, mods[i].size));
		ASSERT_MEM_EQ(mods[i].data, fr.buf + start, mods[i].size);
		CHECK_CALL(check_str_at(rd32(e + 8),
					mods[i].cmdline ? mods[i].cmdline : ""));
		*next = ALIGN_UP((uint64_t)end, PAGE_SIZE);
	}
	PASS();
}

/* Everything the kernel finds through EBX, against what was asked for. */
static enum greatest_test_res check_info(const char *cmdline,
					 const struct multiboot_module *mods,
					 int nmods)
{
	uint64_t mbi = mbr.mbi, next = ALIGN_UP((uint64_t)mbr.load_end, PAGE_SIZE);

	ASSERT_EQ(0, fr.rejected);
	ASSERT(fr.lowest >= 0x100000);
	ASSERT(all_bytes(0, 0x100000, FILL));
	ASSERT(mbr.load_start >= 0x100000 && mbr.load_start < mbr.load_end);
	ASSERT(mbr.entry >= mbr.load_start && mbr.entry < mbr.load_end);
	ASSERT(mbr.used_end <= gram.size && mbr.used_end >= mbi + 116);
	ASSERT(in_ram(mbi, 116));
	ASSERT_EQ_FMT(INFO_FLAGS, rd32(mbi), "0x%x");
	ASSERT_EQ_FMT(639u, rd32(mbi + 4), "%u");
	ASSERT_EQ_FMT((uint32_t)((gram.size - 0x100000) / 1024), rd32(mbi + 8), "%u");
	CHECK_CALL(check_str_at(rd32(mbi + 16), cmdline ? cmdline : ""));
	CHECK_CALL(check_mods(rd32(mbi + 24), rd32(mbi + 20), mods, nmods, &next));
	/* The info area follows the last module, page aligned. */
	ASSERT_EQ_FMT(next, mbi, "0x%" PRIx64);
	CHECK_CALL(check_mmap(rd32(mbi + 48), rd32(mbi + 44)));
	CHECK_CALL(check_str_at(rd32(mbi + 64), "hv"));
	PASS();
}

/* ---------------------------------------------------------- loading */

static uint8_t mod_a[0x1234], mod_b[0x2000], mod_c[1];

static void mods_init(struct multiboot_module m[3])
{
	size_t i;

	for (i = 0; i < sizeof(mod_a); i++)
		mod_a[i] = (uint8_t)(i ^ 0x5c);
	for (i = 0; i < sizeof(mod_b); i++)
		mod_b[i] = (uint8_t)(i * 13);
	mod_c[0] = 0x42;
	m[0] = (struct multiboot_module){ mod_a, sizeof(mod_a), "initrd root=/dev/ram0" };
	m[1] = (struct multiboot_module){ mod_b, sizeof(mod_b), "second" };
	m[2] = (struct multiboot_module){ mod_c, sizeof(mod_c), NULL };
}

TEST elf_one_segment(void)
{
	struct elf_spec s;
	size_t n;

	elf_default(&s);
	n = elf_build(&s);
	ram_reset(MiB(8), MiB(8));
	ASSERT_EQ(0, load(n, "console=ttyS0 debug", NULL, 0));
	ASSERT_EQ_FMT(0x100010u, mbr.entry, "0x%x");
	ASSERT_EQ_FMT(0x100000u, mbr.load_start, "0x%x");
	ASSERT_EQ_FMT(0x103000u, mbr.load_end, "0x%x");
	ASSERT_FALSE(mbr.aout_kludge);
	ASSERT_EQ_FMT(0x103000u, mbr.mbi, "0x%x");
	CHECK_CALL(check_seg(0x100000, 0x1000, 0x1800, 0x3000));
	CHECK_CALL(check_info("console=ttyS0 debug", NULL, 0));
	PASS();
}

TEST elf_segments_and_modules(void)
{
	struct multiboot_module m[3];
	struct elf_spec s;
	size_t n;

	mods_init(m);
	elf_default(&s);
	s.phnum = 4;
	s.seg[1] = (struct seg){ PT_NOTE, 0x100, 0, 0x50000, 0x10, 0x10, 0 };
	s.seg[2] = (struct seg){ PT_LOAD, 0x2800, 0x200123, 0x200123, 0x700,
				 0x1000, 6 };
	s.seg[3] = (struct seg){ PT_LOAD, 0, 0x300000, 0x300000, 0, 0x2345, 6 };
	s.size = 0x2f00;
	n = elf_build(&s);
	ram_reset(MiB(16), MiB(16));
	ASSERT_EQ(0, load(n, NULL, m, 3));
	ASSERT_EQ_FMT(0x100000u, mbr.load_start, "0x%x");
	ASSERT_EQ_FMT(0x302345u, mbr.load_end, "0x%x");
	CHECK_CALL(check_seg(0x100000, 0x1000, 0x1800, 0x3000));
	CHECK_CALL(check_seg(0x200123, 0x2800, 0x700, 0x1000));
	CHECK_CALL(check_seg(0x300000, 0, 0, 0x2345));
	/* Gaps between segments are not written. */
	ASSERT(all_bytes(0x103000, 0x200123 - 0x103000, FILL));
	ASSERT(all_bytes(0x201123, 0x300000 - 0x201123, FILL));
	CHECK_CALL(check_info(NULL, m, 3));
	ASSERT_EQ_FMT(0x303000u, rd32(rd32(mbr.mbi + 24)), "0x%x");
	PASS();
}

/* A higher-half kernel: linked at 3 GiB, loaded at 1 MiB (QEMU's rule). */
TEST elf_entry_follows_paddr(void)
{
	struct elf_spec s;

	elf_default(&s);
	s.seg[0].vaddr = 0xc0100000;
	s.entry = 0xc0100020;
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(0, load(elf_build(&s), "", NULL, 0));
	ASSERT_EQ_FMT(0x100020u, mbr.entry, "0x%x");
	CHECK_CALL(check_seg(0x100000, 0x1000, 0x1800, 0x3000));
	/* Not executable: the entry is taken as it is, and lands outside. */
	s.seg[0].flags = 4;
	ASSERT_EQ(-EINVAL, load(elf_build(&s), "", NULL, 0));
	ASSERT(strstr(errbuf, "entry point 0xc0100020"));
	PASS();
}

TEST aout_whole_file_with_bss(void)
{
	struct multiboot_module m[3];
	struct aout_spec s;
	size_t n;

	mods_init(m);
	aout_default(&s);
	n = aout_build(&s);
	ram_reset(MiB(3), MiB(3));
	ASSERT_EQ(0, load(n, "a.out", m, 2));
	ASSERT(mbr.aout_kludge);
	ASSERT_EQ_FMT(0x100080u, mbr.entry, "0x%x");
	ASSERT_EQ_FMT(0x100000u, mbr.load_start, "0x%x");
	ASSERT_EQ_FMT(0x104000u, mbr.load_end, "0x%x");
	CHECK_CALL(check_seg(0x100000, 0, 0x1234, 0x4000));
	CHECK_CALL(check_info("a.out", m, 2));
	PASS();
}

/*
 * A kernel in low memory (kvm-unit-tests' realmode is linked at 32 KiB)
 * loads there; its modules and the boot information still go above 1 MiB,
 * and the rest of low memory is left alone.
 */
TEST low_kernel_keeps_its_boot_information_high(void)
{
	struct multiboot_module m[3];
	struct aout_spec s;
	uint64_t next = 0x100000;
	size_t n;

	mods_init(m);
	aout_default(&s);
	s.load_addr = 0x9e000;
	s.header_addr = 0x9e040;
	s.entry = 0x9e080;
	s.bss_end = 0x9fc00; /* ends exactly where the hole starts */
	n = aout_build(&s);
	ram_reset(MiB(3), MiB(3));
	ASSERT_EQ(0, load(n, "low", m, 2));
	ASSERT_EQ_FMT(0x9e080u, mbr.entry, "0x%x");
	ASSERT_EQ_FMT(0x9e000u, mbr.load_start, "0x%x");
	ASSERT_EQ_FMT(0x9fc00u, mbr.load_end, "0x%x");
	CHECK_CALL(check_seg(0x9e000, 0, 0x1234, 0x1c00));
	ASSERT_EQ_FMT(0x9e000u, (unsigned)fr.lowest, "0x%x");
	ASSERT(all_bytes(0, 0x9e000, FILL));
	ASSERT(all_bytes(0x9fc00, 0x100000 - 0x9fc00, FILL));
	CHECK_CALL(check_mods(rd32(mbr.mbi + 24), rd32(mbr.mbi + 20), m, 2, &next));
	ASSERT_EQ_FMT(next, (uint64_t)mbr.mbi, "0x%" PRIx64);
	CHECK_CALL(check_str_at(rd32(mbr.mbi + 16), "low"));
	CHECK_CALL(check_mmap(rd32(mbr.mbi + 48), rd32(mbr.mbi + 44)));
	PASS();
}

/* load_end_addr set and text starting inside the file, no BSS. */
TEST aout_partial_file(void)
{
	struct aout_spec s;

	aout_default(&s);
	s.size = 0x3000;
	s.hdr_off = 0x1000;
	s.load_addr = 0x180000;
	s.header_addr = 0x180800; /* text starts at file offset 0x800 */
	s.load_end = 0x181000;
	s.bss_end = 0;
	s.entry = 0x180ffc;
	ram_reset(MiB(2), MiB(2));
	ASSERT_EQ(0, load(aout_build(&s), "x", NULL, 0));
	ASSERT_EQ_FMT(0x181000u, mbr.load_end, "0x%x");
	CHECK_CALL(check_seg(0x180000, 0x800, 0x1000, 0x1000));
	ASSERT_EQ_FMT(0x181000u, mbr.mbi, "0x%x");
	CHECK_CALL(check_info("x", NULL, 0));
	PASS();
}

/* With bit 16 the address fields win even over ELF headers, as in QEMU. */
TEST elf_with_kludge_loads_as_aout(void)
{
	struct elf_spec s;
	size_t n;

	elf_default(&s);
	s.mb_flags = AOUT_KLUDGE | 0x3;
	n = elf_build(&s);
	wr32(img + 0x1000 + 12, 0x101000); /* header_addr: file starts at 1 MiB */
	wr32(img + 0x1000 + 16, 0x100000);
	wr32(img + 0x1000 + 20, 0);
	wr32(img + 0x1000 + 24, 0);
	wr32(img + 0x1000 + 28, 0x100004);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQm(errbuf, 0, load(n, "", NULL, 0));
	ASSERT(mbr.aout_kludge);
	ASSERT_EQ_FMT(0x100004u, mbr.entry, "0x%x");
	ASSERT_EQ_FMT(0x102800u, mbr.load_end, "0x%x");
	CHECK_CALL(check_seg(0x100000, 0, n, n));
	CHECK_CALL(check_info("", NULL, 0));
	PASS();
}

/* Video mode (bit 2) is accepted and ignored; optional bits too. */
TEST flags_accepted(void)
{
	static const uint32_t ok[] = { 0, 0x1, 0x2, 0x4, 0x7, 0xfffe0003 };
	struct elf_spec s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		elf_default(&s);
		s.mb_flags = ok[i];
		ram_reset(MiB(4), MiB(4));
		ASSERT_EQm(errbuf, 0, load(elf_build(&s), "", NULL, 0));
		ASSERT_EQ(ok[i] & AOUT_KLUDGE ? 1 : 0, mbr.aout_kludge);
		CHECK_CALL(check_info("", NULL, 0));
	}
	PASS();
}

TEST mmap_follows_ram_size(void)
{
	static const uint64_t sizes[] = { MiB(2), MiB(16) + KiB(4), MiB(64),
					  GiB(6), GiB(4) + MiB(1) };
	struct elf_spec s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		elf_default(&s);
		ram_reset(sizes[i], MiB(2));
		ASSERT_EQ(0, load(elf_build(&s), "m", NULL, 0));
		CHECK_CALL(check_info("m", NULL, 0));
	}
	PASS();
}

/* The header may sit anywhere 4-aligned that ends within 8 KiB. */
TEST header_last_slot_and_first_valid(void)
{
	struct elf_spec s;

	elf_default(&s);
	s.hdr_off = 8192 - 12;
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQm(errbuf, 0, load(elf_build(&s), "", NULL, 0));
	/* A header with a bad checksum before the good one is skipped. */
	elf_default(&s);
	s.hdr_off = 0x1800;
	elf_build(&s);
	img_header(0x1000, 0x3, 1);
	ASSERT_EQm(errbuf, 0, load(s.size, "", NULL, 0));
	PASS();
}

/* The info area fits exactly into RAM, and not one byte less. */
TEST ram_exactly_enough(void)
{
	struct multiboot_module m[3];
	struct elf_spec s;
	uint32_t need;

	mods_init(m);
	elf_default(&s);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(0, load(elf_build(&s), "cmd", m, 3));
	need = mbr.used_end;
	ram_reset(need, need);
	ASSERT_EQm(errbuf, 0, load(s.size, "cmd", m, 3));
	CHECK_CALL(check_info("cmd", m, 3));
	ram_reset(need - 1, need);
	ASSERT_EQ(-EINVAL, load(s.size, "cmd", m, 3));
	ASSERT(strstr(errbuf, "not enough guest RAM"));
	ASSERT_EQ(0, fr.writes);
	PASS();
}

TEST success_leaves_an_empty_message(void)
{
	struct elf_spec s;

	elf_default(&s);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(0, load(elf_build(&s), "cmd", NULL, 0)); /* load() fills errbuf with 'x' */
	ASSERT_STR_EQ("", errbuf);
	PASS();
}

TEST a_failed_command_line_write_fails_the_load(void)
{
	struct elf_spec s;
	size_t n;
	uint32_t cmdline;

	elf_default(&s);
	n = elf_build(&s);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(0, load(n, "cmd", NULL, 0));
	cmdline = rd32(mbr.mbi + 16);
	ram_reset(MiB(4), MiB(4));
	fr.bad_at = cmdline; /* only the command line's write fails */
	ASSERT(load(n, "cmd", NULL, 0) < 0);
	ASSERTm(errbuf, strstr(errbuf, "failed") != NULL);
	PASS();
}

TEST a_module_past_the_limit_is_named(void)
{
	struct multiboot_module m[3];
	struct elf_spec s;
	size_t n;
	uint64_t mod1;

	mods_init(m);
	elf_default(&s);
	n = elf_build(&s);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(0, load(n, "", m, 3));
	mod1 = ALIGN_UP(ALIGN_UP((uint64_t)mbr.load_end, PAGE_SIZE) + sizeof(mod_a), PAGE_SIZE);
	/* RAM ends one byte short of module 1's end */
	ram_reset(mod1 + sizeof(mod_b) - 1, MiB(4));
	ASSERT_EQ(-EINVAL, load(n, "", m, 3));
	ASSERTm(errbuf, strstr(errbuf, "not enough guest RAM for module 1") != NULL);
	PASS();
}

TEST small_error_buffer(void)
{
	char small[8];

	ram_reset(MiB(4), MiB(4));
	memset(img, 0, 64);
	memset(small, 'x', sizeof(small));
	ASSERT_EQ(-EINVAL, multiboot_load(img, 64, "", NULL, 0, &gram, &mbr,
					  small, sizeof(small)));
	ASSERT_STR_EQ("no mult", small);
	ASSERT_EQ(-EINVAL, multiboot_load(img, 64, "", NULL, 0, &gram, &mbr,
					  NULL, 0));
	PASS();
}

/* ---------------------------------------------------------- errors */

/* Each case breaks the default image one way; nothing may be written. */
#define ELF_MUT(name, ...) \
	static void name(struct elf_spec *s) { __VA_ARGS__; }
#define AOUT_MUT(name, ...) \
	static void name(struct aout_spec *s) { __VA_ARGS__; }

ELF_MUT(e_no_header, s->hdr_off = IMG_MAX)
ELF_MUT(e_header_at_8k, s->size = 0x3000; s->hdr_off = 8192)
ELF_MUT(e_header_across_8k, s->size = 0x3000; s->hdr_off = 8192 - 8)
ELF_MUT(e_bad_checksum, s->checksum_delta = 1)
ELF_MUT(e_flag_bit3, s->mb_flags = 0xb)
ELF_MUT(e_flag_bit15, s->mb_flags = 0x8003)
ELF_MUT(e_not_elf, s->mag0 = 0x7e)
ELF_MUT(e_elf64, s->cls = 2)
ELF_MUT(e_class0, s->cls = 0)
ELF_MUT(e_big_endian, s->data = 2)
ELF_MUT(e_version0, s->version = 0)
ELF_MUT(e_x86_64, s->machine = 62)
ELF_MUT(e_dyn, s->type = 3)
ELF_MUT(e_phentsize, s->phentsize = 56)
ELF_MUT(e_phnum0, s->phnum = 0)
ELF_MUT(e_phdrs_past_eof, s->phoff = (uint32_t)s->size - 16)
ELF_MUT(e_phoff_wraps, s->phoff = 0xffffffe0)
ELF_MUT(e_no_load, s->seg[0].type = PT_NOTE)
ELF_MUT(e_beyond_ram, s->seg[0].paddr = 0x3ff000; s->entry = 0x3ff010)
ELF_MUT(e_below_1m, s->seg[0].paddr = 0xf0000; s->entry = 0xf0010)
ELF_MUT(e_across_1m, s->seg[0].paddr = 0xff000; s->entry = 0x100010)
ELF_MUT(e_filesz_gt_memsz, s->seg[0].memsz = 0x1000)
ELF_MUT(e_data_past_eof, s->seg[0].off = 0x2000)
ELF_MUT(e_offset_wraps, s->seg[0].off = 0xfffff000)
ELF_MUT(e_paddr_wraps, s->seg[0].paddr = 0xfffff000; s->entry = 0xfffff010)
ELF_MUT(e_memsz_wraps, s->seg[0].memsz = 0xffffffff)
ELF_MUT(e_ends_at_4g, s->seg[0].paddr = 0xffffd000; s->entry = 0xffffd010)
ELF_MUT(e_overlap, s->phnum = 2;
	s->seg[1] = (struct seg){ PT_LOAD, 0, 0x102000, 0x102000, 0, 0x10, 6 })
ELF_MUT(e_too_many_loads, s->phnum = 17; s->phoff = 0x100; s->size = 0x3000;
	s->hdr_off = 0x400;
	for (int i = 0; i < 17; i++) { uint8_t *ph = img + 0x100 + 32 * i;
		memset(ph, 0, 32); wr32(ph, PT_LOAD);
		wr32(ph + 12, 0x100000 + 0x1000 * i); wr32(ph + 20, 0x10); })
ELF_MUT(e_entry_outside, s->entry = 0x200000)
ELF_MUT(e_entry_in_gap, s->phnum = 2; s->entry = 0x104000;
	s->seg[1] = (struct seg){ PT_LOAD, 0, 0x105000, 0x105000, 0, 0x10, 6 })

AOUT_MUT(a_header_below_load, s->header_addr = 0xfffff)
AOUT_MUT(a_text_before_file, s->header_addr = 0x100100)
AOUT_MUT(a_load_end_below, s->load_end = 0xff000)
AOUT_MUT(a_load_end_past_eof, s->load_end = 0x102000)
AOUT_MUT(a_bss_below_load_end, s->bss_end = 0x101000)
AOUT_MUT(a_into_hole, s->load_addr = 0x9f000; s->header_addr = 0x9f040;
	 s->entry = 0x9f080; s->bss_end = 0)
AOUT_MUT(a_wraps, s->load_addr = 0xfffff000; s->header_addr = 0xfffff040;
	 s->entry = 0xfffff080; s->bss_end = 0)
AOUT_MUT(a_bss_beyond_ram, s->bss_end = 0x500000)
AOUT_MUT(a_entry_outside, s->entry = 0x200000)
AOUT_MUT(a_loads_nothing, s->load_end = s->load_addr; s->bss_end = 0)
AOUT_MUT(a_header_cut_off, s->size = 0x2100; s->hdr_off = 8192 - 12)
AOUT_MUT(a_flag_bit4, s->flags |= 0x10)

struct err_case {
	const char *name;
	void (*elf)(struct elf_spec *s);
	void (*aout)(struct aout_spec *s);
	const char *want;
	uint64_t ram; /* RAM size claimed, 4 MiB when 0 */
};

static const struct err_case err_cases[] = {
	{ "no_header", e_no_header, NULL, "no multiboot header (magic 0x1badb002)", 0 },
	{ "header_at_8k", e_header_at_8k, NULL, "no multiboot header", 0 },
	{ "header_across_8k", e_header_across_8k, NULL, "no multiboot header", 0 },
	{ "bad_checksum", e_bad_checksum, NULL, "at offset 0x1000 has a bad checksum", 0 },
	{ "flag_bit3", e_flag_bit3, NULL, "unsupported features (flags 0xb, unknown 0x8)", 0 },
	{ "flag_bit15", e_flag_bit15, NULL, "unknown 0x8000", 0 },
	{ "not_elf", e_not_elf, NULL, "not an ELF file", 0 },
	{ "elf64", e_elf64, NULL, "ELF64", 0 },
	{ "class0", e_class0, NULL, "bad ELF class 0", 0 },
	{ "big_endian", e_big_endian, NULL, "not little-endian", 0 },
	{ "version0", e_version0, NULL, "bad ELF version 0", 0 },
	{ "x86_64", e_x86_64, NULL, "ELF machine 62 is not EM_386", 0 },
	{ "dyn", e_dyn, NULL, "ELF type 3 is not ET_EXEC", 0 },
	{ "phentsize", e_phentsize, NULL, "program header size 56", 0 },
	{ "phnum0", e_phnum0, NULL, "no program headers", 0 },
	{ "phdrs_past_eof", e_phdrs_past_eof, NULL, "program headers (offset 0x27f0", 0 },
	{ "phoff_wraps", e_phoff_wraps, NULL, "program headers (offset 0xffffffe0", 0 },
	{ "no_load", e_no_load, NULL, "no loadable segments", 0 },
	{ "beyond_ram", e_beyond_ram, NULL, "ELF segment 0 at 0x3ff000-0x402000 is outside guest RAM", 0 },
	{ "below_1m", e_below_1m, NULL, "ELF segment 0 at 0xf0000-0xf3000 reaches into the PC hole 0x9fc00-0x100000", 0 },
	{ "across_1m", e_across_1m, NULL, "ELF segment 0 at 0xff000-0x102000 reaches into the PC hole", 0 },
	{ "filesz_gt_memsz", e_filesz_gt_memsz, NULL, "p_filesz 0x1800 exceeds p_memsz 0x1000", 0 },
	{ "data_past_eof", e_data_past_eof, NULL, "file data 0x2000+0x1800 is past the end", 0 },
	{ "offset_wraps", e_offset_wraps, NULL, "file data 0xfffff000+0x1800 is past the end", 0 },
	{ "paddr_wraps", e_paddr_wraps, NULL, "at 0xfffff000-0x100002000 is outside", GiB(8) },
	{ "memsz_wraps", e_memsz_wraps, NULL, "at 0x100000-0x1000fffff is outside", GiB(8) },
	{ "ends_at_4g", e_ends_at_4g, NULL, "at 0xffffd000-0x100000000 is outside", GiB(8) },
	{ "overlap", e_overlap, NULL, "ELF segment 1 at 0x102000 overlaps ELF segment 0 at 0x100000", 0 },
	{ "too_many_loads", e_too_many_loads, NULL, "more than 16 loadable segments", 0 },
	{ "entry_outside", e_entry_outside, NULL, "entry point 0x200000 is outside", 0 },
	{ "entry_in_gap", e_entry_in_gap, NULL, "entry point 0x104000 is outside", 0 },
	{ "aout_header_below_load", NULL, a_header_below_load, "header_addr 0xfffff is below load_addr 0x100000", 0 },
	{ "aout_text_before_file", NULL, a_text_before_file, "before the start of the file", 0 },
	{ "aout_load_end_below", NULL, a_load_end_below, "load_end_addr 0xff000 is below", 0 },
	{ "aout_load_end_past_eof", NULL, a_load_end_past_eof, "load_end_addr 0x102000 is past the end", 0 },
	{ "aout_bss_below_load_end", NULL, a_bss_below_load_end, "bss_end_addr 0x101000 is below the load end 0x101234", 0 },
	{ "aout_into_hole", NULL, a_into_hole, "a.out image at 0x9f000-0xa0234 reaches into the PC hole", 0 },
	{ "aout_wraps", NULL, a_wraps, "a.out image at 0xfffff000-0x100000234 is outside", GiB(8) },
	{ "aout_bss_beyond_ram", NULL, a_bss_beyond_ram, "a.out image at 0x100000-0x500000 is outside", 0 },
	{ "aout_entry_outside", NULL, a_entry_outside, "entry point 0x200000", 0 },
	{ "aout_loads_nothing", NULL, a_loads_nothing, "the image loads no bytes", 0 },
	{ "aout_header_cut_off", NULL, a_header_cut_off, "cut off before its address fields", 0 },
	{ "aout_flag_bit4", NULL, a_flag_bit4, "unknown 0x10", 0 },
};

TEST image_rejected(const void *arg)
{
	const struct err_case *c = arg;
	struct elf_spec es;
	struct aout_spec as;
	size_t n;

	ram_reset(c->ram ? c->ram : MiB(4), MiB(4));
	if (c->elf) {
		elf_default(&es);
		c->elf(&es);
		n = elf_build(&es);
		/* Some cases write extra headers themselves, after the build. */
		c->elf(&es);
	} else {
		aout_default(&as);
		c->aout(&as);
		n = aout_build(&as);
	}
	ASSERT_EQ_FMTm(c->name, -EINVAL, load(n, "", NULL, 0), "%d");
	ASSERTm(errbuf, strstr(errbuf, c->want) != NULL);
	ASSERT_EQm(c->name, 0, fr.writes);
	PASS();
}

TEST bad_module_lists(void)
{
	struct multiboot_module m[MULTIBOOT_MAX_MODULES + 1], big;
	struct elf_spec s;
	size_t n;
	int i;

	for (i = 0; i <= MULTIBOOT_MAX_MODULES; i++)
		m[i] = (struct multiboot_module){ mod_c, 1, "m" };
	elf_default(&s);
	n = elf_build(&s);
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQm(errbuf, 0, load(n, "", m, MULTIBOOT_MAX_MODULES));
	CHECK_CALL(check_info("", m, MULTIBOOT_MAX_MODULES));
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(-EINVAL, load(n, "", m, MULTIBOOT_MAX_MODULES + 1));
	ASSERT(strstr(errbuf, "too many modules (9, at most 8)"));
	ASSERT_EQ(-EINVAL, load(n, "", m, -1));
	ASSERT(strstr(errbuf, "too many modules"));
	ASSERT_EQ(-EINVAL, load(n, "", NULL, 1));
	ASSERT(strstr(errbuf, "module 0 has no data"));
	big = (struct multiboot_module){ mod_a, SIZE_MAX - 100, "big" };
	ASSERT_EQ(-EINVAL, load(n, "", &big, 1));
	ASSERT(strstr(errbuf, "not enough guest RAM for module 0"));
	m[1].size = MiB(4);
	ASSERT_EQ(-EINVAL, load(n, "", m, 2));
	ASSERT(strstr(errbuf, "not enough guest RAM for module 1"));
	ASSERT_EQ(0, fr.writes);
	PASS();
}

TEST an_elf_file_of_just_its_52_byte_header_is_read_as_elf(void)
{
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	ram_reset(MiB(4), MiB(4));
	memset(img, 0, 52);
	memcpy(img, ident, sizeof(ident));
	img[16] = 2; /* ET_EXEC */
	img[18] = 3; /* EM_386 */
	/* the multiboot header in the last 12 bytes, flags 0: its magic
	 * lands in e_ehsize and e_phentsize, which is then wrong */
	memcpy(img + 40, (const uint8_t[]){ 0x02, 0xb0, 0xad, 0x1b, 0, 0, 0, 0,
					    0xfe, 0x4f, 0x52, 0xe4 }, 12);
	ASSERT_EQ(-EINVAL, load(52, "", NULL, 0));
	ASSERTm(errbuf, strstr(errbuf, "ELF program header size 7085") != NULL);
	PASS();
}

TEST empty_and_tiny_images(void)
{
	ram_reset(MiB(4), MiB(4));
	ASSERT_EQ(-EINVAL, multiboot_load(NULL, 0, NULL, NULL, 0, &gram, &mbr,
					  errbuf, sizeof(errbuf)));
	ASSERT(strstr(errbuf, "no multiboot header"));
	img_header(0, 0x10003, 0);
	ASSERT_EQ(-EINVAL, load(12, "", NULL, 0));
	ASSERT(strstr(errbuf, "cut off"));
	img_header(0, 0x3, 0);
	ASSERT_EQ(-EINVAL, load(12, "", NULL, 0));
	ASSERT(strstr(errbuf, "not an ELF file"));
	ASSERT_EQ(0, fr.writes);
	PASS();
}

SUITE(multiboot_errors)
{
	SHUFFLED_TESTS({
		size_t i;

		for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
			greatest_set_test_suffix(err_cases[i].name);
			RUN_TEST1(image_rejected, &err_cases[i]);
		}
		RUN_TEST(bad_module_lists);
		RUN_TEST(empty_and_tiny_images);
		RUN_TEST(an_elf_file_of_just_its_52_byte_header_is_read_as_elf);
	});
}

SUITE(multiboot_load_ok)
{
	SHUFFLED_TESTS({
		RUN_TEST(elf_one_segment);
		RUN_TEST(elf_segments_and_modules);
		RUN_TEST(elf_entry_follows_paddr);
		RUN_TEST(aout_whole_file_with_bss);
		RUN_TEST(aout_partial_file);
		RUN_TEST(low_kernel_keeps_its_boot_information_high);
		RUN_TEST(elf_with_kludge_loads_as_aout);
		RUN_TEST(flags_accepted);
		RUN_TEST(mmap_follows_ram_size);
		RUN_TEST(header_last_slot_and_first_valid);
		RUN_TEST(ram_exactly_enough);
		RUN_TEST(small_error_buffer);
		RUN_TEST(success_leaves_an_empty_message);
		RUN_TEST(a_failed_command_line_write_fails_the_load);
		RUN_TEST(a_module_past_the_limit_is_named);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(multiboot_load_ok);
		RUN_SUITE(multiboot_errors);
	});
	GREATEST_MAIN_END();
}
