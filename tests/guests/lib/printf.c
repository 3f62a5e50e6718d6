/*
 * A small printf: enough for the guests' protocol lines. Conversions
 * d i u x X c s p %, flags '0' and '-', a width, length l / ll / z.
 */
#include "guest.h"

struct sink {
	char *buf;    /* NULL: straight to the serial port */
	size_t size;
	size_t pos;   /* characters produced so far */
};

struct spec {
	int left, zero, width, len; /* len: 0 int, 1 long, 2 long long */
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		serial_putc(c);
	else if (s->pos + 1 < s->size)
		s->buf[s->pos] = c;
	s->pos++;
}

static void sink_pad(struct sink *s, int n, char c)
{
	while (n-- > 0)
		sink_put(s, c);
}

/* digits holds the number reversed; sign is '-' or 0. */
static void put_digits(struct sink *s, const struct spec *sp, const char *digits,
		       int n, char sign, const char *prefix)
{
	int plen = (sign ? 1 : 0) + (int)strlen(prefix);
	int pad = sp->width - n - plen;

	if (!sp->left && !sp->zero)
		sink_pad(s, pad, ' ');
	if (sign)
		sink_put(s, sign);
	while (*prefix)
		sink_put(s, *prefix++);
	if (!sp->left && sp->zero)
		sink_pad(s, pad, '0');
	while (n--)
		sink_put(s, digits[n]);
	if (sp->left)
		sink_pad(s, pad, ' ');
}

static void put_number(struct sink *s, const struct spec *sp, uint64_t v,
		       unsigned base, int upper, char sign, const char *prefix)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];
	int n = 0;

	do {
		uint64_t r;

		v = udivmod64(v, base, &r);
		digits[n++] = set[r];
	} while (v);
	put_digits(s, sp, digits, n, sign, prefix);
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
	int n;

	if (!str)
		str = "(null)";
	n = (int)strlen(str);
	if (!sp->left)
		sink_pad(s, sp->width - n, ' ');
	while (*str)
		sink_put(s, *str++);
	if (sp->left)
		sink_pad(s, sp->width - n, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == 'z') {
		f++;
	} else {
		while (*f == 'l' && sp->len < 2) {
			sp->len++;
			f++;
		}
	}
	return f;
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->len == 2)
		return va_arg(*ap, unsigned long long);
	if (sp->len == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	if (sp->len == 2)
		return va_arg(*ap, long long);
	if (sp->len == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void put_conv(struct sink *s, const struct spec *sp, char c, va_list *ap)
{
	int64_t v;

	switch (c) {
	case 'd':
	case 'i':
		v = arg_signed(sp, ap);
		put_number(s, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, 0,
			   v < 0 ? '-' : 0, "");
		break;
	case 'u':
		put_number(s, sp, arg_unsigned(sp, ap), 10, 0, 0, "");
		break;
	case 'x':
	case 'X':
		put_number(s, sp, arg_unsigned(sp, ap), 16, c == 'X', 0, "");
		break;
	case 'p':
		put_number(s, sp, (uintptr_t)va_arg(*ap, void *), 16, 0, 0, "0x");
		break;
	case 'c':
		sink_put(s, (char)va_arg(*ap, int));
		break;
	case 's':
		put_string(s, sp, va_arg(*ap, const char *));
		break;
	case '%':
		sink_put(s, '%');
		break;
	default:
		sink_put(s, '%');
		if (c)
			sink_put(s, c);
	}
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			sink_put(s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		put_conv(s, &sp, *fmt, &aq);
		if (*fmt)
			fmt++;
	}
	va_end(aq);
	if (s->buf && s->size)
		s->buf[s->pos < s->size ? s->pos : s->size - 1] = 0;
	return (int)s->pos;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };
	static char dummy;

	if (!buf) {
		/* Count only: point at a byte that is never written (size 0). */
		s.buf = &dummy;
		s.size = 0;
	}
	return format(&s, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	struct sink s = { 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format(&s, fmt, ap);
	va_end(ap);
	return n;
}
