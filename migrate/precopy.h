/*
 * Pre-copy convergence: after each round of a live migration, whether to
 * send another round of dirty pages or stop the guest and copy the rest
 * (docs/migration-stream.md, "Pre-copy"). The sender (migrate/sender.c)
 * measures; this decides. Pure, so the policy is tested on the host.
 *
 * Stop-and-copy starts when one of these holds, checked in this order:
 *   downtime      the dirty pages left would go in under the downtime
 *                 limit at the bandwidth measured so far;
 *   max-rounds    the round limit is reached;
 *   not-shrinking rounds stopped shrinking and auto-converge is off.
 * With auto-converge on, rounds that stop shrinking raise the guest's
 * throttle instead (QEMU's auto-converge): the share of its CPU time it
 * is denied, in steps, up to PRECOPY_THROTTLE_MAX.
 */
#ifndef MIGRATE_PRECOPY_H
#define MIGRATE_PRECOPY_H

#include "lib/types.h"

#define PRECOPY_DOWNTIME_DEFAULT_MS 300
#define PRECOPY_DOWNTIME_MAX_MS 60000
#define PRECOPY_ROUNDS_DEFAULT 30
#define PRECOPY_ROUNDS_MAX 1000
#define PRECOPY_BANDWIDTH_MAX_MIBPS 100000
/* A round "shrinks" when it dirtied at most 90% of the previous one's pages. */
#define PRECOPY_SHRINK_PCT 90
/* Rounds in a row that must fail to shrink before acting (QEMU uses 2 too). */
#define PRECOPY_STALL_ROUNDS 2
#define PRECOPY_THROTTLE_FIRST 20 /* percent of CPU time denied */
#define PRECOPY_THROTTLE_STEP 10
#define PRECOPY_THROTTLE_MAX 90

struct precopy_params {
	uint32_t downtime_limit_ms;
	uint32_t max_bandwidth_mibps; /* 0: as fast as the link goes */
	uint32_t max_rounds;          /* rounds after the first pass */
	bool auto_converge;
	bool delta;                   /* re-sent pages as deltas (migrate/send_page.h) */
};

enum precopy_reason {
	PRECOPY_NOT_YET,       /* still in pre-copy */
	PRECOPY_DOWNTIME,      /* predicted downtime under the limit */
	PRECOPY_MAX_ROUNDS,
	PRECOPY_NOT_SHRINKING, /* auto-converge off */
};

enum precopy_step { PRECOPY_NEXT_ROUND, PRECOPY_STOP_AND_COPY };

struct precopy {
	struct precopy_params params;
	uint32_t round;            /* rounds finished after the first pass */
	uint64_t last_dirty;       /* pages the previous round found dirty */
	uint32_t stalls;           /* rounds in a row that did not shrink */
	uint32_t throttle_pct;     /* CPU share denied to the guest (auto-converge) */
	uint64_t expected_ns;      /* predicted downtime at the last decision */
	enum precopy_reason reason;
};

/* The defaults: 300 ms, unlimited bandwidth, 30 rounds, auto-converge on, deltas on. */
void precopy_params_default(struct precopy_params *p);

/* Ready for a migration with params p. */
void precopy_init(struct precopy *c, const struct precopy_params *p);

/* Time to send bytes at bytes_per_s, in ns (UINT64_MAX when bytes > 0 and nothing was measured). */
uint64_t precopy_predict_ns(uint64_t bytes, uint64_t bytes_per_s);

/*
 * A pass over memory ended; the dirty log then held dirty pages, and
 * the link carried bytes_per_s so far. Returns what to do next; on
 * PRECOPY_STOP_AND_COPY c->reason says why. c->throttle_pct may rise.
 */
enum precopy_step precopy_after_round(struct precopy *c, uint64_t dirty, uint64_t bytes_per_s);

/*
 * Bytes the sender may have handed the link elapsed_ns after it started
 * at max_mibps (UINT64_MAX: no limit).
 */
uint64_t precopy_budget(uint64_t elapsed_ns, uint32_t max_mibps);

/* Bytes per second from bytes in ns (0 when ns is 0). */
uint64_t precopy_rate(uint64_t bytes, uint64_t ns);

/* "downtime", "max-rounds", "not-shrinking", or "" while pre-copy goes on. */
const char *precopy_reason_name(enum precopy_reason r);

#endif
