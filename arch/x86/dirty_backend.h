/*
 * The three dirty-logging back-ends behind kernel/dirty_log.c, and the
 * EPT steps they share. Pure, like dirty_log.c.
 *
 * A back-end's collect() adds the pages written since the last harvest
 * to l->pending and re-arms tracking for them; dirty_log.c then hands
 * pending out and invalidates the EPT's cached translations (INVEPT)
 * before the guest runs again, so a cleared D flag or a removed write
 * permission takes effect (SDM Vol. 3C 29.4.3.1).
 */
#ifndef ARCH_X86_DIRTY_BACKEND_H
#define ARCH_X86_DIRTY_BACKEND_H

#include "kernel/dirty_log.h"

struct dirty_backend {
	int (*start)(struct dirty_log *l);   /* 0 or -ENOMEM (then nothing to undo) */
	int (*collect)(struct dirty_log *l); /* 0 or -EINVAL */
	void (*stop)(struct dirty_log *l);
};

extern const struct dirty_backend dirty_backend_ad;
extern const struct dirty_backend dirty_backend_pml;
extern const struct dirty_backend dirty_backend_wp;

/* arch/x86/dirty_ept.c */

/* Split every 2 MiB leaf of RAM (counted in stats.splits); 0 or -ENOMEM. */
int dirty_ept_split(struct dirty_log *l);
/* Merge what can be merged back (counted in stats.merges). */
void dirty_ept_merge(struct dirty_log *l);
/* Clear every D flag of RAM, recording the pages that had one in pending; 0 or -EINVAL. */
int dirty_ept_collect_all(struct dirty_log *l);
/*
 * At the start: clear every D flag of RAM without recording it. They tell
 * of writes before the log (a split copies a 2 MiB leaf's D flag to all
 * 512 pages), which the first full copy of RAM covers anyway.
 */
int dirty_ept_forget_all(struct dirty_log *l);
/* Call fn for the gpa of every frame set in pending. */
void dirty_ept_each_pending(struct dirty_log *l, void (*fn)(struct dirty_log *l, gpa_t gpa));

#endif
