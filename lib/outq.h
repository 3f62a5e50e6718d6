/*
 * A byte FIFO over a caller's buffer, for console output: the UART's
 * transmit queue and the per-source queues of whole lines (the log, each
 * guest). Pure and allocation-free. A queue that is full refuses (and
 * counts) what does not fit, so a producer on a path that must not wait
 * (an exit handler) never waits for the UART.
 */
#ifndef LIB_OUTQ_H
#define LIB_OUTQ_H

#include "lib/types.h"

struct outq {
	char *buf;
	size_t size, head, len;
	uint64_t dropped_bytes, dropped_writes; /* refused by outq_put_all */
};

/* An empty queue over buf (size bytes, > 0). */
void outq_init(struct outq *q, char *buf, size_t size);

/* Bytes that still fit. */
size_t outq_space(const struct outq *q);

/* Append as much of s as fits; returns how much went in. */
size_t outq_put(struct outq *q, const char *s, size_t n);

/* Append all of s, or nothing (then counted as dropped). Returns whether it went in. */
bool outq_put_all(struct outq *q, const char *s, size_t n);

/* Remove up to max bytes into dst; returns how many. */
size_t outq_take(struct outq *q, char *dst, size_t max);

/* Length of the first complete line (up to and including its '\n'), or 0 if none. */
size_t outq_line(const struct outq *q);

#endif
