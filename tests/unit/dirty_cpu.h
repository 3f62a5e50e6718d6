/*
 * A simulated CPU for the dirty-logging tests: guest RAM mapped by a real
 * EPT (arch/x86/ept.c) over simulated table memory (ept_sim.h), written
 * through the reference walker (ept_walk.h), which sets A/D flags as the
 * CPU does. It plays the rest of the hardware from the SDM: PML logging
 * on a D flag's 0 -> 1 change with the index counting down from 511 and
 * a log-full exit when it leaves 0-511 (Vol. 3C 29.3.6), and EPT
 * violations on write-protected pages (29.3.3.2), handed to the log as
 * the hypervisor's exit handlers would.
 */
#ifndef TESTS_UNIT_DIRTY_CPU_H
#define TESTS_UNIT_DIRTY_CPU_H

#include <stdio.h>

#include "arch/x86/pml.h"
#include "kernel/dirty_log.h"
#include "tests/unit/ept_sim.h"
#include "tests/unit/ept_walk.h"

#define DCPU_MAX_FRAMES 4096 /* 16 MiB */

struct dcpu {
	struct sim sim;
	struct ept ept;
	struct ref_ept ref;
	struct dirty_log log;
	uint64_t pending_words[DCPU_MAX_FRAMES / 64];
	uint64_t pml[PML_ENTRIES];
	uint16_t pml_index;
	bool pml_on;
	uint64_t ram_size;
	uint64_t inveptions, violations, unexpected; /* unexpected: a fault the log refused */
};

static inline void dcpu_invept(void *ctx)
{
	((struct dcpu *)ctx)->inveptions++;
}

static inline int dcpu_pml_set(void *ctx, bool on)
{
	struct dcpu *c = ctx;

	c->pml_on = on;
	c->pml_index = PML_INDEX_START;
	return 0;
}

/* The vCPU leaves the CPU: the hypervisor drains its log. */
static inline void dcpu_pml_flush(void *ctx, struct dirty_log *l)
{
	struct dcpu *c = ctx;

	if (!c->pml_on)
		return;
	dirty_log_pml_drained(l, c->pml, c->pml_index, false);
	c->pml_index = PML_INDEX_START;
}

/* RAM of ram_size bytes at guest-physical 0, host blocks 2 MiB aligned: 2 MiB leaves. */
static inline void dcpu_init(struct dcpu *c, uint64_t ram_size)
{
	struct ept_mem_ops ops;
	struct dirty_hw_ops hw = { dcpu_invept, dcpu_pml_set, dcpu_pml_flush, c };

	if (!c->sim.mem)
		sim_init(&c->sim);
	sim_reset(&c->sim);
	ops = sim_ops(&c->sim);
	if (ept_init(&c->ept, &ops) || ept_map_range(&c->ept, 0, GiB(4), ram_size, EPT_RWX))
		abort();
	c->ref = (struct ref_ept){ .map = sim_map, .ctx = &c->sim, .root = c->ept.root };
	c->ram_size = ram_size;
	c->pml_on = false;
	c->pml_index = PML_INDEX_START;
	c->inveptions = c->violations = c->unexpected = 0;
	dirty_log_init(&c->log, &c->ept, ram_size, c->pending_words, &hw);
}

static inline void dcpu_fini(struct dcpu *c)
{
	ept_destroy(&c->ept);
}

/*
 * The guest writes a byte at gpa. Returns false when the write could not
 * complete (a fault the log did not take: the hypervisor would stop the guest).
 */
static inline bool dcpu_write(struct dcpu *c, gpa_t gpa)
{
	struct ref_xlate x;
	int tries, st;

	for (tries = 0; tries < 4; tries++) {
		if (ref_translate(&c->ref, gpa, &x) != REF_OK)
			return false;
		bool sets_d = !(x.entry & REF_D) && (x.entry & REF_W);

		if (c->pml_on && sets_d && c->pml_index >= PML_ENTRIES) {
			/* log-full exit: the write has not happened yet */
			dirty_log_pml_drained(&c->log, c->pml, c->pml_index, true);
			c->pml_index = PML_INDEX_START;
			continue;
		}
		st = ref_cpu_access(&c->ref, gpa, REF_W);
		if (st == REF_VIOLATION) {
			c->violations++;
			if (!dirty_log_write_fault(&c->log, gpa)) {
				c->unexpected++;
				return false;
			}
			continue;
		}
		if (st != REF_OK)
			return false;
		if (c->pml_on && sets_d)
			c->pml[c->pml_index--] = gpa & ~0xfffULL;
		return true;
	}
	return false;
}

#endif
