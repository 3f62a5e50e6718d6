/*
 * The hypervisor's network stack as the core sees it: start it from the
 * configuration and give it time from the main loop.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "kernel/config.h"

/* Start lwIP; NIC drivers attach here once they exist. */
void net_init(const struct config *cfg);

/* Run lwIP's timers and poll the NICs; called from the main loop. */
void net_poll(void);

#endif
