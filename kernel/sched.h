/*
 * Sharing the CPU between guests: round-robin slices bounded by the VMX
 * preemption timer. A halted guest is skipped until an interrupt for it
 * is due, so it uses no CPU.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "lib/types.h"

#define SCHED_SLICE_US 10000

/* Run one slice of the next runnable guest; false when none could run. */
bool sched_run_once(void);

/* TSC at which the earliest halted guest's timer fires (0: none). */
uint64_t sched_next_wakeup(void);

#endif
