/*
 * The sampling profiler's table: how often each instruction address was
 * seen. Pure: fixed storage, no allocation, safe to call from an interrupt
 * handler (the caller keeps it from racing with readers).
 */
#ifndef KERNEL_PROFILE_TABLE_H
#define KERNEL_PROFILE_TABLE_H

#include "lib/types.h"

#define PROFILE_SLOTS 4096 /* distinct addresses kept; a power of two */

struct profile_slot {
	uint64_t addr;
	uint32_t count;
};

struct profile_table {
	struct profile_slot slot[PROFILE_SLOTS];
	uint32_t used;     /* slots holding an address */
	uint64_t samples;  /* every sample recorded, including dropped ones */
	uint64_t dropped;  /* samples whose address found no free slot */
};

/* Empty the table. */
void profile_table_reset(struct profile_table *t);
/* Count one sample at addr (never 0: 0 marks a free slot, and is dropped). */
void profile_table_record(struct profile_table *t, uint64_t addr);
/*
 * Fill out[0..max) with the most frequent addresses, most frequent first
 * (ties: lower address first); returns how many were written.
 */
size_t profile_table_top(const struct profile_table *t, struct profile_slot *out, size_t max);

#endif
