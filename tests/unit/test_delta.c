/*
 * Unit tests for migrate/delta.c: page deltas round-trip for every kind
 * of change, stay small for small changes, give way to whole pages for
 * big ones, and the decoder refuses every malformed encoding without
 * touching the page. The sender's cache keeps one copy per slot.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/delta.h"

#define N DELTA_PAGE_SIZE

static uint8_t old[N], new[N], page[N], enc[N + 64];

static void setup(void *arg)
{
	size_t i;

	for (i = 0; i < N; i++)
		old[i] = (uint8_t)(i * 7 + 3);
	memcpy(new, old, N);
	memset(enc, 0xee, sizeof(enc));
}

/* Encode new against old, apply to a copy of old, compare with new. Returns the length. */
static int round_trip(void)
{
	int n = delta_encode(old, new, enc, sizeof(enc));

	if (n < 0)
		return n;
	memcpy(page, old, N);
	if (n > 0 && delta_apply(page, enc, (size_t)n) != 0)
		return -1000;
	return memcmp(page, new, N) ? -2000 : n;
}

TEST equal_pages_encode_to_nothing(void)
{
	ASSERT_EQ(0, delta_encode(old, new, enc, sizeof(enc)));
	ASSERT_EQ(-EINVAL, delta_check(enc, 0));
	PASS();
}

TEST one_byte_changed_costs_three_bytes(void)
{
	new[0] ^= 0x55;
	ASSERT_EQ(3, round_trip());
	/* skip 0, count 1, the XOR byte */
	ASSERT_EQ(0, enc[0]);
	ASSERT_EQ(1, enc[1]);
	ASSERT_EQ(0x55, enc[2]);
	memcpy(new, old, N);
	new[N - 1] ^= 1;
	/* skip 4095 takes two bytes */
	ASSERT_EQ(4, round_trip());
	PASS();
}

TEST a_few_bytes_per_page_stay_small(void)
{
	size_t i;
	int n;

	for (i = 0; i < N; i += 512)
		new[i + 17] ^= 0xff;
	n = round_trip();
	ASSERT(n > 0 && n <= 8 * 5);
	PASS();
}

TEST short_gaps_are_absorbed_long_gaps_split(void)
{
	/* changed, 2 unchanged, changed: one run of 4 */
	new[100] ^= 1;
	new[103] ^= 1;
	ASSERT_EQ(1 + 1 + 4, round_trip());
	/* a gap of 3 splits it: skip, count 1, byte, skip 3, count 1, byte */
	memcpy(new, old, N);
	new[100] ^= 1;
	new[104] ^= 1;
	ASSERT_EQ(6, round_trip());
	PASS();
}

TEST changes_at_both_ends_and_trailing_short_gap(void)
{
	new[0] ^= 9;
	new[N - 2] ^= 9; /* one unchanged byte after it: implicit */
	ASSERT(round_trip() > 0);
	memcpy(new, old, N);
	new[N - 3] ^= 9;
	new[N - 1] ^= 9; /* gap of one, then the end: one run of 3 */
	ASSERT_EQ(2 + 1 + 3, round_trip());
	PASS();
}

TEST a_rewritten_page_does_not_fit(void)
{
	size_t i;

	for (i = 0; i < N; i++)
		new[i] = (uint8_t)~old[i];
	ASSERT_EQ(-ENOSPC, delta_encode(old, new, enc, DELTA_MAX));
	/* with room it still round-trips: skip 0, count 4096, the bytes */
	ASSERT_EQ(1 + 2 + N, round_trip());
	PASS();
}

TEST alternating_bytes_round_trip(void)
{
	size_t i;

	for (i = 0; i < N; i += 2)
		new[i] ^= 0x80;
	ASSERT(round_trip() > 0);
	memcpy(new, old, N);
	for (i = 1; i < N; i += 4)
		new[i] ^= 0x01;
	ASSERT(round_trip() > 0);
	PASS();
}

TEST random_changes_round_trip(void)
{
	uint32_t x = 12345;
	int t;

	for (t = 0; t < 500; t++) {
		int k, changes = t % 40;

		memcpy(new, old, N);
		for (k = 0; k < changes; k++) {
			x = x * 1103515245u + 12345u;
			new[(x >> 8) % N] ^= (uint8_t)(x >> 24) | 1;
		}
		ASSERT(round_trip() >= 0);
	}
	PASS();
}

TEST small_buffers_are_refused_never_overrun(void)
{
	size_t cap;

	new[10] ^= 1;
	new[3000] ^= 1;
	for (cap = 0; cap < 7; cap++) {
		memset(enc, 0xee, sizeof(enc));
		ASSERT_EQ(-ENOSPC, delta_encode(old, new, enc, cap));
		ASSERT_EQ(0xee, enc[cap]);
	}
	ASSERT_EQ(7, delta_encode(old, new, enc, 7));
	PASS();
}

