/*
 * The shared workload logic (see wlcore.h).
 */
#include "guest.h"
#include "wlcore.h"

static uint32_t pattern_seed(uint32_t page, uint32_t round)
{
	/* Odd multipliers (golden ratio, murmur3) spread page and round apart. */
	return (page * 0x9e3779b1u) ^ ((round + 1) * 0x85ebca77u);
}

uint32_t wl_word(uint32_t page, uint32_t round, uint32_t i)
{
	return pattern_seed(page, round) + i * 0x01000193u;
}

void wl_page_fill(volatile uint32_t *w, uint32_t page, uint32_t round)
{
	uint32_t seed = pattern_seed(page, round), i;

	for (i = 0; i < WL_WORDS_PER_PAGE; i++)
		w[i] = seed + i * 0x01000193u;
}

int wl_page_check(const volatile uint32_t *w, uint32_t page, uint32_t round)
{
	uint32_t seed = pattern_seed(page, round), i;

	for (i = 0; i < WL_WORDS_PER_PAGE; i++) {
		if (w[i] != seed + i * 0x01000193u)
			return (int)i;
	}
	return -1;
}

uint64_t wl_page_ticks(uint32_t khz, uint32_t rate_kib)
{
	if (!khz || !rate_kib)
		return 0;
	/* ticks per page = khz * 1000 * 4096 / (rate_kib * 1024) */
	return (uint64_t)khz * 4000 / rate_kib;
}

void wl_wait_until(uint64_t due)
{
	while (due && rdtsc() < due)
		cpu_pause();
}

void wl_gap_step(struct wl_gap *g)
{
	uint64_t now = rdtsc(), d;

	if (g->last && now > g->last) {
		d = now - g->last;
		if (d > g->max)
			g->max = d;
		if (d > g->worst)
			g->worst = d;
	}
	g->last = now;
}

uint64_t wl_gap_take(struct wl_gap *g)
{
	uint64_t m = g->max;

	g->max = 0;
	return m;
}
