/*
 * The main loop. Single CPU, no threads: everything runs from here, and
 * everything that waits does so by stepping this loop.
 */
#include "arch/x86/cpu.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/console_out.h"
#include "kernel/mainloop.h"
#include "kernel/sched.h"
#include "migrate/migrate.h"
#include "net/net.h"

/*
 * A busy loop (the network keeps it awake) looks at the UART this often,
 * not on every turn: each look is a port read, a trip into the device
 * model under an emulator. 100 us is under the 1.4 ms a 16-byte FIFO
 * takes to fill at 115200 baud.
 */
#define CONSOLE_POLL_NS 100000ULL

static uint64_t halts;

uint64_t mainloop_halts(void)
{
	return halts;
}

static void idle(void)
{
	halts++;
	uint64_t guests = sched_next_wakeup(), net = net_next_wakeup(), wake;

	wake = guests && net ? MIN(guests, net) : guests | net;
	/* queued console output: the UART's 16-byte FIFO empties in 1.4 ms at 115200 baud */
	if (console_out_pending() && (!wake || wake > rdtsc() + clock_tsc_hz() / 1000))
		wake = rdtsc() + clock_tsc_hz() / 1000;
	cli();
	clock_wake_at(wake);
	/* the network is polled: while it has work, wake at the next tick at the latest */
	sti_hlt();
}

void mainloop_step(bool may_idle)
{
	bool busy = net_poll();

	busy |= migrate_poll(); /* a migration in flight keeps the NICs polled without sleeping */

	console_service_output();

	if (sched_run_once(console_interactive() ? SCHED_SLICE_SHORT_US : SCHED_SLICE_US))
		return;
	if (may_idle && !busy)
		idle();
}

NORETURN void mainloop_run(void)
{
	uint64_t polled_ns = 0, now;

	console_out_start_queueing();
	for (;;) {
		now = clock_ns();
		if (now - polled_ns >= CONSOLE_POLL_NS) {
			console_poll();
			polled_ns = now;
		}
		/* keep polling while a line is being typed or pasted */
		mainloop_step(!console_busy());
	}
}
