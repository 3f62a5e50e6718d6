/*
 * Unit tests for migrate/send_page.c: how the sender chooses between a
 * bare zero entry, a delta and a whole page, and keeps its cache equal
 * to what the receiver holds. Every batch built is fed to the decoder
 * and applied to a model of the receiver's memory.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/send_page.h"

#define FRAMES 8
#define N MSTREAM_PAGE_SIZE

static uint8_t wire[MSTREAM_RECORD_MAX];
static uint8_t guest[FRAMES][N], rx[FRAMES][N];
static struct delta_slot slots[4];
static uint8_t cache_pages[4 * N];
static struct delta_cache cache;
static struct send_page_counts counts;
static struct mstream_batch batch;

static int rx_page(void *ctx, uint64_t f, const void *data)
{
	if (data)
		memcpy(rx[f], data, N);
	else
		memset(rx[f], 0, N);
	return 0;
}

static int rx_delta(void *ctx, uint64_t f, const uint8_t *enc, size_t len)
{
	return delta_apply(rx[f], enc, len);
}

static void setup(void *arg)
{
	int f;

	for (f = 0; f < FRAMES; f++)
		memset(guest[f], f ? f * 17 : 0, N);
	memset(rx, 0xcc, sizeof(rx));
	memset(&counts, 0, sizeof(counts));
	delta_cache_init(&cache, slots, cache_pages, 4);
}

/* Send frames [first, last) in one batch (of round 0) and decode it; the batch's payload length. */
static size_t send_round(struct delta_cache *c, int first, int last)
{
	static const struct mstream_header h = { "src", "g", FRAMES };
	static struct mstream_dec dec;
	static const struct mstream_ops ops = { NULL, rx_page, NULL, NULL, NULL, rx_delta };
	uint8_t head[128];
	size_t len;
	int f, n;

	mstream_batch_begin(&batch, wire, sizeof(wire), 0);
	for (f = first; f < last; f++)
		if (send_page_add(&batch, c, (uint64_t)f, guest[f], &counts) < 0)
			return 0;
	len = mstream_batch_end(&batch);
	mstream_dec_init(&dec, &ops);
	n = mstream_put_header(head, sizeof(head), &h);
	if (n < 0 || mstream_feed(&dec, head, (size_t)n) || mstream_feed(&dec, wire, len))
		return 0;
	return len;
}

TEST first_pass_sends_zeros_bare_and_data_whole(void)
{
	ASSERT(send_round(&cache, 0, 4) > 0);
	ASSERT_EQ(1, counts.zero);
	ASSERT_EQ(3, counts.data);
	ASSERT_EQ(0, counts.delta);
	ASSERT_MEM_EQ(guest, rx, 4 * N);
	PASS();
}

TEST a_small_change_goes_as_a_delta(void)
{
	size_t whole, small;

	whole = send_round(&cache, 1, 3);
	guest[1][100] ^= 1;
	guest[2][4095] ^= 1;
	small = send_round(&cache, 1, 3);
	ASSERT(small > 0 && small < whole / 50);
	ASSERT_EQ(2, counts.delta);
	ASSERT(counts.delta_saved > 2 * (N - 16));
	ASSERT_MEM_EQ(guest[1], rx[1], N);
	ASSERT_MEM_EQ(guest[2], rx[2], N);
	PASS();
}

TEST an_unchanged_page_is_not_sent_again(void)
{
	send_round(&cache, 1, 2);
	send_round(&cache, 1, 2);
	ASSERT_EQ(1, counts.unchanged);
	ASSERT_EQ(0, batch.count);
	ASSERT_EQ(1, counts.data);
	PASS();
}

TEST a_rewritten_page_goes_whole(void)
{
	send_round(&cache, 3, 4);
	memset(guest[3], 0x77, N);
	send_round(&cache, 3, 4);
	ASSERT_EQ(2, counts.data);
	ASSERT_EQ(0, counts.delta);
	ASSERT_MEM_EQ(guest[3], rx[3], N);
	/* and the cache holds the new copy: a further small change is a delta */
	guest[3][5] = 1;
	send_round(&cache, 3, 4);
	ASSERT_EQ(1, counts.delta);
	ASSERT_MEM_EQ(guest[3], rx[3], N);
	PASS();
}

