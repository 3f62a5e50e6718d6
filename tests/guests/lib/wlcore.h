/*
 * The memory-writing workload both workload guests run (the 32-bit
 * workload.c and the 64-bit long64/): a pattern every word of a page
 * holds in a round, so a page lost, stale (an older round) or misplaced
 * (another page's data) is caught, a TSC-paced write throttle, and a
 * gap meter: the longest time between consecutive steps, which is how
 * long the guest saw itself stopped (a migration's pause, or being
 * descheduled), measured with its own TSC.
 *
 * Plain computation and RDTSC only, so the 64-bit guest runs it in ring 3.
 */
#ifndef GUEST_WLCORE_H
#define GUEST_WLCORE_H

#include <stdint.h>

#define WL_WORDS_PER_PAGE 1024u /* 32-bit words in a 4 KiB page */

/*
 * The value word i of page p holds in round r (0-based). With touch
 * (1..WL_WORDS_PER_PAGE-1) rounds after the first rewrite only the
 * page's first touch words, so the rest keep round 0's values: a page
 * that changes by a few bytes, as live data often does. touch 0: every
 * word, every round.
 */
uint32_t wl_word(uint32_t page, uint32_t round, uint32_t i);
uint32_t wl_word_touched(uint32_t page, uint32_t round, uint32_t i, uint32_t touch);

/* Write round's pattern into the page at w (wl_page_fill_touched: only what round rewrites). */
void wl_page_fill(volatile uint32_t *w, uint32_t page, uint32_t round);
void wl_page_fill_touched(volatile uint32_t *w, uint32_t page, uint32_t round, uint32_t touch);

/* Index of the first word of w that does not hold round's pattern, or -1. */
int wl_page_check(const volatile uint32_t *w, uint32_t page, uint32_t round);
int wl_page_check_touched(const volatile uint32_t *w, uint32_t page, uint32_t round,
			  uint32_t touch);

/*
 * TSC ticks per page at rate_kib KiB/s for a TSC of khz kHz; 0 (no
 * throttle) when either is 0.
 */
uint64_t wl_page_ticks(uint32_t khz, uint32_t rate_kib);

/* Spin until the TSC reaches due (0: return at once). */
void wl_wait_until(uint64_t due);

/* Longest gap between consecutive steps, in TSC ticks. */
struct wl_gap {
	uint64_t last;  /* TSC at the last step, 0 before the first */
	uint64_t max;   /* since the last wl_gap_take */
	uint64_t worst; /* since the start */
};

/* A step happened now: count the time since the previous one. */
void wl_gap_step(struct wl_gap *g);

/* The longest gap since the last call (ticks), and start a new period. */
uint64_t wl_gap_take(struct wl_gap *g);

#endif
