/*
 * What net/netif.c and the lwIP port need from the kernel, faked for host
 * unit tests: a clock the test moves by hand and a log it can read back.
 */
#ifndef TESTS_UNIT_NETIF_HOST_STUBS_H
#define TESTS_UNIT_NETIF_HOST_STUBS_H

#include "lib/types.h"

/* Move the fake clock forward by ns nanoseconds. */
void stub_clock_advance(uint64_t ns);

/* Everything logged since the last stub_log_clear, one message a line. */
const char *stub_log_text(void);

/* Forget the captured log. */
void stub_log_clear(void);

#endif
