/*
 * Host stand-ins for the kernel services the network glue calls (see
 * netif_host_stubs.h). The clock starts at one second, not zero, so the
 * first poll is already past the link-check interval.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "tests/unit/netif_host_stubs.h"

static uint64_t now_ns = 1000000000ULL;
static char log_buf[8192];
static size_t log_len;

void stub_clock_advance(uint64_t ns)
{
	now_ns += ns;
}

uint64_t clock_ns(void)
{
	return now_ns;
}

uint64_t clock_ms(void)
{
	return now_ns / 1000000;
}

const char *stub_log_text(void)
{
	return log_buf;
}

void stub_log_clear(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

/* Appends until the buffer is full; later messages are lost, not wrapped. */
void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (log_len + 2 >= sizeof(log_buf))
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_len = MIN(log_len + (size_t)n, sizeof(log_buf) - 2);
	log_buf[log_len++] = '\n';
	log_buf[log_len] = '\0';
}

/* lwIP assertions end up here (through lwip_port_assert): fail loudly. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
