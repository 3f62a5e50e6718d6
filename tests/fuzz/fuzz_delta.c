/*
 * libFuzzer target: page deltas (migrate/delta.c), as a destination
 * would meet a hostile stream and as a sender would meet any page.
 *
 * The input is taken as an encoding and applied to a fixed page: check
 * and apply must agree, a refused encoding must leave the page as it
 * was, an accepted one must change bytes only where it said. Then the
 * same input, spread over the page as changes, must encode and apply
 * back to exactly the changed page, and never run past its buffer.
 */
#include <string.h>

#include "migrate/delta.h"
#include "tests/fuzz/fuzz_check.h"

#define N DELTA_PAGE_SIZE

static uint8_t base[N], page[N], changed[N], enc[DELTA_MAX + 1];

static void fill_base(void)
{
	size_t i;

	for (i = 0; i < N; i++)
		base[i] = (uint8_t)(i * 31 + 7);
}

static void apply_as_encoding(const uint8_t *data, size_t size)
{
	int ok = delta_check(data, size), applied;

	memcpy(page, base, N);
	applied = delta_apply(page, data, size);
	CHECK(ok == applied);
	CHECK(ok == 0 || ok == -EINVAL);
	if (ok)
		CHECK(!memcmp(page, base, N));
}

/* Pairs of input bytes: a position step and an XOR value. */
static void encode_as_changes(const uint8_t *data, size_t size)
{
	size_t i, at = 0;
	int n;

	memcpy(changed, base, N);
	for (i = 0; i + 1 < size; i += 2) {
		at = (at + data[i] * 3u) % N;
		changed[at] ^= data[i + 1];
	}
	n = delta_encode(base, changed, enc, sizeof(enc) - 1);
	CHECK(n == -ENOSPC || (n >= 0 && (size_t)n < sizeof(enc)));
	if (n <= 0) {
		if (n == 0)
			CHECK(!memcmp(base, changed, N));
		return;
	}
	memcpy(page, base, N);
	CHECK(delta_apply(page, enc, (size_t)n) == 0);
	CHECK(!memcmp(page, changed, N));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base[1])
		fill_base();
	apply_as_encoding(data, size);
	encode_as_changes(data, size);
	return 0;
}
