/*
 * How an outgoing migration ends (see sender.h, and
 * docs/migration-stream.md, "Who runs the guest, and when"):
 *
 *   refused, lost, timed out, cancelled before the acceptance
 *       -> failed/cancelled: the guest is given back (resumed here);
 *   accepted -> we send our commit: from then on the guest is not ours
 *       to resume, whatever happens;
 *   commit acknowledged by TCP (or the destination's FIN after it)
 *       -> done: the guest is freed here, it runs there;
 *   link lost or silent before that -> in-doubt: the guest stays here,
 *       paused, so that exactly one copy can run: the destination's if
 *       the commit reached it, else this one once the operator resumes it.
 *
 * Main loop only, like sender.c.
 */
#include <stdarg.h>

#include "kernel/clock.h"
#include "kernel/dirty_guest.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "lib/fmt.h"
#include "migrate/sender_priv.h"
#include "migrate/transfer.h"

/* Drop the connection: a close after success, a reset otherwise. */
static void drop_pcb(bool graceful)
{
	mchan_close(&snd.ch, graceful);
}

void msend_free_todo(void)
{
	if (snd.todo_words)
		physmem_free_pages(snd.todo_words, snd.todo_order);
	snd.todo_words = 0;
	if (snd.cache_mem)
		physmem_free_pages(snd.cache_mem, snd.cache_order);
	snd.cache_mem = 0;
}

/* Stop tracking the guest: dirty log off, throttle lifted (its run state untouched). */
static void untrack_guest(struct guest *g)
{
	if (dirty_guest_log(g))
		dirty_guest_stop(g);
	g->throttle_pct = 0;
}

void msend_give_back_guest(void)
{
	struct guest *g = snd.g;

	if (!g || !g->used || g->state == GUEST_STOPPED)
		return;
	untrack_guest(g);
	if (snd.paused_by_us && !snd.was_paused)
		guest_resume(g);
}

static void set_error(const char *fmt, va_list ap)
{
	fmt_vsnprintf(snd.st.error, sizeof(snd.st.error), fmt, ap);
}

void msend_finish(enum msend_event ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(fmt, ap);
	va_end(ap);
	migrate_send_status(); /* last totals */
	snd.st.phase = msend_phase_next(snd.st.phase, ev);
	msend_give_back_guest();
	drop_pcb(false);
	msend_free_todo();
	snd.g = NULL;
	log_warn("migrate %s: %s: %s; the guest stays here", snd.st.guest,
		 msend_phase_name(snd.st.phase), snd.st.error);
}

