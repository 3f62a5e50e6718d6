/*
 * The hypervisor's network stack as the core sees it: start it from the
 * configuration and give it time from the main loop.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "kernel/config.h"

/* Start lwIP, find the NICs on PCI, configure the first from cfg. */
void net_init(const struct config *cfg);

/* Run lwIP's timers and poll the NICs; true when frames were handled. */
bool net_poll(void);

/*
 * The TSC value by which an idle CPU should look at the NICs again, or 0
 * for no hurry (the periodic tick is soon enough).
 */
uint64_t net_next_wakeup(void);

#endif
