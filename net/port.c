/*
 * The lwIP port's glue: lwIP's clock, randomness, diagnostics and start-up.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "kernel/clock.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "net/port.h"

#include "lwip/init.h"
#include "lwip/sys.h"

/* lwIP's timers (NO_SYS=1) run off this; it wraps after 49 days, as lwIP expects. */
u32_t sys_now(void)
{
	return (u32_t)clock_ms();
}

void lwip_port_init(void)
{
	lwip_init();
}

/*
 * xorshift64* (Vigna 2016) with the TSC folded in on every call, so that
 * values differ between boots and between the two ends of a migration.
 */
uint32_t lwip_port_rand(void)
{
	static uint64_t state = 0x9e3779b97f4a7c15ULL;

	state ^= rdtsc();
	if (state == 0)
		state = 0x9e3779b97f4a7c15ULL;
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545f4914f6cdd1dULL) >> 32);
}

void lwip_port_diag(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* lwIP ends most messages with a newline; the log adds its own. */
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_msg(LOG_DEBUG, "lwip: %s", buf);
}

void lwip_port_assert(const char *msg, const char *file, int line)
{
	panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

/*
 * The image has no libc, but netif_find() calls atoi(), which glibc's
 * <stdlib.h> (included by netif.c) inlines as strtol(s, NULL, 10) when
 * optimising. Both are given here, for the decimal numbers lwIP parses.
 */
int atoi(const char *s);
long strtol(const char *s, char **end, int base);

/* Base 10 only (lwIP's sole use); stops at the first non-digit, saturates. */
long strtol(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0, limit;
	bool neg = false, any = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	limit = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	for (; base == 10 && *p >= '0' && *p <= '9'; p++, any = true)
		v = v > (limit - (unsigned long)(*p - '0')) / 10 ?
			limit : v * 10 + (unsigned long)(*p - '0');
	if (end)
		*end = (char *)(any ? p : s);
	return neg ? (long)(0 - v) : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
