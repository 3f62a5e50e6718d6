/*
 * Unit tests for migrate/precopy.c: when pre-copy stops and copies, when
 * it throttles the guest, and the arithmetic it decides with.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/precopy.h"

#define PAGE 4096ULL
#define MB_S 1000000ULL /* a link's bytes per second */

static struct precopy_params params;
static struct precopy pc;

static void setup(void *arg)
{
	precopy_params_default(&params);
	precopy_init(&pc, &params);
}

static void reinit(void)
{
	precopy_init(&pc, &params);
}

TEST defaults_are_qemus_words(void)
{
	ASSERT_EQ(300, params.downtime_limit_ms);
	ASSERT_EQ(0, params.max_bandwidth_mibps);
	ASSERT_EQ(PRECOPY_ROUNDS_DEFAULT, params.max_rounds);
	ASSERT(params.auto_converge);
	ASSERT_EQ(PRECOPY_NOT_YET, pc.reason);
	ASSERT_EQ(0, pc.throttle_pct);
	PASS();
}

TEST prediction_is_bytes_over_bandwidth(void)
{
	ASSERT_EQ(0, precopy_predict_ns(0, 0));
	ASSERT_EQ(UINT64_MAX, precopy_predict_ns(1, 0));
	ASSERT_EQ(1000000000ULL, precopy_predict_ns(MB_S, MB_S));
	ASSERT_EQ(250000000ULL, precopy_predict_ns(MB_S / 4, MB_S));
	/* 64 GiB over a slow link does not overflow into something small */
	ASSERT(precopy_predict_ns(64ULL << 30, 1000) > 60ULL * 1000000000ULL);
	PASS();
}

TEST rate_and_budget(void)
{
	ASSERT_EQ(0, precopy_rate(100, 0));
	ASSERT_EQ(2 * MB_S, precopy_rate(MB_S, 500000000ULL));
	ASSERT_EQ(UINT64_MAX, precopy_budget(123, 0));
	ASSERT_EQ(1ULL << 20, precopy_budget(1000000000ULL, 1));
	ASSERT_EQ(5ULL << 19, precopy_budget(500000000ULL, 5));
	/* large values: no overflow, monotonic */
	ASSERT(precopy_rate(1ULL << 40, 1ULL << 40) >= 999999999ULL);
	ASSERT(precopy_budget(1ULL << 40, 100000) > precopy_budget(1ULL << 39, 100000));
	ASSERT_EQ(UINT64_MAX, precopy_budget(UINT64_MAX, 100000)); /* saturates */
	ASSERT_EQ(3 * MB_S + MB_S / 3, precopy_rate(10 * MB_S, 3000000000ULL));
	PASS();
}

TEST few_dirty_pages_stop_at_once(void)
{
	/* 50 pages at 1 MB/s: 205 ms < 300 ms */
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, 50, MB_S));
	ASSERT_EQ(PRECOPY_DOWNTIME, pc.reason);
	ASSERT_EQ(50 * PAGE * 1000000000ULL / MB_S, pc.expected_ns);
	ASSERT_STR_EQ("downtime", precopy_reason_name(pc.reason));
	PASS();
}

TEST no_dirty_pages_stop_even_without_a_measurement(void)
{
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, 0, 0));
	ASSERT_EQ(PRECOPY_DOWNTIME, pc.reason);
	PASS();
}

TEST the_limit_is_inclusive_and_configurable(void)
{
	/* 1 MB at 1 MB/s is exactly 1000 ms */
	params.downtime_limit_ms = 1000;
	reinit();
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, MB_S / PAGE, MB_S * PAGE / PAGE));
	params.downtime_limit_ms = 1;
	reinit();
	ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 1000, MB_S));
	PASS();
}

TEST shrinking_rounds_go_on(void)
{
	uint64_t dirty = 4000;
	int i;

	for (i = 0; i < 10; i++, dirty = dirty * 8 / 10) {
		ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, dirty, MB_S / 10));
		ASSERT_EQ(0, pc.throttle_pct);
	}
	ASSERT_EQ(10, pc.round);
	PASS();
}

TEST the_round_limit_stops(void)
{
	int i;

	params.max_rounds = 3;
	params.auto_converge = false;
	reinit();
	for (i = 0; i < 3; i++)
		ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 1000 - i * 200, 1000));
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, 300, 1000));
	ASSERT_EQ(PRECOPY_MAX_ROUNDS, pc.reason);
	ASSERT_STR_EQ("max-rounds", precopy_reason_name(pc.reason));
	PASS();
}

