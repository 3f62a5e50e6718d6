/*
 * The monotonic clock. TSC ticks become nanoseconds by a multiply and a
 * shift (ns = ticks * mult >> 32), computed once, so reading the clock
 * costs no division; the 128-bit product cannot overflow for centuries.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "kernel/clock.h"

static uint64_t tsc_start;
static uint64_t tsc_hz;
static uint64_t ns_mult; /* nanoseconds per TSC tick, 32.32 fixed point */
static volatile uint64_t ticks;

void clock_init(uint64_t hz)
{
	tsc_hz = hz ? hz : 1000000000ULL;
	ns_mult = (1000000000ULL << 32) / tsc_hz;
	tsc_start = rdtsc();
}

uint64_t clock_ns(void)
{
	unsigned __int128 t = (unsigned __int128)(rdtsc() - tsc_start) * ns_mult;

	return (uint64_t)(t >> 32);
}

uint64_t clock_ms(void)
{
	return clock_ns() / 1000000;
}

uint64_t clock_ticks(void)
{
	return ticks;
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

static void clock_on_tick(struct trap_frame *tf)
{
	ticks++;
}

void clock_start_tick(void)
{
	trap_set_handler(VEC_APIC_TIMER, clock_on_tick);
	apic_timer_periodic(CLOCK_TICK_HZ, VEC_APIC_TIMER);
}
