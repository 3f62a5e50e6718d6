/*
 * Eight bytes per load, each split into two 32-bit halves added into
 * 64-bit accumulators: no carry to propagate inside the loop, which keeps
 * it short for a real CPU and cheap for an emulator that has to compute
 * flags. 2^32 halves cannot overflow a 64-bit sum, and the one's
 * complement sum does not depend on how the words are grouped (RFC 1071
 * 2(B)), only on byte order, which loads in the machine's order keep.
 */
#include "net/chksum.h"

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static void store64(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

static uint16_t fold(uint64_t sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The last len < 8 bytes as one zero-padded word in the machine's order. */
static uint64_t tail_word(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	__builtin_memcpy(&v, p, len);
	return v;
}

uint16_t net_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t a = 0, b = 0, v;
	size_t n = len > 0 ? (size_t)len : 0;

	for (; n >= 16; n -= 16, p += 16) {
		v = load64(p);
		a += (v & 0xffffffffULL) + (v >> 32);
		v = load64(p + 8);
		b += (v & 0xffffffffULL) + (v >> 32);
	}
	if (n >= 8) {
		v = load64(p);
		a += (v & 0xffffffffULL) + (v >> 32);
		n -= 8;
		p += 8;
	}
	v = tail_word(p, n);
	b += (v & 0xffffffffULL) + (v >> 32);
	return fold(a + b);
}

uint16_t net_chksum_copy(void *dst, const void *src, uint16_t len)
{
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint64_t a = 0, v;
	size_t n = len;

	for (; n >= 8; n -= 8, s += 8, d += 8) {
		v = load64(s);
		store64(d, v);
		a += (v & 0xffffffffULL) + (v >> 32);
	}
	__builtin_memcpy(d, s, n);
	v = tail_word(s, n);
	a += (v & 0xffffffffULL) + (v >> 32);
	return fold(a);
}
