/*
 * Unit tests for the Linux loader: kernel/linux_load.c, the zero page
 * builder kernel/linux_zeropage.c, the identity page tables of
 * arch/x86/boot_paging.c and the 64-bit entry state of boot_state.c.
 * The zero page is read back at boot.rst / zero-page.rst offsets typed
 * in here, the page tables with a walker written for the test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/boot_paging.h"
#include "arch/x86/boot_state.h"
#include "kernel/linux_load.h"
#include "kernel/linux_zeropage.h"
#include "tests/unit/bzimage_image.h"

#define RAM_MIB 40
#define ZP 0x10000

static uint8_t *ram_buf;
static struct guest_ram gram;
static struct linux_load_result lres;
static char errbuf[160];
static uint8_t part_a[1001], part_b[77];
static struct linux_initrd_part parts[2] = { { part_a, sizeof(part_a) }, { part_b, sizeof(part_b) } };

static int ram_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	if (gpa > gram.size || n > gram.size - gpa)
		return -EINVAL;
	memcpy(ram_buf + gpa, src, n);
	return 0;
}

static int ram_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	return -EINVAL;
}

static void setup(void *unused)
{
	free(ram_buf);
	ram_buf = calloc(1, MiB(RAM_MIB));
	gram = (struct guest_ram){ ram_write, ram_read, NULL, MiB(RAM_MIB) };
	memset(part_a, 0xa1, sizeof(part_a));
	memset(part_b, 0xb2, sizeof(part_b));
	bzi_make();
	memset(errbuf, 0, sizeof(errbuf));
}

static int load(const char *cmdline, int nparts, uint64_t rsdp)
{
	static const uint8_t acpi[64] = { 'R', 'S', 'D', ' ' };
	struct linux_load_args a = { bzi, BZI_SIZE, cmdline, parts, nparts,
				     rsdp ? acpi : NULL, sizeof(acpi), rsdp };

	memset(&lres, 0x5a, sizeof(lres));
	return linux_load(&a, &gram, &lres, errbuf, sizeof(errbuf));
}

static uint64_t zp(size_t off, int n)
{
	return bzi_get(ram_buf + ZP, off, n);
}

TEST kernel_at_pref_address_with_entry_at_0x200(void)
{
	ASSERT_EQ(0, load("console=ttyS0", 0, 0));
	ASSERT_EQ(BZI_PREF, lres.kernel);
	ASSERT_EQ(BZI_PREF + BZI_INIT_SIZE, lres.kernel_end);
	ASSERT_EQ(BZI_PREF + 0x200, lres.entry);
	ASSERT_EQ(ZP, lres.zero_page);
	ASSERT_MEM_EQ(bzi + BZI_KERNEL_OFF, ram_buf + BZI_PREF, BZI_SIZE - BZI_KERNEL_OFF);
	ASSERT_EQ(0x020f, lres.version);
	PASS();
}

TEST zero_page_fields_land_at_their_offsets(void)
{
	ASSERT_EQ(0, load("console=ttyS0 quiet", 2, 0xe0000));
	ASSERT_EQ(0xff, zp(0x210, 1));                     /* type_of_loader */
	ASSERT_EQ(0x81, zp(0x211, 1));                     /* LOADED_HIGH | CAN_USE_HEAP */
	ASSERT_EQ(0xde00, zp(0x224, 2));                   /* heap_end_ptr */
	ASSERT_EQ(0x53726448, zp(0x202, 4));               /* header copied */
	ASSERT_EQ(0x020f, zp(0x206, 2));
	ASSERT_EQ(BZI_INIT_SIZE, zp(0x260, 4));
	ASSERT_EQ(0x11000, zp(0x228, 4));                  /* cmd_line_ptr */
	ASSERT_EQ(0, zp(0x0c8, 4));                        /* ext_cmd_line_ptr */
	ASSERT_STR_EQ("console=ttyS0 quiet", (char *)ram_buf + 0x11000);
	ASSERT_EQ(lres.initrd, zp(0x218, 4));               /* ramdisk_image */
	ASSERT_EQ(lres.initrd_size, zp(0x21c, 4));          /* ramdisk_size */
	ASSERT_EQ(0, zp(0x0c0, 4));
	ASSERT_EQ(0, zp(0x0c4, 4));
	ASSERT_EQ(0xe0000, zp(0x070, 8));                  /* acpi_rsdp_addr */
	ASSERT_EQ(0, zp(0x1ef, 1));                        /* sentinel */
	ASSERT_MEM_EQ("RSD ", ram_buf + 0xe0000, 4);
	PASS();
}

