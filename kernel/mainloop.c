/*
 * The main loop. Single CPU, no threads: everything runs from here, and
 * everything that waits does so by stepping this loop.
 */
#include "arch/x86/cpu.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/mainloop.h"
#include "kernel/sched.h"
#include "net/net.h"

static void idle(void)
{
	cli();
	clock_wake_at(sched_next_wakeup());
	/* the network is polled: while it has work, wake at the next tick at the latest */
	sti_hlt();
}

void mainloop_step(bool may_idle)
{
	bool busy = net_poll();

	if (sched_run_once())
		return;
	if (may_idle && !busy)
		idle();
}

NORETURN void mainloop_run(void)
{
	for (;;) {
		console_poll();
		/* keep polling while a line is being typed or pasted */
		mainloop_step(!console_busy());
	}
}
