/*
 * The source side of a live migration: one guest at a time streamed to
 * a peer's `migrate incoming` over lwIP's raw TCP API. A state machine
 * stepped from the main loop (migrate_send_poll); commands only start
 * and cancel it, so the console stays responsive while it runs.
 *
 * Its phases and the moves between them are migrate/send_phase.h's.
 *
 * Whatever goes wrong, the guest is left as it was found: running (or
 * paused, if it was paused), with its dirty log stopped and its throttle
 * lifted. Only an accepted answer from the destination releases it.
 */
#ifndef MIGRATE_SENDER_H
#define MIGRATE_SENDER_H

#include "kernel/guest_spec.h"
#include "lib/types.h"
#include "migrate/fault.h"
#include "migrate/precopy.h"
#include "migrate/send_phase.h"


struct msend_status {
	enum msend_phase phase;
	char guest[GUEST_NAME_MAX];
	uint32_t addr;  /* destination, host byte order */
	uint16_t port;
	char tls[48];   /* the connection's cipher suite, "none (tls off)", or "" mid-handshake */
	uint32_t round; /* 0: first pass */
	uint64_t pages_sent, zero_pages, data_pages;
	uint64_t delta_pages;     /* re-sent as deltas against the copy sent before */
	uint64_t unchanged_pages; /* dirty but equal to the copy sent: not sent again */
	uint64_t delta_saved;     /* wire bytes the deltas saved over whole pages */
	uint64_t dirty_pages;     /* what the last harvest found */
	uint64_t bytes;           /* stream bytes the destination acknowledged */
	uint64_t ram_bytes;
	uint64_t bandwidth;       /* bytes per second, measured */
	uint64_t dirty_rate;      /* pages per second dirtied in the last round */
	uint64_t expected_ns;     /* downtime predicted when stop-and-copy began */
	uint64_t downtime_ns;     /* measured: guest paused to destination's acceptance */
	uint64_t source_ns;       /* of which: paused to end record queued (last pages, state, digest) */
	uint64_t total_ns;
	/* cost, in TSC cycles (instructions under Bochs: kernel/clock.h) */
	uint64_t encode_cycles;   /* putting pages into batches: zero check, delta, copy */
	uint64_t encoded_bytes;   /* page bytes they looked at */
	uint64_t tls_cycles;      /* TLS: handshake and encryption */
	uint64_t tls_bytes;       /* plaintext it encrypted */
	uint32_t throttle_pct;    /* auto-converge: CPU share denied to the guest */
	enum precopy_reason reason; /* why stop-and-copy began */
	char error[200];          /* when failed or cancelled */
};

/*
 * Start migrating g to addr:port with params. Returns 0, or -EBUSY (one
 * already runs), -EINVAL (guest not running or paused), -ENOMEM, or what
 * starting its dirty log returned, with a message in err.
 */
int migrate_send_start(const char *name, uint32_t addr, uint16_t port,
		       const struct precopy_params *params, char *err, size_t errlen);

/* Give up the running migration (the guest stays). -EINVAL when none runs. */
int migrate_send_cancel(void);

/* One step from the main loop; true while it has work that should not wait for a tick. */
bool migrate_send_poll(void);

/* Whether a migration is under way (not idle, done, failed or cancelled). */
bool migrate_send_active(void);

/*
 * For tests: a fault for the next migration's connection (migrate/fault.h),
 * e.g. one bit of wire byte offset flipped after the stream's checksums
 * and TLS's MACs were computed, as a faulty link would (`migrate_fault`).
 */
void migrate_send_fault(enum migrate_fault f, uint64_t offset);

/*
 * For tests: the next migration, once accepted, does not send its commit,
 * as if the link had lost it (it ends in-doubt, the destination drops its
 * copy).
 */
void migrate_send_withhold_commit(void);

/* The running (or last) migration. */
const struct msend_status *migrate_send_status(void);

#endif