TEST no_initrd_no_acpi_leaves_them_zero(void)
{
	ASSERT_EQ(0, load(NULL, 0, 0));
	ASSERT_EQ(0, zp(0x218, 4));
	ASSERT_EQ(0, zp(0x21c, 4));
	ASSERT_EQ(0, zp(0x070, 8));
	ASSERT_EQ(0, ram_buf[0x11000]); /* an empty command line */
	ASSERT_EQ(0, lres.initrd_size);
	PASS();
}

/* The e820 table as the kernel reads it, against the expected map. */
static enum greatest_test_res check_e820(uint64_t ram)
{
	const uint64_t want[][3] = {
		{ 0, 0x1000, 1 },          { 0x1000, BOOT_PAGING_SIZE, 2 },
		{ 0x8000, 0x9fc00 - 0x8000, 1 }, { 0x9fc00, 0x400, 2 },
		{ 0xe0000, 0x20000, 2 },   { 0x100000, ram - 0x100000, 1 },
	};
	int i;

	ASSERT_EQ(6, zp(0x1e8, 1));
	for (i = 0; i < 6; i++) {
		size_t e = 0x2d0 + (size_t)i * 20;

		ASSERT_EQ(want[i][0], zp(e, 8));
		ASSERT_EQ(want[i][1], zp(e + 8, 8));
		ASSERT_EQ(want[i][2], zp(e + 16, 4));
	}
	PASS();
}

TEST e820_matches_ram_size(void)
{
	ASSERT_EQ(0, load("", 0, 0));
	CHECK_CALL(check_e820(MiB(RAM_MIB)));
	gram.size = MiB(18);
	ASSERT_EQ(0, load("", 0, 0));
	CHECK_CALL(check_e820(MiB(18)));
	PASS();
}

TEST e820_builder_respects_its_limit(void)
{
	struct zp_layout l = { MiB(64), 0x1000, 0x7000, 0, 0, 0, 0 };
	struct e820_entry e[6];

	ASSERT_EQ(6, zp_e820(&l, e, 6));
	ASSERT_EQ(3, zp_e820(&l, e, 3));
	ASSERT_EQ(0x8000, e[2].addr);
	l.boot_area = 0; /* no boot area: the low RAM is one range */
	l.boot_area_size = 0;
	ASSERT_EQ(4, zp_e820(&l, e, 6));
	ASSERT_EQ(0x9fc00, e[0].size);
	PASS();
}

TEST initrd_at_the_top_parts_concatenated(void)
{
	uint64_t size = ALIGN_UP(sizeof(part_a), 4) + sizeof(part_b);

	ASSERT_EQ(0, load("", 2, 0));
	ASSERT_EQ(size, lres.initrd_size);
	ASSERT_EQ(ALIGN_DOWN(MiB(RAM_MIB) - size, PAGE_SIZE), lres.initrd);
	ASSERT_MEM_EQ(part_a, ram_buf + lres.initrd, sizeof(part_a));
	ASSERT_MEM_EQ(part_b, ram_buf + lres.initrd + ALIGN_UP(sizeof(part_a), 4), sizeof(part_b));
	PASS();
}

TEST initrd_stays_below_initrd_addr_max(void)
{
	bzi_put(0x22c, MiB(20) - 1, 4);
	ASSERT_EQ(0, load("", 1, 0));
	ASSERT_EQ(ALIGN_DOWN(MiB(20) - sizeof(part_a), PAGE_SIZE), lres.initrd);
	PASS();
}

TEST initrd_that_does_not_fit_is_refused(void)
{
	bzi_put(0x22c, BZI_PREF + BZI_INIT_SIZE + 100, 4); /* room for 101 bytes */
	ASSERT_EQ(-EINVAL, load("", 1, 0));
	ASSERT(strstr(errbuf, "initrd of 1 KiB does not fit"));
	PASS();
}

