/*
 * Dirty-logging back-end "pml": page-modification logging (SDM Vol. 3C
 * 29.3.6, arch/x86/pml.h). The CPU logs a page when it changes the
 * page's EPT D flag from 0 to 1, so after a page is harvested its D flag
 * is cleared to have the next write logged again: one log entry per page
 * per round, one log-full exit per 512 pages. The logs reach
 * l->pending through dirty_log_pml_drained (log-full exits, and whenever
 * a vCPU leaves the CPU). Pure.
 */
#include "arch/x86/dirty_backend.h"

/* D flags already set would hide the next write from the log: clear them all first. */
static int pml_start(struct dirty_log *l)
{
	int err = dirty_ept_split(l);

	if (!err)
		err = dirty_ept_forget_all(l);
	if (!err)
		err = l->hw.pml_set(l->hw.ctx, true);
	if (err)
		dirty_ept_merge(l);
	return err;
}

static void rearm(struct dirty_log *l, gpa_t gpa)
{
	ept_clear_dirty(l->ept, gpa);
}

static int pml_collect(struct dirty_log *l)
{
	l->hw.pml_flush(l->hw.ctx, l);
	dirty_ept_each_pending(l, rearm);
	return 0;
}

static void pml_stop(struct dirty_log *l)
{
	l->hw.pml_set(l->hw.ctx, false);
	dirty_ept_merge(l);
}

const struct dirty_backend dirty_backend_pml = {
	.start = pml_start,
	.collect = pml_collect,
	.stop = pml_stop,
};
