/*
 * Simulated physical memory for the EPT tests: an arena of table pages
 * whose host-physical addresses start at a fake base far from any host
 * pointer, so mixing up an hpa and a pointer crashes or is caught. map()
 * checks that only allocated pages are reached (use after free), free
 * catches double frees, and the allocator can be told to fail after N
 * allocations or at random to exercise -ENOMEM paths.
 */
#ifndef TESTS_UNIT_EPT_SIM_H
#define TESTS_UNIT_EPT_SIM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/ept.h"

#define SIM_PAGES 4096
#define SIM_BASE 0x100000000ULL

struct sim {
	uint8_t *mem;            /* SIM_PAGES pages */
	uint8_t used[SIM_PAGES];
	uint32_t cursor;         /* next page to try: freed pages are not reused at once */
	uint64_t allocs, frees;  /* successful calls */
	long fail_after;         /* allocations left before all fail; < 0: no limit */
	uint32_t fail_one_in;    /* also fail one allocation in this many; 0: never */
	uint64_t rng;
	unsigned bad;            /* misuses seen: stray map, double or stray free */
};

static inline uint64_t sim_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The arena index of pa, or -1 when pa is not a page of the arena. */
static inline long sim_index(const struct sim *s, uint64_t pa)
{
	if (pa < SIM_BASE || (pa & 0xfff) || pa >= SIM_BASE + (uint64_t)SIM_PAGES * 4096)
		return -1;
	return (long)((pa - SIM_BASE) >> 12);
}

static inline hpa_t sim_alloc(void *ctx)
{
	struct sim *s = ctx;
	uint32_t n;

	if (s->fail_after == 0)
		return 0;
	if (s->fail_one_in && sim_rand(&s->rng) % s->fail_one_in == 0)
		return 0;
	for (n = 0; n < SIM_PAGES; n++) {
		uint32_t i = (s->cursor + n) % SIM_PAGES;

		if (s->used[i])
			continue;
		s->used[i] = 1;
		s->cursor = i + 1;
		memset(s->mem + (size_t)i * 4096, 0, 4096);
		s->allocs++;
		if (s->fail_after > 0)
			s->fail_after--;
		return SIM_BASE + (uint64_t)i * 4096;
	}
	return 0;
}

static inline void sim_free(void *ctx, hpa_t pa)
{
	struct sim *s = ctx;
	long i = sim_index(s, pa);

	if (i < 0 || !s->used[i]) {
		s->bad++;
		return;
	}
	s->used[i] = 0;
	memset(s->mem + (size_t)i * 4096, 0xa5, 4096); /* stale reads see garbage */
	s->frees++;
}

static inline void *sim_map(void *ctx, hpa_t pa)
{
	struct sim *s = ctx;
	long i = sim_index(s, pa);

	if (i < 0 || !s->used[i]) {
		s->bad++;
		if (i < 0)
			abort(); /* no page to hand out: stop at the culprit */
	}
	return s->mem + (size_t)i * 4096;
}

/* Forget every allocation but keep the arena: cheap between fuzz inputs. */
static inline void sim_reset(struct sim *s)
{
	uint8_t *mem = s->mem;

	memset(s, 0, sizeof(*s));
	s->mem = mem;
	s->fail_after = -1;
	s->rng = 0x9e3779b97f4a7c15ULL;
}

static inline void sim_init(struct sim *s)
{
	s->mem = aligned_alloc(4096, (size_t)SIM_PAGES * 4096);
	if (!s->mem)
		abort();
	sim_reset(s);
}

static inline void sim_fini(struct sim *s)
{
	free(s->mem);
	s->mem = NULL;
}

static inline struct ept_mem_ops sim_ops(struct sim *s)
{
	struct ept_mem_ops ops = {
		.alloc_table = sim_alloc, .free_table = sim_free, .map = sim_map, .ctx = s,
	};
	return ops;
}

static inline uint64_t sim_live(const struct sim *s)
{
	return s->allocs - s->frees;
}

#endif
