/*
 * Unit tests for migrate/send_phase.c: the moves of an outgoing
 * migration. The happy path, every way out of every phase, and that an
 * event out of place fails the migration (leaving the guest where it
 * is) instead of moving it on.
 */
#include "greatest.h"
#include "unit_order.h"
#include "migrate/send_phase.h"

#define NPHASES (MSEND_IN_DOUBT + 1)
#define NEVENTS (MSEND_EV_CANCEL + 1)

TEST happy_path_with_two_rounds(void)
{
	static const enum msend_event evs[] = {
		MSEND_EV_CONNECTED, MSEND_EV_NEXT_ROUND, MSEND_EV_NEXT_ROUND, MSEND_EV_STOP_COPY,
		MSEND_EV_COPIED, MSEND_EV_END_QUEUED, MSEND_EV_ACCEPTED, MSEND_EV_COMMITTED,
	};
	static const enum msend_phase want[] = {
		MSEND_FIRST_PASS, MSEND_ROUNDS, MSEND_ROUNDS, MSEND_STOP_COPY,
		MSEND_DIGEST, MSEND_WAIT_ACK, MSEND_COMMIT, MSEND_DONE,
	};
	enum msend_phase p = MSEND_CONNECTING;
	size_t i;

	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		p = msend_phase_next(p, evs[i]);
		ASSERT_EQ_FMT((int)want[i], (int)p, "%d");
	}
	PASS();
}

TEST stop_and_copy_straight_after_the_first_pass(void)
{
	ASSERT_EQ(MSEND_STOP_COPY, msend_phase_next(MSEND_FIRST_PASS, MSEND_EV_STOP_COPY));
	PASS();
}

TEST failure_and_cancel_end_every_active_phase(void)
{
	int p;

	for (p = MSEND_CONNECTING; p <= MSEND_WAIT_ACK; p++) {
		ASSERT(msend_phase_active((enum msend_phase)p));
		ASSERT_EQ(MSEND_FAILED, msend_phase_next((enum msend_phase)p, MSEND_EV_FAILURE));
		ASSERT_EQ(MSEND_CANCELLED, msend_phase_next((enum msend_phase)p, MSEND_EV_CANCEL));
	}
	PASS();
}

TEST finished_phases_do_not_move(void)
{
	static const enum msend_phase done[] = { MSEND_IDLE, MSEND_DONE, MSEND_FAILED,
						 MSEND_CANCELLED, MSEND_IN_DOUBT };
	size_t i;
	int e;

	for (i = 0; i < sizeof(done) / sizeof(done[0]); i++) {
		ASSERT(!msend_phase_active(done[i]));
		for (e = 0; e < NEVENTS; e++)
			ASSERT_EQ(done[i], msend_phase_next(done[i], (enum msend_event)e));
	}
	PASS();
}

TEST accepted_before_the_end_is_a_failure(void)
{
	int p;

	for (p = MSEND_CONNECTING; p < MSEND_WAIT_ACK; p++)
		ASSERT_EQ(MSEND_FAILED, msend_phase_next((enum msend_phase)p, MSEND_EV_ACCEPTED));
	PASS();
}

/* Exactly one forward event is valid in each active phase but rounds (two) and passes (two). */
TEST events_out_of_place_fail(void)
{
	int p, e, forward;

	for (p = MSEND_CONNECTING; p <= MSEND_WAIT_ACK; p++) {
		forward = 0;
		for (e = MSEND_EV_CONNECTED; e <= MSEND_EV_COMMITTED; e++) {
			enum msend_phase to = msend_phase_next((enum msend_phase)p, (enum msend_event)e);

			if (to != MSEND_FAILED) {
				forward++;
				ASSERT((int)to > p || (p == MSEND_ROUNDS && to == MSEND_ROUNDS));
			}
		}
		ASSERT_EQ(p == MSEND_FIRST_PASS || p == MSEND_ROUNDS ? 2 : 1, forward);
	}
	PASS();
}

TEST the_guest_is_paused_from_stop_and_copy_to_the_commit(void)
{
	int p;

	for (p = 0; p < NPHASES; p++)
		ASSERT_EQ((p >= MSEND_STOP_COPY && p <= MSEND_COMMIT) || p == MSEND_IN_DOUBT,
			  msend_phase_paused((enum msend_phase)p));
	PASS();
}

/*
 * Once the commit is sent the guest is not ours: nothing but the commit's
 * acknowledgement ends that phase in done; every other event (lost,
 * refused, timed out, an answer again) ends it in doubt, never failed
 * (which would resume the guest here); a cancel changes nothing.
 */
TEST after_the_commit_only_done_or_in_doubt(void)
{
	int e;

	for (e = 0; e < NEVENTS; e++) {
		enum msend_phase to = msend_phase_next(MSEND_COMMIT, (enum msend_event)e);

		if (e == MSEND_EV_COMMITTED)
			ASSERT_EQ(MSEND_DONE, to);
		else if (e == MSEND_EV_CANCEL)
			ASSERT_EQ(MSEND_COMMIT, to);
		else
			ASSERT_EQ(MSEND_IN_DOUBT, to);
	}
	ASSERT(msend_phase_active(MSEND_COMMIT));
	ASSERT(!msend_phase_active(MSEND_IN_DOUBT));
	PASS();
}

TEST committed_before_the_commit_is_a_failure(void)
{
	int p;

	for (p = MSEND_CONNECTING; p < MSEND_COMMIT; p++)
		ASSERT_EQ(MSEND_FAILED, msend_phase_next((enum msend_phase)p, MSEND_EV_COMMITTED));
	PASS();
}

TEST names(void)
{
	ASSERT_STR_EQ("idle", msend_phase_name(MSEND_IDLE));
	ASSERT_STR_EQ("stop-and-copy", msend_phase_name(MSEND_STOP_COPY));
	ASSERT_STR_EQ("wait-ack", msend_phase_name(MSEND_WAIT_ACK));
	ASSERT_STR_EQ("cancelled", msend_phase_name(MSEND_CANCELLED));
	ASSERT_STR_EQ("commit", msend_phase_name(MSEND_COMMIT));
	ASSERT_STR_EQ("in-doubt", msend_phase_name(MSEND_IN_DOUBT));
	ASSERT_STR_EQ("unknown", msend_phase_name((enum msend_phase)NPHASES));
	PASS();
}

SUITE(send_phase)
{
	SHUFFLED_TESTS({
		RUN_TEST(happy_path_with_two_rounds);
		RUN_TEST(stop_and_copy_straight_after_the_first_pass);
		RUN_TEST(failure_and_cancel_end_every_active_phase);
		RUN_TEST(finished_phases_do_not_move);
		RUN_TEST(accepted_before_the_end_is_a_failure);
		RUN_TEST(events_out_of_place_fail);
		RUN_TEST(the_guest_is_paused_from_stop_and_copy_to_the_commit);
		RUN_TEST(after_the_commit_only_done_or_in_doubt);
		RUN_TEST(committed_before_the_commit_is_a_failure);
		RUN_TEST(names);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(send_phase);
	});
	GREATEST_MAIN_END();
}
