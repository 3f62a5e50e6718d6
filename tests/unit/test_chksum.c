/* Unit tests for net/chksum.c against RFC 1071's byte-pair definition. */
#include <stdlib.h>
#include <string.h>
#include "greatest.h"
#include "unit_order.h"
#include "net/chksum.h"

/* RFC 1071 4.1, over little-endian 16-bit words as lwIP sums them on x86. */
static uint16_t reference(const uint8_t *p, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (len & 1)
		sum += p[len - 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

TEST rfc1071_example(void)
{
	/* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (big-endian words) */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t s = net_chksum(d, sizeof(d));

	ASSERT_EQ_FMT(0xddf2, (s >> 8) | ((s & 0xff) << 8), "%#x");
	PASS();
}

TEST every_length_and_offset(void)
{
	static uint8_t buf[1600 + 16], dst[1600 + 16];
	int len, off;

	srand(3);
	for (len = 0; len < (int)sizeof(buf); len++)
		buf[len] = (uint8_t)rand();
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 1600; len += (len < 80 ? 1 : 37)) {
			uint16_t want = reference(buf + off, len);

			ASSERT_EQ_FMT(want, net_chksum(buf + off, len), "%#x");
			memset(dst, 0, sizeof(dst));
			ASSERT_EQ_FMT(want, net_chksum_copy(dst + (7 - off), buf + off, (uint16_t)len), "%#x");
			ASSERT_MEM_EQ(buf + off, dst + (7 - off), (size_t)len);
			ASSERT_EQ(0, dst[7 - off + len]); /* nothing past the end */
		}
	PASS();
}

/* All ones: the largest sums, where a lost carry would show. */
TEST carries_are_not_lost(void)
{
	static uint8_t ff[65535];
	int lens[] = { 1, 2, 7, 8, 15, 16, 17, 1500, 65534, 65535 };
	size_t i;

	memset(ff, 0xff, sizeof(ff));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ASSERT_EQ_FMT(reference(ff, lens[i]), net_chksum(ff, lens[i]), "%#x");
	ASSERT_EQ(0, net_chksum(ff, 0));
	ASSERT_EQ(0, net_chksum(ff, -4));
	PASS();
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_TESTS({
		RUN_TEST(rfc1071_example);
		RUN_TEST(every_length_and_offset);
		RUN_TEST(carries_are_not_lost);
	});
	GREATEST_MAIN_END();
}
