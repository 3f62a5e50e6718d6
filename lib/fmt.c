/*
 * printf-style formatting into a bounded buffer, following C11 7.21.6.1
 * for the conversions listed in fmt.h. No floating point: the image is
 * built with -mgeneral-regs-only. %n is deliberately absent.
 */
#include "lib/fmt.h"

#include <string.h>

#define FLAG_LEFT  0x01 /* '-' */
#define FLAG_ZERO  0x02 /* '0' */
#define FLAG_PLUS  0x04 /* '+' */
#define FLAG_SPACE 0x08 /* ' ' */
#define FLAG_ALT   0x10 /* '#' */

/*
 * Widths and precisions are clamped here: no real format needs more, and
 * a garbage '*' argument must not keep the CPU padding for seconds.
 */
#define FMT_FIELD_MAX 65535

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_out {
	char *buf;
	size_t size;
	size_t pos; /* bytes the full output has so far, even past size */
};

struct fmt_spec {
	unsigned int flags;
	int width;
	int prec; /* -1 when not given */
	enum fmt_len len;
	char conv;
};

/* Whether the next byte still fits (the last one is kept for the NUL). */
static bool fmt_room(const struct fmt_out *o)
{
	return o->size && o->pos < o->size - 1;
}

static void fmt_put(struct fmt_out *o, char c)
{
	if (fmt_room(o))
		o->buf[o->pos] = c;
	o->pos++;
}

static void fmt_put_n(struct fmt_out *o, char c, int n)
{
	for (; n > 0 && fmt_room(o); n--)
		fmt_put(o, c);
	if (n > 0)
		o->pos += (size_t)n; /* past the buffer only the count grows */
}

static void fmt_put_s(struct fmt_out *o, const char *s, size_t n)
{
	for (; n && fmt_room(o); n--)
		fmt_put(o, *s++);
	o->pos += n;
}

static const char *fmt_parse_flags(const char *p, struct fmt_spec *sp)
{
	for (;; p++) {
		switch (*p) {
		case '-': sp->flags |= FLAG_LEFT; break;
		case '0': sp->flags |= FLAG_ZERO; break;
		case '+': sp->flags |= FLAG_PLUS; break;
		case ' ': sp->flags |= FLAG_SPACE; break;
		case '#': sp->flags |= FLAG_ALT; break;
		default: return p;
		}
	}
}

static int fmt_clamp(int v)
{
	return v > FMT_FIELD_MAX ? FMT_FIELD_MAX : v;
}

static const char *fmt_parse_num(const char *p, int *out)
{
	int v = 0;

	while (*p >= '0' && *p <= '9') {
		if (v <= FMT_FIELD_MAX)
			v = v * 10 + (*p - '0');
		p++;
	}
	*out = fmt_clamp(v);
	return p;
}

static const char *fmt_parse_len(const char *p, enum fmt_len *len)
{
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*len = LEN_HH;
			return p + 2;
		}
		*len = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*len = LEN_LL;
			return p + 2;
		}
		*len = LEN_L;
		return p + 1;
	case 'z': *len = LEN_Z; return p + 1;
	case 't': *len = LEN_T; return p + 1;
	case 'j': *len = LEN_J; return p + 1;
	default: *len = LEN_NONE; return p;
	}
}

/* Parse one conversion spec after '%'; '*' arguments are taken from ap. */
static const char *fmt_parse_spec(const char *p, struct fmt_spec *sp,
				  va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	p = fmt_parse_flags(p, sp);
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		/* C11 7.21.6.1p5: a negative width is a '-' flag. */
		if (sp->width < 0) {
			sp->flags |= FLAG_LEFT;
			sp->width = sp->width < -FMT_FIELD_MAX ? FMT_FIELD_MAX
							       : -sp->width;
		}
		sp->width = fmt_clamp(sp->width);
		p++;
	} else {
		p = fmt_parse_num(p, &sp->width);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = fmt_clamp(va_arg(*ap, int));
			if (sp->prec < 0)
				sp->prec = -1; /* negative: as if omitted */
			p++;
		} else {
			p = fmt_parse_num(p, &sp->prec);
		}
	}
	p = fmt_parse_len(p, &sp->len);
	sp->conv = *p;
	return *p ? p + 1 : p;
}

