/*
 * The C library string functions the image uses (ours and lwIP's).
 * memcpy and memset use the string instructions (SDM Vol. 1 7.3.9.3):
 * fast on current CPUs, and under emulators one instruction instead of a
 * loop of many.
 * gnu-efi's libefi has byte loops of the same names; the Makefile links a
 * copy of it with those made weak. memmove is built without loop-to-call
 * transformation so it cannot turn into a call to itself.
 */
#include <string.h>
#include "lib/types.h"

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

/*
 * Quadwords first, then the tail bytes: emulators (QEMU/TCG, Bochs) run a
 * REP MOVSQ iteration at about the cost of a REP MOVSB one, eight times
 * the data per step; real CPUs are fast either way.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint64_t pattern = 0x0101010101010101ULL * (uint8_t)c;
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(pattern) : "memory");
	return dst;
}

NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	size_t i;

	if (d < s || d >= s + n) {
		for (i = 0; i < n; i++)
			d[i] = s[i];
		return dst;
	}
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
