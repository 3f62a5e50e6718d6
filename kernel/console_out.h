/*
 * The console's transmit side. Until the main loop starts, output goes
 * straight to the UART (boot messages must appear even if boot hangs).
 * From then on it is queued in a 16 KiB ring that the main loop feeds to
 * the UART's FIFO without waiting, so nothing a guest does (an exit
 * handler logging, a guest's serial output) ever spins on the UART.
 */
#ifndef KERNEL_CONSOLE_OUT_H
#define KERNEL_CONSOLE_OUT_H

#include "lib/types.h"

/* Queue n bytes ("\n" becomes "\r\n"), waiting for room if the ring is
 * full: for the console's own replies, never from an exit handler. */
void console_out_write(const char *s, size_t n);

/* Queue all n bytes or none (counted as dropped); never waits. */
bool console_out_write_nowait(const char *s, size_t n);

/* Whether queued output waits for the UART (the main loop must not sleep long). */
bool console_out_pending(void);

/* Bytes waiting in the ring. */
size_t console_out_queued(void);

/* Bytes free in the ring (for callers that must not wait). */
size_t console_out_space(void);

/* Feed the UART what its FIFO takes now; called by the main loop. */
void console_out_pump(void);

/* From now on queue output (the main loop is about to start). */
void console_out_start_queueing(void);

/* Write out everything queued, waiting, and go back to writing straight
 * through: for panics and fatal exceptions, which never return. */
void console_out_sync(void);

/* Bytes refused because the ring was full. */
uint64_t console_out_dropped(void);

#endif
