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

/* The round whose value word i holds after round. */
static uint32_t last_written(uint32_t round, uint32_t i, uint32_t touch)
{
	return touch && i >= touch ? 0 : round;
}

uint32_t wl_word_touched(uint32_t page, uint32_t round, uint32_t i, uint32_t touch)
{
	return wl_word(page, last_written(round, i, touch), i);
}

void wl_page_fill_touched(volatile uint32_t *w, uint32_t page, uint32_t round, uint32_t touch)
{
	uint32_t seed = pattern_seed(page, round), i;
	uint32_t n = round && touch && touch < WL_WORDS_PER_PAGE ? touch : WL_WORDS_PER_PAGE;

	for (i = 0; i < n; i++)
		w[i] = seed + i * 0x01000193u;
}

void wl_page_fill(volatile uint32_t *w, uint32_t page, uint32_t round)
{
	wl_page_fill_touched(w, page, round, 0);
}

int wl_page_check_touched(const volatile uint32_t *w, uint32_t page, uint32_t round,
			  uint32_t touch)
{
	uint32_t i;

	for (i = 0; i < WL_WORDS_PER_PAGE; i++) {
		if (w[i] != wl_word_touched(page, round, i, touch))
			return (int)i;
	}
	return -1;
}

int wl_page_check(const volatile uint32_t *w, uint32_t page, uint32_t round)
{
	return wl_page_check_touched(w, page, round, 0);
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
