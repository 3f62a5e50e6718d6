/*
 * A miniature pre-copy, to prove a dirty log exact: copy all of a
 * guest's RAM into a host buffer, then in rounds copy again only the
 * pages each harvest names; a last round with the guest paused must
 * leave the buffer equal to guest RAM byte for byte. Migration will do
 * the same over the network. Context: the main loop (console commands).
 */
#ifndef KERNEL_DIRTY_VERIFY_H
#define KERNEL_DIRTY_VERIFY_H

#include "lib/types.h"

struct guest;

struct dirty_verify_result {
	uint64_t rounds;          /* harvests, the final one included */
	uint64_t pages_copied;    /* after the first full copy */
	uint64_t pages_compared;
	uint64_t pages_differing;
	gpa_t first_difference;   /* valid when pages_differing */
};

/* Take the full copy; g must have a dirty log running. 0 or -errno with err. */
int dirty_verify_begin(struct guest *g, char *err, size_t errlen);

/* Harvest and copy the pages named. Returns pages copied, or -EINVAL (not begun). */
int64_t dirty_verify_round(struct guest *g);

/* Pause g, last round, compare all of RAM, resume g if it ran, free the copy. */
int dirty_verify_finish(struct guest *g, struct dirty_verify_result *res);

/* Drop g's copy, if any. */
void dirty_verify_release(struct guest *g);

#endif
