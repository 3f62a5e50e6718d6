/*
 * The monotonic clock. TSC ticks become nanoseconds by a multiply and a
 * shift (ns = ticks * mult >> 32), computed once, so reading the clock
 * costs no division; the 128-bit product cannot overflow for centuries.
 *
 * The local APIC timer runs one-shot: each interrupt re-arms it for the
 * next periodic tick or for an earlier wake-up someone asked for (a halted
 * guest's timer), so the tick rate stays low without delaying guests.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "kernel/clock.h"

static uint64_t tsc_start;
static uint64_t tsc_hz;
static uint64_t ns_mult; /* nanoseconds per TSC tick, 32.32 fixed point */
static volatile uint64_t ticks;
static uint64_t tick_period_tsc, next_tick_tsc, wake_tsc;
static uint64_t apic_per_tsc; /* APIC timer counts per TSC tick, 32.32 fixed point */
static clock_sampler_fn sampler;
static uint64_t sample_period_tsc, next_sample_tsc;

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

uint64_t clock_cycles(void)
{
	return rdtsc();
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

static void arm(uint64_t now)
{
	uint64_t target = next_tick_tsc, delta, count;

	if (wake_tsc && wake_tsc < target)
		target = wake_tsc;
	if (sampler && next_sample_tsc < target)
		target = next_sample_tsc;
	delta = target > now ? target - now : 1;
	count = (uint64_t)(((unsigned __int128)delta * apic_per_tsc) >> 32);
	apic_timer_oneshot((uint32_t)MAX(1, MIN(count, 0xffffffffULL)), VEC_APIC_TIMER);
}

static void clock_on_timer(struct trap_frame *tf)
{
	uint64_t now = rdtsc();

	while (now >= next_tick_tsc) {
		ticks++;
		next_tick_tsc += tick_period_tsc;
	}
	if (wake_tsc && now >= wake_tsc)
		wake_tsc = 0;
	if (sampler && now >= next_sample_tsc) {
		sampler(tf->rip);
		/* a late sample does not make the next ones come faster */
		next_sample_tsc = now + sample_period_tsc;
	}
	arm(now);
}

void clock_start_tick(void)
{
	const struct apic_info *a = apic_get_info();

	tick_period_tsc = tsc_hz / CLOCK_TICK_HZ;
	apic_per_tsc = (a->timer_hz << 32) / tsc_hz;
	next_tick_tsc = rdtsc() + tick_period_tsc;
	trap_set_handler(VEC_APIC_TIMER, clock_on_timer);
	arm(rdtsc());
}

void clock_set_sampler(clock_sampler_fn fn, uint32_t hz)
{
	uint64_t flags = read_rflags();

	cli();
	sampler = hz ? fn : NULL;
	if (sampler) {
		sample_period_tsc = MAX(1, tsc_hz / hz);
		next_sample_tsc = rdtsc() + sample_period_tsc;
		arm(rdtsc());
	}
	if (flags & RFLAGS_IF)
		sti();
}

void clock_wake_at(uint64_t tsc)
{
	uint64_t flags = read_rflags();

	cli();
	if (tsc && (!wake_tsc || tsc < wake_tsc)) {
		wake_tsc = tsc;
		arm(rdtsc());
	}
	if (flags & RFLAGS_IF)
		sti();
}
