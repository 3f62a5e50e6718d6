/*
 * Unit tests for lib/crc32.c: the nibble-table CRC-32 against the
 * definition (reflected polynomial 0xEDB88320, all-ones initial and final
 * XOR) computed a bit at a time, and against values zlib gives.
 */
#include <stdint.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/crc32.h"

/* The definition, one bit at a time: no table to get wrong. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

TEST standard_check_value(void)
{
	ASSERT_EQ_FMT(0xcbf43926u, crc32_update(0, "123456789", 9), "0x%08x");
	ASSERT_EQ_FMT(0u, crc32_update(0, "", 0), "0x%08x");
	PASS();
}

TEST every_byte_value_matches_the_bitwise_definition(void)
{
	unsigned b;

	/* a single byte b indexes table entries b & 15 and b >> 4 (after the
	 * first shift): all 256 together use every entry in both places */
	for (b = 0; b < 256; b++) {
		uint8_t byte = (uint8_t)b;

		ASSERT_EQ_FMTm("byte", crc32_bitwise(&byte, 1), crc32_update(0, &byte, 1),
			       "0x%08x");
	}
	PASS();
}

TEST runs_of_zeros_and_ones_match_zlib(void)
{
	uint8_t zeros[32], ones[32];

	memset(zeros, 0, sizeof(zeros));
	memset(ones, 0xff, sizeof(ones));
	/* zlib.crc32(bytes(32)), zlib.crc32(b"\xff" * 32) */
	ASSERT_EQ_FMT(0x190a55adu, crc32_update(0, zeros, sizeof(zeros)), "0x%08x");
	ASSERT_EQ_FMT(0xff6cab0bu, crc32_update(0, ones, sizeof(ones)), "0x%08x");
	PASS();
}

TEST all_byte_values_in_one_buffer_match_zlib(void)
{
	uint8_t all[256];
	unsigned i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	ASSERT_EQ_FMT(0x29058c73u, crc32_update(0, all, sizeof(all)), "0x%08x");
	ASSERT_EQ_FMT(crc32_bitwise(all, sizeof(all)), crc32_update(0, all, sizeof(all)),
		      "0x%08x");
	PASS();
}

TEST continuing_equals_the_whole(void)
{
	uint8_t all[256];
	uint32_t whole;
	unsigned i, cut;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)(i * 37 + 11);
	whole = crc32_update(0, all, sizeof(all));
	for (cut = 0; cut <= sizeof(all); cut += 17)
		ASSERT_EQ_FMT(whole, crc32_update(crc32_update(0, all, cut), all + cut,
						  sizeof(all) - cut), "0x%08x");
	PASS();
}

SUITE(crc32)
{
	SHUFFLED_TESTS({
		RUN_TEST(standard_check_value);
		RUN_TEST(every_byte_value_matches_the_bitwise_definition);
		RUN_TEST(runs_of_zeros_and_ones_match_zlib);
		RUN_TEST(all_byte_values_in_one_buffer_match_zlib);
		RUN_TEST(continuing_equals_the_whole);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(crc32);
	});
	GREATEST_MAIN_END();
}