/* Each malformed input is refused and the page stays as it was. */
static enum greatest_test_res refused(const uint8_t *in, size_t len)
{
	memcpy(page, old, N);
	ASSERT_EQ(-EINVAL, delta_check(in, len));
	ASSERT_EQ(-EINVAL, delta_apply(page, in, len));
	ASSERT_MEM_EQ(old, page, N);
	PASS();
}

TEST malformed_encodings_are_refused(void)
{
	static const uint8_t zero_count[] = { 0, 0 };
	static const uint8_t truncated_bytes[] = { 0, 3, 1, 2 };
	static const uint8_t missing_count[] = { 5 };
	static const uint8_t trailing_skip[] = { 0, 1, 9, 4 };
	static const uint8_t zero_later_skip[] = { 0, 1, 9, 0, 1, 9 };
	static const uint8_t skip_to_end[] = { 0x80, 0x20, 1, 1 };         /* skip 4096 */
	static const uint8_t past_end[] = { 0xff, 0x1f, 2, 1, 1 };          /* 4095 + 2 */
	static const uint8_t three_byte_number[] = { 0x80, 0x80, 0x01, 1, 1 };
	static const uint8_t not_minimal[] = { 0x81, 0x00, 1, 1 };
	static const uint8_t truncated_number[] = { 0x81 };

	CHECK_CALL(refused(zero_count, sizeof(zero_count)));
	CHECK_CALL(refused(truncated_bytes, sizeof(truncated_bytes)));
	CHECK_CALL(refused(missing_count, sizeof(missing_count)));
	CHECK_CALL(refused(trailing_skip, sizeof(trailing_skip)));
	CHECK_CALL(refused(zero_later_skip, sizeof(zero_later_skip)));
	CHECK_CALL(refused(skip_to_end, sizeof(skip_to_end)));
	CHECK_CALL(refused(past_end, sizeof(past_end)));
	CHECK_CALL(refused(three_byte_number, sizeof(three_byte_number)));
	CHECK_CALL(refused(not_minimal, sizeof(not_minimal)));
	CHECK_CALL(refused(truncated_number, sizeof(truncated_number)));
	PASS();
}

TEST the_last_byte_of_the_page_can_change(void)
{
	static const uint8_t last[] = { 0xff, 0x1f, 1, 0x42 }; /* skip 4095, count 1 */

	memcpy(page, old, N);
	ASSERT_EQ(0, delta_apply(page, last, sizeof(last)));
	ASSERT_EQ((uint8_t)(old[N - 1] ^ 0x42), page[N - 1]);
	ASSERT_MEM_EQ(old, page, N - 1);
	PASS();
}

static struct delta_slot slots[4];
static uint8_t cache_pages[4 * N];

TEST cache_holds_one_copy_per_slot(void)
{
	struct delta_cache c;

	delta_cache_init(&c, slots, cache_pages, 4);
	ASSERT_EQ(NULL, delta_cache_lookup(&c, 1));
	delta_cache_store(&c, 1, old);
	ASSERT_MEM_EQ(old, delta_cache_lookup(&c, 1), N);
	/* frame 5 shares slot 1: it evicts frame 1 */
	delta_cache_store(&c, 5, new);
	ASSERT_EQ(NULL, delta_cache_lookup(&c, 1));
	ASSERT(delta_cache_lookup(&c, 5) != NULL);
	ASSERT_EQ(1, c.evictions);
	delta_cache_forget(&c, 1); /* not there: nothing happens */
	ASSERT(delta_cache_lookup(&c, 5) != NULL);
	delta_cache_forget(&c, 5);
	ASSERT_EQ(NULL, delta_cache_lookup(&c, 5));
	ASSERT_EQ(3, c.hits);
	ASSERT_EQ(3, c.misses);
	PASS();
}

TEST an_empty_cache_holds_nothing(void)
{
	struct delta_cache c;

	delta_cache_init(&c, slots, cache_pages, 0);
	delta_cache_store(&c, 1, old);
	ASSERT_EQ(NULL, delta_cache_lookup(&c, 1));
	PASS();
}

SUITE(delta)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(equal_pages_encode_to_nothing);
		RUN_TEST(one_byte_changed_costs_three_bytes);
		RUN_TEST(a_few_bytes_per_page_stay_small);
		RUN_TEST(short_gaps_are_absorbed_long_gaps_split);
		RUN_TEST(changes_at_both_ends_and_trailing_short_gap);
		RUN_TEST(a_rewritten_page_does_not_fit);
		RUN_TEST(alternating_bytes_round_trip);
		RUN_TEST(random_changes_round_trip);
		RUN_TEST(small_buffers_are_refused_never_overrun);
		RUN_TEST(malformed_encodings_are_refused);
		RUN_TEST(the_last_byte_of_the_page_can_change);
		RUN_TEST(cache_holds_one_copy_per_slot);
		RUN_TEST(an_empty_cache_holds_nothing);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(delta);
	});
	GREATEST_MAIN_END();
}