TEST zero_rounds_means_stop_after_the_first_pass(void)
{
	params.max_rounds = 0;
	reinit();
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, 100000, 1000));
	ASSERT_EQ(PRECOPY_MAX_ROUNDS, pc.reason);
	PASS();
}

TEST stalled_rounds_stop_without_auto_converge(void)
{
	params.auto_converge = false;
	reinit();
	ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 1000, 1000)); /* first pass */
	ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 1000, 1000)); /* stall 1 */
	ASSERT_EQ(PRECOPY_STOP_AND_COPY, precopy_after_round(&pc, 990, 1000)); /* stall 2 */
	ASSERT_EQ(PRECOPY_NOT_SHRINKING, pc.reason);
	ASSERT_STR_EQ("not-shrinking", precopy_reason_name(pc.reason));
	ASSERT_EQ(0, pc.throttle_pct);
	PASS();
}

TEST one_shrinking_round_resets_the_stall_count(void)
{
	params.auto_converge = false;
	reinit();
	precopy_after_round(&pc, 1000, 1000);
	precopy_after_round(&pc, 1000, 1000);   /* stall 1 */
	ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 500, 1000)); /* shrank */
	ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 500, 1000)); /* stall 1 again */
	ASSERT_EQ(PRECOPY_NOT_YET, pc.reason);
	PASS();
}

TEST auto_converge_throttles_in_steps_up_to_its_cap(void)
{
	uint32_t last = 0;
	int i;

	params.max_rounds = 1000;
	reinit();
	precopy_after_round(&pc, 1000, 1000);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(PRECOPY_NEXT_ROUND, precopy_after_round(&pc, 1000, 1000));
		ASSERT(pc.throttle_pct >= last);
		last = pc.throttle_pct;
	}
	ASSERT_EQ(PRECOPY_THROTTLE_MAX, pc.throttle_pct);
	ASSERT_EQ(PRECOPY_NOT_YET, pc.reason);
	PASS();
}

TEST first_throttle_after_two_stalls(void)
{
	precopy_after_round(&pc, 1000, 1000);
	precopy_after_round(&pc, 1000, 1000);
	ASSERT_EQ(0, pc.throttle_pct);
	precopy_after_round(&pc, 1000, 1000);
	ASSERT_EQ(PRECOPY_THROTTLE_FIRST, pc.throttle_pct);
	precopy_after_round(&pc, 1000, 1000);
	ASSERT_EQ(PRECOPY_THROTTLE_FIRST, pc.throttle_pct);
	precopy_after_round(&pc, 1000, 1000);
	ASSERT_EQ(PRECOPY_THROTTLE_FIRST + PRECOPY_THROTTLE_STEP, pc.throttle_pct);
	PASS();
}

TEST throttled_guest_converges_by_downtime(void)
{
	/* a guest that slows down once throttled ends by the downtime rule */
	uint64_t dirty = 1000;
	int i;

	precopy_after_round(&pc, dirty, MB_S / 100);
	for (i = 0; i < 30 && precopy_after_round(&pc, dirty, MB_S / 100) == PRECOPY_NEXT_ROUND; i++)
		dirty = pc.throttle_pct ? dirty / 4 : dirty;
	ASSERT_EQ(PRECOPY_DOWNTIME, pc.reason);
	ASSERT(pc.throttle_pct > 0);
	PASS();
}

TEST reason_names(void)
{
	ASSERT_STR_EQ("", precopy_reason_name(PRECOPY_NOT_YET));
	ASSERT_STR_EQ("unknown", precopy_reason_name((enum precopy_reason)42));
	PASS();
}

SUITE(precopy)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(defaults_are_qemus_words);
		RUN_TEST(prediction_is_bytes_over_bandwidth);
		RUN_TEST(rate_and_budget);
		RUN_TEST(few_dirty_pages_stop_at_once);
		RUN_TEST(no_dirty_pages_stop_even_without_a_measurement);
		RUN_TEST(the_limit_is_inclusive_and_configurable);
		RUN_TEST(shrinking_rounds_go_on);
		RUN_TEST(the_round_limit_stops);
		RUN_TEST(zero_rounds_means_stop_after_the_first_pass);
		RUN_TEST(stalled_rounds_stop_without_auto_converge);
		RUN_TEST(one_shrinking_round_resets_the_stall_count);
		RUN_TEST(auto_converge_throttles_in_steps_up_to_its_cap);
		RUN_TEST(first_throttle_after_two_stalls);
		RUN_TEST(throttled_guest_converges_by_downtime);
		RUN_TEST(reason_names);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(precopy);
	});
	GREATEST_MAIN_END();
}
