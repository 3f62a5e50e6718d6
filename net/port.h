/*
 * The lwIP port: what lwIP needs from the hypervisor (time, randomness,
 * diagnostics) and the one call that starts it. lwIP runs with NO_SYS=1,
 * so every function here is called from the single polling loop.
 */
#ifndef NET_PORT_H
#define NET_PORT_H

#include "lib/types.h"

/* Initialise lwIP's core (memory pools, protocol state, timers). */
void lwip_port_init(void);

/* A 32-bit random number for ports, ISNs and DHCP ids; not cryptographic. */
uint32_t lwip_port_rand(void);

/* Log one lwIP diagnostic message (printf-style) at debug level. */
void lwip_port_diag(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* An lwIP assertion failed: panic with its message and place. */
NORETURN void lwip_port_assert(const char *msg, const char *file, int line);

#endif