static int64_t fmt_arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return (int64_t)va_arg(*ap, size_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t fmt_arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (uint64_t)va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/* Digits of v in base, most significant first, into d; returns count. */
static int fmt_digits(char *d, uint64_t v, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, i;

	while (v) {
		tmp[n++] = set[v % base];
		v /= base;
	}
	for (i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/*
 * Lay out sign/prefix, zero padding and digits in a field (C11 7.21.6.1p6):
 * a precision turns off the '0' flag and a zero value with precision 0 has
 * no digits.
 */
static void fmt_emit_number(struct fmt_out *o, const struct fmt_spec *sp,
			    const char *prefix, const char *digits, int ndig)
{
	int plen = (int)strlen(prefix);
	int zeros = sp->prec > ndig ? sp->prec - ndig : 0;
	int body = plen + zeros + ndig;
	int pad = sp->width > body ? sp->width - body : 0;

	if (sp->prec < 0 && (sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT)) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FLAG_LEFT))
		fmt_put_n(o, ' ', pad);
	fmt_put_s(o, prefix, (size_t)plen);
	fmt_put_n(o, '0', zeros);
	fmt_put_s(o, digits, (size_t)ndig);
	if (sp->flags & FLAG_LEFT)
		fmt_put_n(o, ' ', pad);
}

static void fmt_signed(struct fmt_out *o, struct fmt_spec *sp, int64_t v)
{
	/* Negate in unsigned arithmetic so INT64_MIN is well defined. */
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	const char *prefix = "";
	char d[24];
	int n;

	if (v < 0)
		prefix = "-";
	else if (sp->flags & FLAG_PLUS)
		prefix = "+";
	else if (sp->flags & FLAG_SPACE)
		prefix = " ";
	n = fmt_digits(d, mag, 10, false);
	if (n == 0 && sp->prec != 0)
		d[n++] = '0';
	fmt_emit_number(o, sp, prefix, d, n);
}

static void fmt_unsigned(struct fmt_out *o, struct fmt_spec *sp, uint64_t v)
{
	unsigned int base = sp->conv == 'o' ? 8 : sp->conv == 'u' ? 10 : 16;
	const char *prefix = "";
	char d[24];
	int n = fmt_digits(d, v, base, sp->conv == 'X');

	if ((sp->flags & FLAG_ALT) && v && base == 16)
		prefix = sp->conv == 'X' ? "0X" : "0x";
	/* '#' with %o: just enough extra precision to lead with a 0. */
	if ((sp->flags & FLAG_ALT) && base == 8 && sp->prec <= n) {
		memmove(d + 1, d, (size_t)n);
		d[0] = '0';
		n++;
	}
	if (n == 0 && sp->prec != 0)
		d[n++] = '0';
	fmt_emit_number(o, sp, prefix, d, n);
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp,
		       const char *s)
{
	size_t n = 0;
	int pad;

	if (!s)
		s = "(null)";
	if (sp->prec < 0)
		n = strlen(s);
	while (sp->prec >= 0 && n < (size_t)sp->prec && s[n])
		n++;
	pad = (size_t)sp->width > n ? sp->width - (int)n : 0;
	if (!(sp->flags & FLAG_LEFT))
		fmt_put_n(o, ' ', pad);
	fmt_put_s(o, s, n);
	if (sp->flags & FLAG_LEFT)
		fmt_put_n(o, ' ', pad);
}

/* %p: 0x and lowercase hex, as glibc does for non-NULL pointers. */
static void fmt_pointer(struct fmt_out *o, struct fmt_spec *sp, const void *p)
{
	char d[24];
	int n = fmt_digits(d, (uintptr_t)p, 16, false);

	if (n == 0 && sp->prec != 0)
		d[n++] = '0';
	sp->flags &= ~(unsigned int)(FLAG_PLUS | FLAG_SPACE);
	fmt_emit_number(o, sp, "0x", d, n);
}

static void fmt_convert(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		fmt_signed(o, sp, fmt_arg_signed(sp, ap));
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		fmt_unsigned(o, sp, fmt_arg_unsigned(sp, ap));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		fmt_put_n(o, ' ', (sp->flags & FLAG_LEFT) ? 0 : sp->width - 1);
		fmt_put(o, c);
		fmt_put_n(o, ' ', (sp->flags & FLAG_LEFT) ? sp->width - 1 : 0);
		break;
	case 's':
		fmt_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'p':
		fmt_pointer(o, sp, va_arg(*ap, const void *));
		break;
	case '%':
		fmt_put(o, '%');
		break;
	case '\0':
		fmt_put(o, '%'); /* a lone '%' at the end */
		break;
	default:
		/* Unknown conversion: show it rather than guess at arguments. */
		fmt_put(o, '%');
		fmt_put(o, sp->conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	struct fmt_spec sp;
	va_list aq;

	/* A copy, so helpers can take its address on every ABI. */
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			fmt_put(&o, *fmt++);
			continue;
		}
		fmt = fmt_parse_spec(fmt + 1, &sp, &aq);
		fmt_convert(&o, &sp, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fmt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fmt_parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool range = false;
	int d;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	/* Scan to the end first: junk anywhere is -EINVAL, not -ERANGE. */
	for (; *s; s++) {
		d = fmt_hex_digit(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			range = true;
		v = v * base + (unsigned int)d;
	}
	if (range)
		return -ERANGE;
	*out = v;
	return 0;
}
