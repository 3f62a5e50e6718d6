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

#endif