TEST ram_too_small_for_init_size_is_refused(void)
{
	gram.size = BZI_PREF + BZI_INIT_SIZE - 1;
	bzi[0x234] = 0; /* not relocatable: pref_address or nothing */
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "must be loaded at 0x1000000"));
	bzi[0x234] = 1; /* relocatable: it moves down to its alignment above 1 MiB */
	ASSERT_EQ(0, load("", 0, 0));
	ASSERT_EQ(MiB(2), lres.kernel);
	gram.size = MiB(2) + BZI_INIT_SIZE - 1;
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "init_size"));
	PASS();
}

TEST huge_pref_address_does_not_wrap(void)
{
	bzi_put(0x258, 0xfffffffffff00000ULL, 8);
	ASSERT_EQ(0, load("", 0, 0));
	ASSERT_EQ(MiB(2), lres.kernel);
	PASS();
}

TEST long_command_line_is_refused(void)
{
	char line[64];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	bzi_put(0x238, 62, 4);
	ASSERT_EQ(-EINVAL, load(line, 0, 0));
	ASSERT(strstr(errbuf, "command line of 63 bytes"));
	bzi_put(0x238, 63, 4);
	ASSERT_EQ(0, load(line, 0, 0));
	PASS();
}

TEST edges_of_the_limits(void)
{
	static char line[4097];
	static struct linux_initrd_part nine[9];
	struct linux_load_args a = { bzi, BZI_SIZE, "", nine, 9, NULL, 0, 0 };
	int i;

	/* a kernel that must sit at exactly 1 MiB may */
	bzi_put(0x258, 0x100000, 8);
	bzi[0x234] = 0;
	ASSERT_EQ(0, load("", 0, 0));
	ASSERT_EQ(0x100000, lres.kernel);
	bzi_make();
	/* the command line area holds 4095 bytes and the NUL, whatever cmdline_size says */
	bzi_put(0x238, 100000, 4);
	memset(line, 'x', 4096);
	ASSERT_EQ(-EINVAL, load(line, 0, 0));
	line[4095] = '\0';
	ASSERT_EQ(0, load(line, 0, 0));
	/* the NUL is written, not assumed */
	memset(ram_buf + 0x11000, 'Z', 16);
	ASSERT_EQ(0, load("abc", 0, 0));
	ASSERT_EQ(0, ram_buf[0x11003]);
	/* at most 8 initrd parts */
	for (i = 0; i < 9; i++)
		nine[i] = (struct linux_initrd_part){ part_b, sizeof(part_b) };
	ASSERT_EQ(-EINVAL, linux_load(&a, &gram, &lres, errbuf, sizeof(errbuf)));
	ASSERT(strstr(errbuf, "9 initrd files"));
	a.ninitrd = 8;
	ASSERT_EQ(0, linux_load(&a, &gram, &lres, errbuf, sizeof(errbuf)));
	ASSERT_EQ(7 * ALIGN_UP(sizeof(part_b), 4) + sizeof(part_b), lres.initrd_size);
	/* exactly 1 MiB of RAM passes the low-memory check and fails on the kernel */
	gram.size = MiB(1);
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "init_size"));
	PASS();
}

TEST not_a_bzimage_is_refused(void)
{
	bzi_put(0x202, 0, 4);
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "not a Linux bzImage"));
	bzi_make();
	bzi_put(0x236, 0, 2); /* a header the parser refuses: its message comes through */
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "XLF_KERNEL_64"));
	PASS();
}

TEST ram_below_1_mib_is_refused(void)
{
	gram.size = KiB(640);
	ASSERT_EQ(-EINVAL, load("", 0, 0));
	ASSERT(strstr(errbuf, "below 1 MiB"));
	PASS();
}

/* An independent 4-level walk (SDM Vol. 3A 5.5) of the guest's tables. */
static int walk(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t e = cr3;
	int level, shift = 39;

	for (level = 4; level >= 2; level--, shift -= 9) {
		e = bzi_get(ram_buf + (e & 0xffffffffff000ULL), ((va >> shift) & 511) * 8, 8);
		if (!(e & 1) || !(e & 2))
			return -1;
		if (level == 2 && (e & 0x80)) {
			*pa = (e & 0xfffffffe00000ULL) | (va & 0x1fffff);
			return 0;
		}
	}
	return -1;
}

