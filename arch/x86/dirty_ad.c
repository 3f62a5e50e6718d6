/*
 * Dirty-logging back-end "ad": EPT accessed/dirty flags alone (SDM Vol.
 * 3C 29.3.5). The CPU sets D in the leaf of every page the guest writes,
 * and for the guest's own page-table walks too (A/D on makes them
 * writes). A harvest scans every leaf of RAM, clearing D; no VM exit is
 * needed, the cost is the scan. Pure.
 */
#include "arch/x86/dirty_backend.h"

/* 4 KiB leaves so a D flag names one page, and no D flag from before the start. */
static int ad_start(struct dirty_log *l)
{
	int err = dirty_ept_split(l);

	if (!err)
		err = dirty_ept_forget_all(l);
	if (err)
		dirty_ept_merge(l);
	return err;
}

static void ad_stop(struct dirty_log *l)
{
	dirty_ept_merge(l);
}

const struct dirty_backend dirty_backend_ad = {
	.start = ad_start,
	.collect = dirty_ept_collect_all,
	.stop = ad_stop,
};
