/*
 * Moves between the phases of an outgoing migration (see send_phase.h).
 */
#include "migrate/send_phase.h"

static const char *const names[] = {
	"idle", "connecting", "first-pass", "rounds", "stop-and-copy",
	"digest", "wait-ack", "commit", "done", "failed", "cancelled", "in-doubt",
};

const char *msend_phase_name(enum msend_phase p)
{
	return (unsigned)p <= MSEND_IN_DOUBT ? names[p] : "unknown";
}

bool msend_phase_active(enum msend_phase p)
{
	return p > MSEND_IDLE && p < MSEND_DONE;
}

bool msend_phase_paused(enum msend_phase p)
{
	return (p >= MSEND_STOP_COPY && p <= MSEND_COMMIT) || p == MSEND_IN_DOUBT;
}

/* The one phase in which each forward event makes sense, and where it leads. */
static bool forward(enum msend_phase p, enum msend_event e, enum msend_phase *to)
{
	bool pass = p == MSEND_FIRST_PASS || p == MSEND_ROUNDS;

	switch (e) {
	case MSEND_EV_CONNECTED: *to = MSEND_FIRST_PASS; return p == MSEND_CONNECTING;
	case MSEND_EV_NEXT_ROUND: *to = MSEND_ROUNDS; return pass;
	case MSEND_EV_STOP_COPY: *to = MSEND_STOP_COPY; return pass;
	case MSEND_EV_COPIED: *to = MSEND_DIGEST; return p == MSEND_STOP_COPY;
	case MSEND_EV_END_QUEUED: *to = MSEND_WAIT_ACK; return p == MSEND_DIGEST;
	/* accepted before the whole stream went out: the peer is confused */
	case MSEND_EV_ACCEPTED: *to = MSEND_COMMIT; return p == MSEND_WAIT_ACK;
	case MSEND_EV_COMMITTED: *to = MSEND_DONE; return p == MSEND_COMMIT;
	default: return false;
	}
}

enum msend_phase msend_phase_next(enum msend_phase p, enum msend_event e)
{
	enum msend_phase to;

	if (!msend_phase_active(p))
		return p; /* finished (or never started): nothing moves it */
	if (p == MSEND_COMMIT && e == MSEND_EV_CANCEL)
		return p; /* the commit is sent: too late to take the guest back */
	if (p == MSEND_COMMIT && e != MSEND_EV_COMMITTED)
		return MSEND_IN_DOUBT; /* the guest is no longer ours to resume */
	if (e == MSEND_EV_CANCEL)
		return MSEND_CANCELLED;
	if (e == MSEND_EV_FAILURE)
		return MSEND_FAILED;
	return forward(p, e, &to) ? to : MSEND_FAILED;
}
