/*
 * The phases of an outgoing migration and the one table of moves between
 * them (migrate/sender.c acts, this decides). Pure, so every transition
 * is tested on the host, including the ones that must not happen: an
 * event that makes no sense in a phase fails the migration, which leaves
 * the guest where it is, rather than carrying on.
 *
 *   connecting -> first-pass -> rounds* -> stop-and-copy -> digest
 *              -> wait-ack -> commit -> done | failed | cancelled | in-doubt
 *
 * The commit phase is the end of the handshake (docs/migration-stream.md,
 * "Who runs the guest, and when"): the destination accepted, the source
 * has let go and sent its commit, and waits for TCP to acknowledge it.
 * Nothing there gives the guest back: a failure ends in-doubt (the guest
 * stays paused here, the destination may run it), and a cancel is
 * ignored (the commit cannot be taken back).
 */
#ifndef MIGRATE_SEND_PHASE_H
#define MIGRATE_SEND_PHASE_H

#include "lib/types.h"

enum msend_phase {
	MSEND_IDLE,
	MSEND_CONNECTING,
	MSEND_FIRST_PASS, /* every frame of RAM, zero pages as bare records */
	MSEND_ROUNDS,     /* the pages the dirty log reported */
	MSEND_STOP_COPY,  /* guest paused: the last dirty pages, then its state */
	MSEND_DIGEST,     /* guest paused: digest over all RAM, then the end record */
	MSEND_WAIT_ACK,   /* everything sent: the destination checks and answers */
	MSEND_COMMIT,     /* accepted: our commit is on its way; the guest is no longer ours */
	MSEND_DONE,
	MSEND_FAILED,
	MSEND_CANCELLED,
	MSEND_IN_DOUBT,   /* the commit may not have arrived: the guest stays paused here */
};

enum msend_event {
	MSEND_EV_CONNECTED,  /* TCP connection established */
	MSEND_EV_NEXT_ROUND, /* a pass ended, the policy wants another round */
	MSEND_EV_STOP_COPY,  /* a pass ended, the policy says stop and copy */
	MSEND_EV_COPIED,     /* stop-and-copy's pages and the state record are queued */
	MSEND_EV_END_QUEUED, /* digest done, end record queued */
	MSEND_EV_ACCEPTED,   /* the destination's answer: accepted (our commit is queued) */
	MSEND_EV_COMMITTED,  /* TCP acknowledged our commit: the destination runs the guest */
	MSEND_EV_FAILURE,    /* refused, bad answer, lost, timed out, guest gone */
	MSEND_EV_CANCEL,     /* the operator */
};

/* The phase after event e in phase p. */
enum msend_phase msend_phase_next(enum msend_phase p, enum msend_event e);

/* Whether p is under way (neither idle nor finished). */
bool msend_phase_active(enum msend_phase p);

/* Whether the guest is paused by the migration in p (in-doubt keeps it paused too). */
bool msend_phase_paused(enum msend_phase p);

/* "connecting", "first-pass", ... */
const char *msend_phase_name(enum msend_phase p);

#endif