TEST an_evicted_copy_means_a_whole_page(void)
{
	send_round(&cache, 1, 2);
	send_round(&cache, 5, 6); /* frame 5 takes frame 1's slot */
	guest[1][0] ^= 1;
	send_round(&cache, 1, 2);
	ASSERT_EQ(3, counts.data);
	ASSERT_EQ(0, counts.delta);
	ASSERT_MEM_EQ(guest[1], rx[1], N);
	PASS();
}

TEST a_page_that_became_zero_goes_bare_and_back_as_a_delta(void)
{
	send_round(&cache, 2, 3);
	memset(guest[2], 0, N);
	send_round(&cache, 2, 3);
	ASSERT_EQ(1, counts.zero);
	guest[2][9] = 4;
	send_round(&cache, 2, 3);
	ASSERT_EQ(1, counts.delta);
	ASSERT_MEM_EQ(guest[2], rx[2], N);
	PASS();
}

TEST a_zero_page_keeps_another_frames_copy(void)
{
	send_round(&cache, 1, 2);
	memset(guest[5], 0, N); /* frame 5 maps to frame 1's slot */
	send_round(&cache, 5, 6);
	guest[1][100] ^= 0x5a;
	send_round(&cache, 1, 2);
	ASSERT_EQ(1, counts.zero);
	ASSERT_EQ(1, counts.delta);
	ASSERT_MEM_EQ(guest[1], rx[1], N);
	guest[5][7] = 1; /* never cached: goes whole, and takes its slot back */
	send_round(&cache, 5, 6);
	ASSERT_EQ(2, counts.data);
	ASSERT_MEM_EQ(guest[5], rx[5], N);
	PASS();
}

TEST without_a_cache_pages_go_whole(void)
{
	send_round(NULL, 1, 3);
	guest[1][0] ^= 1;
	send_round(NULL, 1, 3);
	ASSERT_EQ(4, counts.data);
	ASSERT_EQ(0, counts.delta + counts.unchanged);
	ASSERT_MEM_EQ(guest[1], rx[1], N);
	PASS();
}

TEST a_full_batch_changes_nothing(void)
{
	uint8_t small[MSTREAM_FRAME_HEAD + MSTREAM_BATCH_HEAD + MSTREAM_PAGE_HEAD + 8];

	send_round(&cache, 1, 2);
	guest[1][0] ^= 1;
	mstream_batch_begin(&batch, small, MSTREAM_FRAME_HEAD + MSTREAM_BATCH_HEAD + 4, 1);
	ASSERT_EQ(-ENOSPC, send_page_add(&batch, &cache, 1, guest[1], &counts));
	ASSERT_EQ(1, counts.data);
	ASSERT_EQ(0, counts.delta);
	/* the cache still holds the copy the receiver has: the delta goes next time */
	send_round(&cache, 1, 2);
	ASSERT_EQ(1, counts.delta);
	ASSERT_MEM_EQ(guest[1], rx[1], N);
	PASS();
}

SUITE(send_page)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(first_pass_sends_zeros_bare_and_data_whole);
		RUN_TEST(a_small_change_goes_as_a_delta);
		RUN_TEST(an_unchanged_page_is_not_sent_again);
		RUN_TEST(a_rewritten_page_goes_whole);
		RUN_TEST(an_evicted_copy_means_a_whole_page);
		RUN_TEST(a_page_that_became_zero_goes_bare_and_back_as_a_delta);
		RUN_TEST(a_zero_page_keeps_another_frames_copy);
		RUN_TEST(without_a_cache_pages_go_whole);
		RUN_TEST(a_full_batch_changes_nothing);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(send_page);
	});
	GREATEST_MAIN_END();
}
