/*
 * Console output shared by the log, panics and the exception reporter.
 * It formats on the caller's stack so it works in any context, including
 * a fault taken while printing.
 */
#include <stdarg.h>
#include <string.h>
#include "kernel/console_out.h"
#include "lib/fmt.h"
#include "kernel/printk.h"

extern char ImageBase[];
extern char _image_end[];

uint64_t image_base(void)
{
	return (uint64_t)ImageBase;
}

uint64_t image_end(void)
{
	return (uint64_t)_image_end;
}

void kwrite(const char *s, size_t n)
{
	console_out_write(s, n);
}

void printk_sync(void)
{
	console_out_sync();
}

void kputs(const char *s)
{
	kwrite(s, strlen(s));
}

int kprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kwrite(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}
