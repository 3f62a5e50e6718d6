/*
 * Round-robin scheduling of vCPUs from the main loop.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/dirty_vmx.h"
#include "arch/x86/vcpu.h"
#include "kernel/clock.h"
#include "kernel/guest.h"
#include "kernel/sched.h"

static int next;

static bool runnable(struct guest *g, uint64_t now)
{
	if (!g->used || g->state != GUEST_RUNNING)
		return false;
	if (g->throttle_pct && now < g->throttle_until)
		return false; /* throttled: sits out its share (migrate/precopy.h, auto-converge) */
	return !g->vcpu.halted || vcpu_has_wakeup(&g->vcpu, now);
}

/*
 * A throttled guest that ran from tsc0 to now sits out long enough for
 * its CPU share to drop by throttle_pct percent.
 */
static void throttle(struct guest *g, uint64_t tsc0)
{
	uint64_t now = rdtsc();

	if (g->throttle_pct && g->throttle_pct < 100)
		g->throttle_until = now + (now - tsc0) * g->throttle_pct / (100 - g->throttle_pct);
}

bool sched_run_once(uint64_t slice_us)
{
	uint64_t now = rdtsc(), slice = clock_tsc_hz() / 1000000 * slice_us;
	uint64_t t0;
	int i;

	for (i = 0; i < GUEST_MAX; i++) {
		struct guest *g = guest_at((next + i) % GUEST_MAX);

		if (!runnable(g, now))
			continue;
		next = (next + i + 1) % GUEST_MAX;
		t0 = clock_ns();
		cli();
		vcpu_run(&g->vcpu, slice);
		dirty_vmx_vcpu_leave(&g->vcpu); /* drain its PML log while its VMCS is current */
		sti();
		g->run_ns += clock_ns() - t0;
		throttle(g, now);
		guest_reap(); /* a guest its exit handlers stopped is released here */
		return true;
	}
	return false;
}

uint64_t sched_next_wakeup(void)
{
	uint64_t best = 0;
	int i;

	for (i = 0; i < GUEST_MAX; i++) {
		struct guest *g = guest_at(i);
		uint64_t d;

		if (!g->used || g->state != GUEST_RUNNING || !g->vcpu.halted)
			continue;
		d = vcpu_next_wakeup(&g->vcpu);
		if (d && (!best || d < best))
			best = d;
	}
	return best;
}
