/*
 * Dirty logs of the running guests: one struct dirty_log per guest slot,
 * its bitmaps from the page allocator, harvest timing, and the hooks the
 * rest of the hypervisor calls (writes into guest RAM, write faults,
 * guest release). Context: the main loop and the run loop, one CPU.
 */
#ifndef KERNEL_DIRTY_GUEST_H
#define KERNEL_DIRTY_GUEST_H

#include "kernel/dirty_log.h"
#include "lib/types.h"

struct guest;

struct dirty_guest_stats {
	uint64_t harvest_ns_last, harvest_ns_max, harvest_ns_total;
	uint64_t harvest_cycles_last; /* TSC ticks; under Bochs one per instruction */
	uint64_t started_ns;
};

/* g's dirty log while one is running, else NULL. */
struct dirty_log *dirty_guest_log(struct guest *g);

/*
 * Start logging g with back-end m. Returns 0, or a negative errno with a
 * message in err: -EBUSY (already logging), -EOPNOTSUPP (the CPU lacks
 * m), -EINVAL (guest not running), -ENOMEM.
 */
int dirty_guest_start(struct guest *g, enum dirty_mode m, char *err, size_t errlen);

/*
 * Harvest g's log into its scratch bitmap (cleared first), timed.
 * Returns the pages found and sets *out, or a negative errno.
 */
int64_t dirty_guest_harvest(struct guest *g, struct dirty_bitmap **out);

/* Stop g's log and free its memory; -EINVAL when none runs. */
int dirty_guest_stop(struct guest *g);

/* Harvest timing of g's log (zeroes when none runs). */
const struct dirty_guest_stats *dirty_guest_stats(struct guest *g);

/* Hook: the hypervisor wrote [gpa, gpa + len) of g's RAM. */
void dirty_guest_mark(struct guest *g, gpa_t gpa, uint64_t len);

/* Hook: an EPT violation at gpa; true when the write-protect log took it. */
bool dirty_guest_write_fault(struct guest *g, gpa_t gpa);

/* Hook: g is being released; drop its log without touching its EPT. */
void dirty_guest_release(struct guest *g);

#endif
