/*
 * 64-bit division for 32-bit code. GCC turns u64 '/' and '%' into calls
 * to these libgcc helpers, and Debian's gcc ships no 32-bit libgcc
 * without gcc-multilib, so the guests carry their own.
 */
#include "guest.h"

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem);

/* (hi:lo) / d with hi < d, so the quotient fits DIVL (no #DE). */
static uint32_t div_64_32(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem)
{
	uint32_t q, r;

	asm("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	*rem = r;
	return q;
}

uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;
	int shift;

	if (d == 0) {
		/* Like the hardware would, but report rather than fault. */
		if (rem)
			*rem = n;
		return ~0ull;
	}
	if ((d >> 32) == 0) {
		uint32_t hi = (uint32_t)(n >> 32), r;
		uint32_t qhi = hi / (uint32_t)d;
		uint32_t qlo = div_64_32(hi % (uint32_t)d, (uint32_t)n,
					 (uint32_t)d, &r);

		if (rem)
			*rem = r;
		return ((uint64_t)qhi << 32) | qlo;
	}
	/* Divisor above 32 bits: the quotient has at most 32, shift-subtract. */
	if (n < d) {
		if (rem)
			*rem = n;
		return 0;
	}
	shift = 0;
	while (!(d >> 63) && (d << 1) <= n) {
		d <<= 1;
		shift++;
	}
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	if (rem)
		*rem = n;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return udivmod64(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	udivmod64(n, d, &r);
	return r;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	return udivmod64(n, d, rem);
}

static uint64_t abs64(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = udivmod64(abs64(n), abs64(d), NULL);

	return ((n < 0) != (d < 0)) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	udivmod64(abs64(n), abs64(d), &r);
	return n < 0 ? -(int64_t)r : (int64_t)r;
}

int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem)
{
	int64_t q = __divdi3(n, d);

	if (rem)
		*rem = n - q * d;
	return q;
}
