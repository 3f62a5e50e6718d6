/*
 * The hypervisor's one loop: console input, network, guests, idle.
 * Commands that wait for the network (ping, netbench) keep the rest of
 * the system running by calling mainloop_step while they wait.
 */
#ifndef KERNEL_MAINLOOP_H
#define KERNEL_MAINLOOP_H

#include "lib/types.h"

/* Serve the console, the network and the guests forever. */
NORETURN void mainloop_run(void);

/*
 * One pass of everything but the console: network polling and timers, one
 * guest slice; halts until the next interrupt when there was nothing to
 * do and may_idle is set.
 */
void mainloop_step(bool may_idle);

/* How often the loop halted for want of work (uptime shows it). */
uint64_t mainloop_halts(void);

#endif