TEST page_tables_identity_map_4_gib(void)
{
	static const uint64_t probes[] = { 0, 0x10000, BZI_PREF + 0x200, MiB(RAM_MIB) - 1,
					   GiB(1) + 12345, GiB(4) - 1 };
	uint64_t pa;
	size_t i;

	ASSERT_EQ(0, load("", 1, 0));
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ASSERT_EQ(0, walk(lres.cr3, probes[i], &pa));
		ASSERT_EQ(probes[i], pa);
	}
	ASSERT_EQ(-1, walk(lres.cr3, GiB(4), &pa));
	PASS();
}

TEST gdt_has_the_boot_selectors(void)
{
	ASSERT_EQ(0, load("", 0, 0));
	ASSERT_EQ(0x1000, lres.gdt_base);
	ASSERT_EQ(0x1f, lres.gdt_limit);
	/* __BOOT_CS: L=1 D=0 (bits 53/54), present code; __BOOT_DS: present data, writable */
	ASSERT_EQ(0x00af9b000000ffffULL, bzi_get(ram_buf + 0x1000, 0x10, 8));
	ASSERT_EQ(0x00cf93000000ffffULL, bzi_get(ram_buf + 0x1000, 0x18, 8));
	ASSERT_EQ(0, bzi_get(ram_buf + 0x1000, 0, 8));
	PASS();
}

TEST entry_state_is_long_mode(void)
{
	static struct gs_cpu c;

	boot_state_linux64(&c, 0x1000200, 0x10000, 0x10000, 0x2000, 0x1000, 0x1f, 77);
	ASSERT_EQ(0x1000200, c.rip);
	ASSERT_EQ(0x10000, c.gpr[6]);      /* RSI */
	ASSERT_EQ(0x10000, c.gpr[4]);      /* RSP */
	ASSERT_EQ(0x2000, c.cr3);
	ASSERT_EQ(0x80000011ULL, c.cr0);   /* PG | ET | PE */
	ASSERT_EQ(0x20, c.cr4);            /* PAE */
	ASSERT_EQ(0x500, c.efer);          /* LME | LMA */
	ASSERT_EQ(0x10, c.seg[GS_CS].selector);
	ASSERT_EQ(0xa09b, c.seg[GS_CS].ar); /* L=1, D=0 */
	ASSERT_EQ(0x18, c.seg[GS_DS].selector);
	ASSERT_EQ(0x18, c.seg[GS_SS].selector);
	ASSERT_EQ(0x18, c.seg[GS_ES].selector);
	ASSERT_EQ(0x1000, c.gdtr_base);
	ASSERT_EQ(0x1f, c.gdtr_limit);
	ASSERT_EQ(0x2, c.rflags);          /* IF clear */
	ASSERT_EQ(77, c.tsc);
	PASS();
}

SUITE(linux_loader)
{
	SET_SETUP(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(kernel_at_pref_address_with_entry_at_0x200);
		RUN_TEST(zero_page_fields_land_at_their_offsets);
		RUN_TEST(no_initrd_no_acpi_leaves_them_zero);
		RUN_TEST(e820_matches_ram_size);
		RUN_TEST(e820_builder_respects_its_limit);
		RUN_TEST(initrd_at_the_top_parts_concatenated);
		RUN_TEST(initrd_stays_below_initrd_addr_max);
		RUN_TEST(initrd_that_does_not_fit_is_refused);
		RUN_TEST(ram_too_small_for_init_size_is_refused);
		RUN_TEST(huge_pref_address_does_not_wrap);
		RUN_TEST(long_command_line_is_refused);
		RUN_TEST(not_a_bzimage_is_refused);
		RUN_TEST(edges_of_the_limits);
		RUN_TEST(ram_below_1_mib_is_refused);
		RUN_TEST(page_tables_identity_map_4_gib);
		RUN_TEST(gdt_has_the_boot_selectors);
		RUN_TEST(entry_state_is_long_mode);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({ RUN_SUITE(linux_loader); });
	free(ram_buf);
	GREATEST_MAIN_END();
}
