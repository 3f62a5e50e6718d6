/*
 * Unit tests for kernel/bzimage.c: a synthetic image (bzimage_image.h)
 * accepted and described, then each check made to fail in turn.
 */
#include <stdio.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/bzimage.h"
#include "tests/unit/bzimage_image.h"

static struct bzimage_info info;
static char errbuf[160];

static int parse(size_t size)
{
	memset(&info, 0x5a, sizeof(info));
	memset(errbuf, 0, sizeof(errbuf));
	return bzimage_parse(bzi, size, &info, errbuf, sizeof(errbuf));
}

TEST valid_image_is_described(void)
{
	size_t n = bzi_make();

	ASSERT(bzimage_detect(bzi, n));
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ(0x020f, info.version);
	ASSERT_EQ(BZI_KERNEL_OFF, info.kernel_off);
	ASSERT_EQ(n - BZI_KERNEL_OFF, info.kernel_size);
	ASSERT_EQ(0x26c, info.header_end);
	ASSERT_EQ(BZI_PREF, info.pref_address);
	ASSERT_EQ(BZI_INIT_SIZE, info.init_size);
	ASSERT_EQ(0x200000, info.kernel_alignment);
	ASSERT_EQ(2047, info.cmdline_size);
	ASSERT_EQ(0x7fffffff, info.initrd_addr_max);
	ASSERT(info.relocatable);
	ASSERT_EQ(XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G, info.xloadflags);
	ASSERT_EQ(LOADED_HIGH, info.loadflags);
	PASS();
}

TEST setup_sects_zero_means_four(void)
{
	size_t n = bzi_make();

	bzi[0x1f1] = 0;
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ((4 + 1) * 512, info.kernel_off);
	bzi[0x1f1] = 1;
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ(2 * 512, info.kernel_off);
	PASS();
}

TEST protocol_2_10_with_64_bit_entry_is_accepted(void)
{
	size_t n = bzi_make();

	bzi_put(0x206, 0x020a, 2);
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ(0x020a, info.version);
	PASS();
}

/* Each case breaks one thing; the message must say what. */
struct bad_case {
	const char *name;
	size_t off;
	uint64_t val;
	int width;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "boot_flag", 0x1fe, 0xaa56, 2, "boot_flag" },
	{ "magic", 0x202, 0x53726449, 4, "HdrS" },
	{ "old_protocol", 0x206, 0x0209, 2, "too old" },
	{ "not_loaded_high", 0x211, 0x80, 1, "LOADED_HIGH" },
	{ "no_64bit_entry", 0x236, 0x2, 2, "XLF_KERNEL_64" },
	{ "alignment_zero", 0x230, 0, 4, "power of two" },
	{ "alignment_odd", 0x230, 0x300000, 4, "power of two" },
	{ "pref_unaligned", 0x258, BZI_PREF + 0x10, 8, "pref_address" },
	{ "init_size_small", 0x260, 0x100, 4, "init_size" },
	{ "cmdline_size_zero", 0x238, 0, 4, "cmdline_size" },
	{ "header_too_short", 0x201, 0x10, 1, "setup header ends" },
	{ "setup_past_end", 0x1f1, 40, 1, "ends inside" },
};

TEST image_rejected(const struct bad_case *c)
{
	size_t n = bzi_make();

	bzi_put(c->off, c->val, c->width);
	ASSERT_EQ(-EINVAL, parse(n));
	ASSERTm(errbuf, strstr(errbuf, c->msg) != NULL);
	PASS();
}

TEST header_past_the_setup_is_refused(void)
{
	size_t n = bzi_make();

	/* a header ending at 0x301 cannot fit when the setup is two sectors (0x400)... */
	bzi[0x1f1] = 1;
	bzi[0x201] = 0xff;
	ASSERT_EQ(0, parse(n));
	/* ...but a 0x264-byte file with setup_sects 0 ends inside its setup */
	ASSERT_EQ(-EINVAL, parse(0x264));
	ASSERT(strstr(errbuf, "ends inside"));
	PASS();
}

TEST short_images(void)
{
	size_t n;

	bzi_make();
	for (n = 0; n < 0x264; n += 0x33) {
		ASSERT_EQ(-EINVAL, parse(n));
		ASSERT(strstr(errbuf, "too short"));
	}
	ASSERT_FALSE(bzimage_detect(bzi, 0x205));
	ASSERT(bzimage_detect(bzi, 0x206));
	PASS();
}

TEST detect_needs_both_signatures(void)
{
	size_t n = bzi_make();

	bzi_put(0x1fe, 0, 2);
	ASSERT_FALSE(bzimage_detect(bzi, n));
	bzi_make();
	bzi_put(0x202, 0, 4);
	ASSERT_FALSE(bzimage_detect(bzi, n));
	PASS();
}

TEST error_buffer_may_be_absent(void)
{
	size_t n = bzi_make();

	bzi_put(0x206, 0x0200, 2);
	ASSERT_EQ(-EINVAL, bzimage_parse(bzi, n, &info, NULL, 0));
	ASSERT_EQ(-EINVAL, bzimage_parse(bzi, n, &info, errbuf, 1));
	ASSERT_EQ('\0', errbuf[0]);
	PASS();
}

TEST fields_are_read_whole(void)
{
	size_t n = bzi_make();

	bzi_put(0x206, 0x0209, 2);
	ASSERT_EQ(-EINVAL, parse(n));
	ASSERT(strstr(errbuf, "protocol 2.09 is too old"));
	bzi_make();
	bzi_put(0x260, 0x3f98000, 4); /* Debian 6.1's init_size: all four bytes count */
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ(0x3f98000, info.init_size);
	bzi[0x201] = 0x62;            /* the shortest header accepted ends at 0x264 */
	ASSERT_EQ(0, parse(n));
	ASSERT_EQ(0x264, info.header_end);
	PASS();
}

TEST failure_leaves_the_result_alone(void)
{
	size_t n = bzi_make();

	bzi[0x211] = 0;
	ASSERT_EQ(-EINVAL, parse(n));
	ASSERT_EQ(0x5a5a, info.version);
	PASS();
}

SUITE(bzimage)
{
	size_t i;

	SHUFFLED_TESTS({
		RUN_TEST(valid_image_is_described);
		RUN_TEST(setup_sects_zero_means_four);
		RUN_TEST(protocol_2_10_with_64_bit_entry_is_accepted);
		RUN_TEST(header_past_the_setup_is_refused);
		RUN_TEST(short_images);
		RUN_TEST(detect_needs_both_signatures);
		RUN_TEST(error_buffer_may_be_absent);
		RUN_TEST(failure_leaves_the_result_alone);
		RUN_TEST(fields_are_read_whole);
		for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
			greatest_set_test_suffix(bad_cases[i].name);
			RUN_TEST1(image_rejected, &bad_cases[i]);
		}
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({ RUN_SUITE(bzimage); });
	GREATEST_MAIN_END();
}
