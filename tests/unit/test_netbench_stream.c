/* Unit tests for net/netbench_stream.c: the byte stream netbench sends and checks. */
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "net/netbench.h"
#include "net/netbench_stream.h"

#define WINDOW 4096
#define MAX_PERIOD (1u << 20)

/*
 * splitmix64 from seed 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4
 * (the reference generator's published first outputs); the stream is
 * those words, little endian. Pinned because both ends must agree.
 */
TEST first_words_are_splitmix64_seed_zero(void)
{
	static const uint8_t want[16] = { 0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2,
					  0xf4, 0x65, 0xb9, 0xa1, 0x6a, 0x9e, 0x78, 0x6e };
	uint64_t i;

	for (i = 0; i < 16; i++)
		ASSERT_EQ_FMT(want[i], netbench_byte(i), "%u");
	PASS();
}

/* Offsets past 4 GiB (the largest test) keep working: no 32-bit truncation. */
TEST bytes_past_4gib_use_the_whole_offset(void)
{
	static const uint8_t want[8] = { 0xe2, 0x4e, 0x7b, 0x00, 0xf5, 0x3e, 0xab, 0x59 };
	uint64_t base = (1ULL << 32) - 4, i;

	for (i = 0; i < 8; i++)
		ASSERT_EQ_FMT(want[i], netbench_byte(base + i), "%u");
	PASS();
}

/* fill and check agree with netbench_byte at every alignment and length. */
TEST fill_matches_byte_at_any_alignment(void)
{
	uint8_t buf[64];
	uint64_t off;
	size_t len, i;

	for (off = 1000; off < 1016; off++) {
		for (len = 0; len <= sizeof(buf); len++) {
			memset(buf, 0x55, sizeof(buf));
			netbench_fill(off, buf, len);
			for (i = 0; i < len; i++)
				ASSERT_EQ_FMT(netbench_byte(off + i), buf[i], "%u");
			for (; i < sizeof(buf); i++)
				ASSERT_EQ_FMT(0x55, buf[i], "%u");
			ASSERT_EQ(0, netbench_check(off, buf, len));
		}
	}
	PASS();
}

/* Every wrong byte is counted once, wherever it sits in a word. */
TEST check_counts_each_wrong_byte(void)
{
	uint8_t buf[256];
	uint64_t off = 77;
	size_t i;

	netbench_fill(off, buf, sizeof(buf));
	buf[0] ^= 1;
	buf[3] ^= 0x80;
	buf[4] ^= 0xff;
	buf[100] ^= 0x10;
	buf[101] ^= 0x10;
	buf[255] ^= 0x01;
	ASSERT_EQ(6, netbench_check(off, buf, sizeof(buf)));
	/* the same bytes checked at the wrong offset are nearly all wrong */
	netbench_fill(off, buf, sizeof(buf));
	ASSERT(netbench_check(off + 1, buf, sizeof(buf)) > 240);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	ASSERT(netbench_check(off, buf, sizeof(buf)) > 240);
	PASS();
}

/*
 * No period up to 2^20 bytes: for every p, some byte in the first WINDOW
 * differs from the one p bytes later. Checked at the start and past 4 GiB.
 */
static enum greatest_test_res no_short_period_at(uint64_t base)
{
	uint8_t *s = malloc(MAX_PERIOD + WINDOW);
	uint32_t p, i;

	ASSERT(s != NULL);
	netbench_fill(base, s, MAX_PERIOD + WINDOW);
	for (p = 1; p <= MAX_PERIOD; p++) {
		for (i = 0; i < WINDOW && s[i] == s[i + p]; i++)
			;
		if (i == WINDOW) {
			free(s);
			FAILm("periodic over the window");
		}
	}
	free(s);
	PASS();
}

TEST no_period_up_to_2_20(void)
{
	CHECK_CALL(no_short_period_at(0));
	CHECK_CALL(no_short_period_at((1ULL << 32) + 3));
	PASS();
}

/*
 * Byte values are near-uniform: Pearson's chi-square over 256 bins and
 * 2^22 bytes has 255 degrees of freedom (mean 255, sd 22.6); far above
 * means bias, far below means a too-regular (counter-like) stream.
 * Pairs of neighbouring bytes (their XOR) are held to the same test.
 */
static double chi_square(const uint32_t *bins, double expect)
{
	double chi = 0;
	int b;

	for (b = 0; b < 256; b++)
		chi += (bins[b] - expect) * (bins[b] - expect) / expect;
	return chi;
}

TEST byte_values_near_uniform(void)
{
	static uint8_t s[1 << 22];
	uint32_t bins[256] = { 0 }, pairs[256] = { 0 };
	double expect = (double)sizeof(s) / 256, chi;
	size_t i;

	netbench_fill(12345, s, sizeof(s));
	for (i = 0; i < sizeof(s); i++) {
		bins[s[i]]++;
		if (i > 0)
			pairs[s[i] ^ s[i - 1]]++;
	}
	for (i = 0; i < 256; i++)
		ASSERT(bins[i] > expect * 0.95 && bins[i] < expect * 1.05);
	chi = chi_square(bins, expect);
	ASSERT(chi > 150 && chi < 380);
	chi = chi_square(pairs, (double)(sizeof(s) - 1) / 256);
	ASSERT(chi > 150 && chi < 380);
	PASS();
}

SUITE(netbench_stream)
{
	SHUFFLED_TESTS({
		RUN_TEST(first_words_are_splitmix64_seed_zero);
		RUN_TEST(bytes_past_4gib_use_the_whole_offset);
		RUN_TEST(fill_matches_byte_at_any_alignment);
		RUN_TEST(check_counts_each_wrong_byte);
		RUN_TEST(no_period_up_to_2_20);
		RUN_TEST(byte_values_near_uniform);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(netbench_stream);
	});
	GREATEST_MAIN_END();
}
