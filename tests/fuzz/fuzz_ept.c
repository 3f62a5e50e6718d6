/*
 * libFuzzer target: the EPT builder driven by arbitrary operation
 * sequences, checked after every step against the page-granular shadow
 * model of tests/unit/ept_model.h (tables decoded by the reference walker,
 * not by ept.c). Any disagreement, stray table access, double free or leak
 * aborts.
 *
 * Input: byte 0 picks the guest-physical window (placed across table
 * boundaries), byte 1 the allocator's failure mode, then 4 bytes per
 * operation: the op and a 24-bit seed its parameters are drawn from.
 * Short operations let even the fuzzer's first, small inputs hold
 * sequences long enough to split, dirty and harvest the same pages.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/ept_model.h"

#define FUZZ_WINDOW_PAGES 2048 /* 8 MiB */
#define FUZZ_MAX_OPS 400
#define FUZZ_OP_BYTES 4

static const gpa_t fuzz_bases[] = {
	0, GiB(1) - MiB(4), GiB(512) - MiB(4), EPT_MAX_GPA - MiB(8),
};

static struct sim sim;
static struct model model;

static void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_ept: %s\n", what);
	abort();
}

/* splitmix64: spreads a seed over all the bits model_step reads */
static uint64_t fuzz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static bool fuzz_op(const uint8_t *p)
{
	uint64_t seed = p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16;
	uint64_t ab = fuzz_mix(seed), c = fuzz_mix(seed ^ 0xc0ffee);

	return model_step(&model, p[0], (uint32_t)ab, (uint32_t)(ab >> 32), (uint32_t)c);
}

/* Byte 1: 0 never fail; else fail after (b & 63) tables, or one in (b >> 6) + 2. */
static void fuzz_failures(uint8_t b)
{
	if (!b)
		return;
	if (b & 0x80)
		sim.fail_one_in = (b >> 6) + 2;
	else
		sim.fail_after = b & 63;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ept_mem_ops ops;
	struct ept e;
	size_t i;

	if (size < 2)
		return 0;
	if (!sim.mem)
		sim_init(&sim);
	sim_reset(&sim);
	ops = sim_ops(&sim);
	if (ept_init(&e, &ops))
		fuzz_die("init failed with a fresh allocator");
	fuzz_failures(data[1]);
	model_init(&model, &e, &sim, fuzz_bases[data[0] % ARRAY_SIZE(fuzz_bases)],
		   FUZZ_WINDOW_PAGES);
	model.may_fail = data[1] != 0;
	for (i = 2; i + FUZZ_OP_BYTES <= size && i < 2 + FUZZ_MAX_OPS * FUZZ_OP_BYTES;
	     i += FUZZ_OP_BYTES)
		if (!fuzz_op(data + i))
			fuzz_die(model.why);
	model_fini(&model);
	ept_destroy(&e);
	if (sim.allocs != sim.frees || sim.bad || e.table_pages || e.small_pages || e.large_pages)
		fuzz_die("destroy left tables or counters behind");
	return 0;
}
