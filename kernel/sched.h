/*
 * Sharing the CPU between guests: round-robin slices bounded by the VMX
 * preemption timer. A halted guest is skipped until an interrupt for it
 * is due, so it uses no CPU.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "lib/types.h"

#define SCHED_SLICE_US 10000
/* While someone waits on the console (console_interactive): the main loop
 * must come round about as often as the UART's 16-byte FIFO empties
 * (1.4 ms at 115200 baud), or replies crawl behind busy guests. */
#define SCHED_SLICE_SHORT_US 1000

/* Run one slice (slice_us long at most) of the next runnable guest; false when none could run. */
bool sched_run_once(uint64_t slice_us);

/* TSC at which the earliest halted guest's timer fires (0: none). */
uint64_t sched_next_wakeup(void);

#endif
