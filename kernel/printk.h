/*
 * Direct, synchronous console output: for logs, panics and exception
 * reports. Newlines become CR LF on the wire.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "lib/types.h"

/* Write n bytes to the console. */
void kwrite(const char *s, size_t n);
/* Write a NUL-terminated string. */
void kputs(const char *s);
/* Format (lib/fmt.h conversions) and write; at most 1 KiB per call. */
int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The image's load address and end: to print code addresses as image offsets. */
uint64_t image_base(void);
uint64_t image_end(void);

/* Write out all queued console output and write straight through from
 * now on: the first thing a panic or fatal-exception report does. */
void printk_sync(void);

#endif
