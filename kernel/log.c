/*
 * Leveled logging with a timestamp from the monotonic clock.
 */
#include <stdarg.h>
#include "kernel/clock.h"
#include "kernel/console.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/printk.h"

static enum log_level current = LOG_INFO;

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[512];
	uint64_t ns = clock_ns();
	va_list ap;
	int n;

	if (level > current)
		return;
	n = fmt_snprintf(buf, sizeof(buf), "[%5lu.%06lu] %s: ", ns / 1000000000,
			 ns / 1000 % 1000000, log_level_name(level));
	va_start(ap, fmt);
	n += fmt_vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(buf) - 2);
	buf[n++] = '\n';
	console_async_write(buf, (size_t)n);
}
