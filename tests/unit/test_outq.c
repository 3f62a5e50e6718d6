/* Unit tests for lib/outq.c: the console's output FIFO. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/outq.h"

static char storage[8];
static struct outq q;
static char drained[32];

static void setup(void *arg)
{
	(void)arg;
	memset(storage, 0, sizeof(storage));
	outq_init(&q, storage, sizeof(storage));
}

TEST put_take_keeps_order_across_the_wrap(void)
{
	ASSERT_EQ(5u, outq_put(&q, "abcde", 5));
	ASSERT_EQ(3u, outq_take(&q, drained, 3));
	ASSERT_MEM_EQ("abc", drained, 3);
	ASSERT_EQ(6u, outq_put(&q, "fghijk", 6)); /* wraps: 2 + 6 = 8 */
	ASSERT_EQ(0u, outq_space(&q));
	ASSERT_EQ(8u, outq_take(&q, drained, sizeof(drained)));
	ASSERT_MEM_EQ("defghijk", drained, 8);
	ASSERT_EQ(8u, outq_space(&q));
	PASS();
}

TEST put_stops_at_full(void)
{
	ASSERT_EQ(8u, outq_put(&q, "0123456789", 10));
	ASSERT_EQ(0u, outq_put(&q, "x", 1));
	ASSERT_EQ(0u, q.dropped_bytes); /* a partial put is the caller's business */
	PASS();
}

TEST put_all_is_all_or_nothing_and_counts(void)
{
	ASSERT(outq_put_all(&q, "abcdef", 6));
	ASSERT_FALSE(outq_put_all(&q, "xyz", 3));
	ASSERT_EQ(3u, q.dropped_bytes);
	ASSERT_EQ(1u, q.dropped_writes);
	ASSERT_EQ(2u, outq_space(&q));
	ASSERT(outq_put_all(&q, "gh", 2)); /* exactly the space left */
	ASSERT_EQ(8u, outq_take(&q, drained, sizeof(drained)));
	ASSERT_MEM_EQ("abcdefgh", drained, 8);
	PASS();
}

TEST line_finds_the_first_newline_even_wrapped(void)
{
	ASSERT_EQ(0u, outq_line(&q));
	outq_put(&q, "ab", 2);
	ASSERT_EQ(0u, outq_line(&q)); /* no newline yet */
	outq_put(&q, "\ncd", 3);
	ASSERT_EQ(3u, outq_line(&q));
	outq_take(&q, drained, 3);
	outq_put(&q, "efg\n", 4); /* "cdefg\n" wraps around the end */
	ASSERT_EQ(6u, outq_line(&q));
	ASSERT_EQ(6u, outq_take(&q, drained, 6));
	ASSERT_MEM_EQ("cdefg\n", drained, 6);
	PASS();
}

TEST take_writes_only_what_it_takes(void)
{
	memset(drained, '#', sizeof(drained));
	outq_put(&q, "abcde", 5);
	ASSERT_EQ(3u, outq_take(&q, drained, 3));
	ASSERT_MEM_EQ("abc#", drained, 4);
	PASS();
}

TEST line_of_a_lone_newline_at_the_head(void)
{
	outq_put(&q, "\nab\n", 4);
	ASSERT_EQ(1u, outq_line(&q));
	PASS();
}

TEST line_ignores_stale_bytes_past_the_queue(void)
{
	outq_put(&q, "a\n", 2);
	outq_take(&q, drained, 2); /* the '\n' stays in storage[1], no longer queued */
	outq_put(&q, "bcdefgh", 7); /* storage[2..7] and [0]: the next byte is [1] */
	ASSERT_EQ(0u, outq_line(&q));
	PASS();
}

TEST take_from_empty_gives_nothing(void)
{
	ASSERT_EQ(0u, outq_take(&q, drained, sizeof(drained)));
	ASSERT_EQ(8u, outq_space(&q));
	PASS();
}

SUITE(outq)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(put_take_keeps_order_across_the_wrap);
		RUN_TEST(put_stops_at_full);
		RUN_TEST(put_all_is_all_or_nothing_and_counts);
		RUN_TEST(line_finds_the_first_newline_even_wrapped);
		RUN_TEST(take_from_empty_gives_nothing);
		RUN_TEST(take_writes_only_what_it_takes);
		RUN_TEST(line_of_a_lone_newline_at_the_head);
		RUN_TEST(line_ignores_stale_bytes_past_the_queue);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(outq);
	});
	GREATEST_MAIN_END();
}
