/*
 * The fuzz targets' input as a stream of big-endian numbers: a target
 * takes the bytes it needs for each decision; past the end, zeros.
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t n;
};

/* The next `bytes` bytes (at most 8) as a big-endian number; fewer when the input runs out. */
static inline uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

#endif
