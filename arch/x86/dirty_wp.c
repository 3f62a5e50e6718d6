/*
 * Dirty-logging back-end "wp": write protection, for CPUs without EPT A/D
 * flags. Every RAM page loses write permission; the first write to a
 * page is an EPT violation (SDM Vol. 3C 29.3.3.2) that records the page
 * and gives write access back (dirty_log_write_fault), so the guest
 * resumes and repeats the write: one exit per page per round. A harvest
 * takes write access away again from the pages recorded. Invariant: a
 * RAM page is writable only while it is in l->pending. Pure.
 */
#include "arch/x86/dirty_backend.h"

#define WP_PERMS (EPT_READ | EPT_EXEC)

static int wp_start(struct dirty_log *l)
{
	int err = dirty_ept_split(l);

	/* 4 KiB leaves first: protecting then never needs a table */
	if (!err)
		err = ept_protect_range(l->ept, 0, l->ram_size, WP_PERMS);
	if (err) {
		ept_protect_range(l->ept, 0, l->ram_size, EPT_RWX);
		dirty_ept_merge(l);
	}
	return err;
}

static void protect(struct dirty_log *l, gpa_t gpa)
{
	ept_protect_range(l->ept, gpa, PAGE_SIZE, WP_PERMS);
}

static int wp_collect(struct dirty_log *l)
{
	dirty_ept_each_pending(l, protect);
	return 0;
}

static void wp_stop(struct dirty_log *l)
{
	ept_protect_range(l->ept, 0, l->ram_size, EPT_RWX);
	dirty_ept_merge(l);
}

const struct dirty_backend dirty_backend_wp = {
	.start = wp_start,
	.collect = wp_collect,
	.stop = wp_stop,
};
