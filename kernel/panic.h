/*
 * Fatal errors in the hypervisor itself.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "lib/types.h"

/* Report the message, registers' context and a stack trace, then halt. Never resets. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Panic naming the failed condition and where it is. */
#define ASSERT(cond)                                                              \
	do {                                                                      \
		if (!(cond))                                                      \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