static void in_doubt(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * The commit went out but its arrival is unknown: the destination runs
 * the guest if it got it and throws its copy away if not. Ours stays
 * paused (never resumed by us): the operator resumes it only if the
 * destination does not run the guest.
 */
static void in_doubt(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(fmt, ap);
	va_end(ap);
	migrate_send_status();
	snd.st.phase = msend_phase_next(snd.st.phase, MSEND_EV_FAILURE);
	if (snd.g && snd.g->used && snd.g->state != GUEST_STOPPED)
		untrack_guest(snd.g);
	drop_pcb(false);
	msend_free_todo();
	snd.g = NULL;
	log_warn("migrate %s: in doubt: %s; the guest stays here paused: resume it (guest resume "
		 "%s) only if the destination does not run it", snd.st.guest, snd.st.error,
		 snd.st.guest);
}

/* Our commit reached the destination: it runs the guest now; release ours. */
static void succeed(void)
{
	struct guest *g = snd.g;

	snd.st.downtime_ns = clock_ns() - snd.pause_ns;
	migrate_send_status();
	snd.st.phase = msend_phase_next(snd.st.phase, MSEND_EV_COMMITTED);
	drop_pcb(true);
	msend_free_todo();
	snd.g = NULL;
	if (g && g->used) {
		guest_stop(g, "migrated");
		guest_free(g); /* gone from `guest list`: it lives on the destination */
	}
	log_info("migrate %s: done, %lu pages (%lu zero), %lu bytes, downtime %lu ms",
		 snd.st.guest, snd.st.pages_sent, snd.st.zero_pages, snd.st.bytes,
		 snd.st.downtime_ns / 1000000);
}

int migrate_send_cancel(void)
{
	if (!migrate_send_active())
		return -EINVAL;
	if (snd.st.phase == MSEND_COMMIT)
		return -EBUSY; /* the guest is already the destination's */
	msend_finish(MSEND_EV_CANCEL, "cancelled by the operator");
	return 0;
}

/* Why the guest cannot go on being migrated, or NULL. */
static const char *guest_trouble(void)
{
	struct guest *g = snd.g;

	if (!g->used || g->state == GUEST_STOPPED)
		return "the guest stopped during the migration";
	if (snd.paused_by_us && g->state != GUEST_PAUSED)
		return "the guest was resumed during stop-and-copy";
	if (!dirty_guest_log(g))
		return "the guest's dirty log was stopped during the migration";
	return NULL;
}

static bool withhold_commit; /* test hook: lose the next commit */

void migrate_send_withhold_commit(void)
{
	withhold_commit = true;
}

/* Accepted: queue our commit (the record buffer is free: everything went out). */
static void send_commit(void)
{
	int n = mack_encode(snd.out, MACK_MAX, MACK_COMMIT, "source released the guest");

	snd.st.phase = msend_phase_next(snd.st.phase, MSEND_EV_ACCEPTED);
	snd.out_len = n > 0 ? (size_t)n : 0;
	snd.out_off = 0;
	snd.commit_queued = true;
	snd.commit_ns = clock_ns();
	if (withhold_commit) {
		snd.out_len = 0; /* never sent, so never acknowledged: as if lost */
		snd.commit_queued = false;
		withhold_commit = false;
	}
}

/* The answer arrived: accepted, or refused with a reason. */
static void answered(void)
{
	if (snd.ans.status == MACK_ERROR)
		msend_finish(MSEND_EV_FAILURE, "bad answer from the destination: %s", snd.ans.msg);
	else if (snd.ans.code == MACK_COMMIT)
		msend_finish(MSEND_EV_FAILURE, "the destination sent a commit, not an answer");
	else if (snd.ans.code != MACK_ACCEPTED)
		msend_finish(MSEND_EV_FAILURE, "refused by the destination: %s: %s",
			     mack_code_name(snd.ans.code), snd.ans.msg);
	else if (snd.st.phase != MSEND_WAIT_ACK || snd.out_len)
		msend_finish(MSEND_EV_FAILURE, "the destination accepted an incomplete stream");
	else
		send_commit();
}

/*
 * Commit phase: done once TCP acknowledged the commit, or the destination
 * closed gracefully after the whole commit went out (it closes so only
 * after running the guest). Anything else ends in doubt.
 */
static bool check_commit(uint64_t now)
{
	const char *why = snd.g ? guest_trouble() : NULL;

	if (snd.commit_queued && !snd.out_len && mchan_drained(&snd.ch))
		succeed();
	else if (snd.ch.peer_closed && !snd.ch.lost && !snd.out_len && snd.ans.status == MACK_DONE)
		succeed();
	else if (why)
		in_doubt("%s", why);
	else if (snd.ans.status == MACK_ERROR)
		in_doubt("bytes from the destination after its acceptance: %s", snd.ans.msg);
	else if (mchan_error(&snd.ch))
		in_doubt("TLS after the acceptance: %s", mchan_error(&snd.ch));
	else if (snd.ch.lost || snd.ch.peer_closed)
		in_doubt("connection lost before the commit was acknowledged");
	else if (now - snd.commit_ns >= TRANSFER_COMMIT_NS)
		in_doubt("the commit was not acknowledged within %lu s",
			 (unsigned long)(TRANSFER_COMMIT_NS / TRANSFER_NS_PER_S));
	else
		return false;
	return true;
}

bool msend_check_link(uint64_t now)
{
	const char *why;

	if (snd.st.phase == MSEND_COMMIT)
		return check_commit(now);
	why = snd.g ? guest_trouble() : NULL;
	if (why)
		msend_finish(MSEND_EV_FAILURE, "%s", why);
	else if (mchan_peer_hint(&snd.ch))
		msend_finish(MSEND_EV_FAILURE, "refused: %s", mchan_peer_hint(&snd.ch));
	else if (snd.ans.status != MACK_MORE)
		answered();
	else if (mchan_error(&snd.ch))
		msend_finish(MSEND_EV_FAILURE, "TLS: %s", mchan_error(&snd.ch));

	else if (snd.ch.lost)
		msend_finish(MSEND_EV_FAILURE, snd.ch.connected ? "connection to the destination lost"
							     : "cannot connect to the destination");
	else if (snd.ch.peer_closed)
		msend_finish(MSEND_EV_FAILURE, "the destination closed the connection without an answer");
	else if (now - snd.ch.last_ns >= (snd.st.phase == MSEND_WAIT_ACK ? TRANSFER_ANSWER_NS
									  : TRANSFER_STALL_NS))
		msend_finish(MSEND_EV_FAILURE, "timed out: no progress for %lu s",
			     (unsigned long)((now - snd.ch.last_ns) / TRANSFER_NS_PER_S));
	else
		return false;
	return snd.st.phase != MSEND_COMMIT; /* accepted: the commit goes out from the poll */
}
