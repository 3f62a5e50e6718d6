/*
 * printf-style formatting into a bounded buffer. Pure: no I/O.
 *
 * Supports the conversions the hypervisor uses: %d %i %u %x %X %o %c %s %p %%
 * with flags '-', '0', '+', ' ', '#', a width and a precision (each may be
 * '*'), and the length modifiers hh h l ll z t j.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include "lib/types.h"

/*
 * Format into buf (size bytes, always NUL-terminated when size > 0).
 * Returns the length the full output would have had, as C99 vsnprintf.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* As fmt_vsnprintf, with variadic arguments. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/*
 * Parse an unsigned integer: decimal, or hex with a 0x prefix. The whole
 * string must be consumed. Returns 0, or -EINVAL (not a number) or
 * -ERANGE (does not fit in 64 bits).
 */
int fmt_parse_u64(const char *s, uint64_t *out);

/* The value of hex digit c (either case), or -1. */
int fmt_hex_digit(char c);

#endif
