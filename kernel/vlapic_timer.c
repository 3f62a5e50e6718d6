/*
 * The local APIC timer. Pure: see vlapic.h and vlapic_timer.h.
 *
 * The timer keeps its next expiry as a TSC value. A period is rarely a
 * whole number of TSC ticks, so the fraction (in 1/bus_hz ticks) is
 * carried from one period to the next and a periodic timer never drifts;
 * each expiry is rounded up to a whole tick so it never fires early, and
 * the current count is derived from the time left, never stored.
 */
#include "kernel/vlapic_timer.h"

/* No period longer than 2^62 ticks (centuries), so sums cannot wrap. */
#define TICKS_MAX (1ULL << 62)

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t s;

	return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

/* (hi:lo) / d by shift and subtract: the image has no __udivti3. A
 * quotient that does not fit (hi >= d) saturates. */
static uint64_t vlapic_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t top;
	int i;

	if (hi >= d) {
		*rem = 0;
		return UINT64_MAX;
	}
	for (i = 0; i < 64; i++) {
		top = hi >> 63;
		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		if (top || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*rem = hi;
	return lo;
}

/* Divide configuration, figure 11-10: bits 3,1,0 = 000 -> 2 ... 110 -> 128,
 * 111 -> 1. Returns log2 of the divisor. */
static unsigned vlapic_div_shift(const struct vlapic *l)
{
	unsigned code = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);

	return (code + 1) & 7;
}

/* counts timer ticks as TSC ticks: *q whole ones and *r / bus_hz, at least 1. */
static void vlapic_ticks(const struct vlapic *l, uint32_t counts, uint64_t *q, uint64_t *r)
{
	uint64_t input = (uint64_t)counts << vlapic_div_shift(l);
	unsigned __int128 p = (unsigned __int128)input * l->tsc_hz;

	*q = vlapic_div128((uint64_t)(p >> 64), (uint64_t)p, l->bus_hz, r);
	if (*q == 0 || *q > TICKS_MAX) {
		*q = *q ? TICKS_MAX : 1;
		*r = 0;
	}
}

/* TSC ticks as timer counts, rounded down or up. */
static uint64_t vlapic_counts(const struct vlapic *l, uint64_t ticks, bool up)
{
	unsigned shift = vlapic_div_shift(l);
	unsigned __int128 p = (unsigned __int128)ticks * l->bus_hz;
	bool inexact = p & ((1u << shift) - 1);
	uint64_t q, rem;

	p >>= shift;
	q = vlapic_div128((uint64_t)(p >> 64), (uint64_t)p, l->tsc_hz, &rem);
	if (up && (inexact || rem) && q != UINT64_MAX)
		q++;
	return q;
}

/* Count counts ticks from now; the periods after the first are initial. */
static void vlapic_timer_arm(struct vlapic *l, uint64_t now, uint32_t counts)
{
	uint64_t q, r;

	vlapic_ticks(l, counts, &q, &r);
	l->timer_start = now;
	l->timer_frac = r;
	l->timer_deadline = sat_add(now, q + (r != 0));
	vlapic_ticks(l, l->timer_initial, &l->timer_period, &l->timer_period_rem);
}

/* Move a periodic deadline n periods on, fractions included. */
static void vlapic_timer_advance(struct vlapic *l, uint64_t n)
{
	uint64_t whole = l->timer_deadline - (l->timer_frac != 0);
	unsigned __int128 frac = (unsigned __int128)n * l->timer_period_rem + l->timer_frac;
	uint64_t carry, rem, step;

	carry = vlapic_div128((uint64_t)(frac >> 64), (uint64_t)frac, l->bus_hz, &rem);
	if (__builtin_mul_overflow(n, l->timer_period, &step))
		step = UINT64_MAX;
	whole = sat_add(whole, sat_add(step, carry));
	l->timer_frac = rem;
	l->timer_deadline = sat_add(whole, rem != 0);
	l->timer_start = sat_add(whole, rem != 0) - l->timer_period;
}

/* Re-arm from the missed deadline, not from now, so the rate holds; all
 * periods that have passed make one interrupt (IRR is one bit). */
static void vlapic_timer_catch_up(struct vlapic *l, uint64_t now)
{
	uint64_t longest = l->timer_period + (l->timer_period_rem != 0);
	uint64_t n, periods = 0;

	while (l->timer_deadline <= now && l->timer_deadline != UINT64_MAX) {
		/* Never more periods than have surely passed. */
		n = (now - l->timer_deadline) / longest + 1;
		vlapic_timer_advance(l, n);
		periods += n;
	}
	if (periods > 1)
		l->timer_missed += periods - 1;
}

void vlapic_update_timer(struct vlapic *l, uint64_t now)
{
	if (!l->timer_deadline || now < l->timer_deadline)
		return;
	l->timer_fires++;
	vlapic_deliver_lvt(l, l->lvt_timer);
	switch (vlapic_timer_mode(l)) {
	case TIMER_PERIODIC:
		vlapic_timer_catch_up(l, now);
		break;
	case TIMER_TSC_DEADLINE:
		/* The MSR clears itself when the timer fires (11.5.4.1). */
		l->tsc_deadline = 0;
		l->timer_deadline = 0;
		break;
	default:
		l->timer_deadline = 0;
		break;
	}
}

uint64_t vlapic_next_deadline(const struct vlapic *l)
{
	return (l->lvt_timer & LVT_MASKED) ? 0 : l->timer_deadline;
}

uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t counts;

	if (vlapic_timer_mode(l) == TIMER_TSC_DEADLINE || !l->timer_deadline ||
	    !l->timer_initial)
		return 0;
	if (now >= l->timer_deadline) {
		/* Not yet brought up to date: a periodic count has reloaded. */
		if (vlapic_timer_mode(l) != TIMER_PERIODIC)
			return 0;
		counts = vlapic_counts(l, now - l->timer_deadline, false);
		return l->timer_initial - (uint32_t)(counts % l->timer_initial);
	}
	counts = vlapic_counts(l, l->timer_deadline - now, true);
	return (uint32_t)MIN(counts, (uint64_t)l->timer_initial);
}

/* Initial count, 11.5.4: 0 stops the timer; ignored in TSC-deadline mode. */
void vlapic_timer_write_initial(struct vlapic *l, uint32_t val, uint64_t now)
{
	if (vlapic_timer_mode(l) == TIMER_TSC_DEADLINE)
		return;
	l->timer_initial = val;
	if (val)
		vlapic_timer_arm(l, now, val);
	else
		l->timer_deadline = 0;
}

/* A new divider applies to the rest of the current count. */
void vlapic_timer_write_divide(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t left = vlapic_timer_current(l, now);

	l->timer_divide = val & DCR_WRITABLE;
	if (left && l->timer_deadline)
		vlapic_timer_arm(l, now, left);
}

/* IA32_TSC_DEADLINE arms (0 disarms) only in TSC-deadline mode (11.5.4.1). */
void vlapic_timer_write_deadline(struct vlapic *l, uint64_t val)
{
	if (vlapic_timer_mode(l) != TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = val;
	l->timer_deadline = val;
}
