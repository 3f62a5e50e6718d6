/*
 * The netbench test stream. Word k (bytes 8k to 8k + 7, little endian) is
 * splitmix64's output for the state (k + 1) * 0x9e3779b97f4a7c15 (Steele,
 * Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014): a bijection of k, so no word repeats in 2^64 words. One mix per
 * eight bytes keeps the check cheap enough for the receiver to run at line
 * rate. Both ends compute the stream, so it is a wire format: changing it
 * breaks netbench between hypervisors of different versions. Pure.
 */
#include "net/netbench.h"
#include "net/netbench_stream.h"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ULL

static uint64_t stream_word(uint64_t k)
{
	uint64_t z = (k + 1) * SPLITMIX_GAMMA;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t stream_byte(uint64_t i)
{
	return (uint8_t)(stream_word(i >> 3) >> ((i & 7) * 8));
}

uint8_t netbench_byte(uint64_t i)
{
	return stream_byte(i);
}

/* Little-endian load and store, whatever the host's byte order. */
static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v)); /* -ffreestanding would make memcpy a call */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	__builtin_memcpy(p, &v, sizeof(v));
}

/* Non-zero bytes of x: the wrong bytes of a word compared by XOR. */
static unsigned nonzero_bytes(uint64_t x)
{
	unsigned n = 0;

	for (; x; x >>= 8)
		n += (x & 0xff) != 0;
	return n;
}

void netbench_fill(uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		buf[i] = stream_byte(off + i);
	for (; len - i >= 8; i += 8)
		store_le64(buf + i, stream_word((off + i) >> 3));
	for (; i < len; i++)
		buf[i] = stream_byte(off + i);
}

uint64_t netbench_check(uint64_t off, const uint8_t *buf, size_t len)
{
	uint64_t wrong = 0;
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		wrong += buf[i] != stream_byte(off + i);
	for (; len - i >= 8; i += 8)
		wrong += nonzero_bytes(load_le64(buf + i) ^ stream_word((off + i) >> 3));
	for (; i < len; i++)
		wrong += buf[i] != stream_byte(off + i);
	return wrong;
}
