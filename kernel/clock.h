/*
 * Time: a monotonic clock from the calibrated TSC, and the periodic tick
 * from the local APIC timer that wakes the main loop.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include "lib/types.h"

#define CLOCK_TICK_HZ 100

/* Start the clock at zero now; tsc_hz from calibration. */
void clock_init(uint64_t tsc_hz);
/* Nanoseconds / milliseconds since clock_init. */
uint64_t clock_ns(void);
uint64_t clock_ms(void);
/* Periodic ticks since the tick started. */
uint64_t clock_ticks(void);
/* Start the periodic tick on the local APIC timer. */
void clock_start_tick(void);
/*
 * Ask for a timer interrupt at TSC value tsc (or at the next tick if that
 * is sooner), so an idle CPU wakes in time for a guest's timer.
 */
void clock_wake_at(uint64_t tsc);
uint64_t clock_tsc_hz(void);

/*
 * The TSC, for what a piece of work costs (migrate status). Under Bochs
 * it advances one per instruction, so there cycles are instructions.
 */
uint64_t clock_cycles(void);

/*
 * Call fn with the interrupted instruction address hz times a second, from
 * the timer interrupt (only where interrupts are enabled); fn NULL or hz 0
 * stops it. For the sampling profiler.
 */
typedef void (*clock_sampler_fn)(uint64_t rip);
void clock_set_sampler(clock_sampler_fn fn, uint32_t hz);

#endif
