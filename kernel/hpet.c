/*
 * The HPET model. Pure: see hpet.h.
 *
 * The main counter is never stored while it runs: it is the value it had
 * when enabled (counter) plus the guest time since (counter_tsc) in
 * 10 ns ticks, so it is exact and monotonic however often it is read.
 * Each timer keeps its next match as a 64-bit main-counter value; the
 * run loop turns the earliest one into a guest TSC deadline, as it does
 * for the APIC timer, and nothing waits or polls hardware here.
 */
#include <string.h>
#include "kernel/hpet.h"

#define LOW32 0xffffffffULL
#define TIMER_STRIDE 0x20
#define TIMER_LAST_REG (HPET_TN_CONF(HPET_TIMERS) - 1)

/* The capabilities every timer reports, 2.3.8: periodic-capable, 64-bit,
 * FSB delivery. Tn_INT_ROUTE_CAP is 0: there is no I/O APIC model yet, so
 * no I/O APIC input could carry a timer's interrupt; FSB is the only way. */
#define TIMER_CAPS (HPET_TN_PER_INT_CAP | HPET_TN_SIZE_CAP | HPET_TN_FSB_INT_DEL_CAP)

void hpet_init(struct hpet *h, uint64_t tsc_hz)
{
	memset(h, 0, sizeof(*h));
	h->tsc_hz = tsc_hz ? tsc_hz : 1;
	/* comparators reset to all ones (2.3.9), so nothing matches before a write */
	for (int n = 0; n < HPET_TIMERS; n++)
		h->timer[n].comparator = ~0ULL;
}

static bool hpet_enabled(const struct hpet *h)
{
	return h->config & HPET_ENABLE_CNF;
}

/* floor(t * HPET_FREQ_HZ / tsc_hz) in two parts, without 128-bit division. */
static uint64_t tsc_to_ticks(const struct hpet *h, uint64_t t)
{
	uint64_t whole = t / h->tsc_hz, part;

	if (__builtin_mul_overflow(t % h->tsc_hz, HPET_FREQ_HZ, &part))
		return UINT64_MAX; /* a TSC faster than 184 GHz */
	return whole * HPET_FREQ_HZ + part / h->tsc_hz;
}

/* The fewest TSC ticks in which the counter advances by ticks (saturating). */
static uint64_t ticks_to_tsc(const struct hpet *h, uint64_t ticks)
{
	uint64_t whole, part, sum;

	if (__builtin_mul_overflow(ticks / HPET_FREQ_HZ, h->tsc_hz, &whole) ||
	    __builtin_mul_overflow(ticks % HPET_FREQ_HZ, h->tsc_hz, &part))
		return UINT64_MAX;
	part = part / HPET_FREQ_HZ + (part % HPET_FREQ_HZ != 0);
	return __builtin_add_overflow(whole, part, &sum) ? UINT64_MAX : sum;
}

uint64_t hpet_counter(const struct hpet *h, uint64_t now)
{
	/* a guest TSC written backwards holds the counter rather than wrapping it */
	if (!hpet_enabled(h) || (int64_t)(now - h->counter_tsc) <= 0)
		return h->counter;
	return h->counter + tsc_to_ticks(h, now - h->counter_tsc);
}

static bool timer_32bit(const struct hpet_timer *t)
{
	return t->config & HPET_TN_32MODE_CNF;
}

/*
 * Find the next match from counter value c, 2.3.9.2: a 32-bit timer
 * compares the counter's low half, so it matches within 2^32 ticks; a
 * 64-bit comparator behind the counter would match only after the
 * counter wrapped (centuries), so it is left unarmed.
 */
static void timer_arm(struct hpet_timer *t, uint64_t c, bool enabled)
{
	uint64_t ahead;

	t->armed = false;
	if (!enabled)
		return;
	if (timer_32bit(t)) {
		t->match = c + (uint32_t)(t->comparator - c);
		t->armed = true;
		return;
	}
	ahead = t->comparator - c;
	if ((int64_t)ahead >= 0) {
		t->match = t->comparator;
		t->armed = true;
	}
}

static void timers_arm(struct hpet *h, uint64_t now)
{
	uint64_t c = hpet_counter(h, now);

	for (int n = 0; n < HPET_TIMERS; n++)
		timer_arm(&h->timer[n], c, hpet_enabled(h));
}

/* ---------------------------------------------------------------- reads */

static uint64_t hpet_capabilities(void)
{
	/* LEG_RT_CAP stays 0: legacy replacement routes timers 0 and 1 to the
	 * PIC's IRQ0/IRQ8 (I/O APIC inputs 2/8), which nothing here models */
	return HPET_REV_ID | ((uint64_t)(HPET_TIMERS - 1) << HPET_NUM_TIM_CAP_SHIFT) |
	       HPET_COUNT_SIZE_CAP | (HPET_VENDOR_ID << HPET_VENDOR_ID_SHIFT) |
	       (HPET_COUNTER_CLK_PERIOD << HPET_COUNTER_CLK_PERIOD_SHIFT);
}

/* Register n's 8-byte-aligned timer register at offset reg (0, 8, 0x10 of its block). */
static uint64_t timer_read(const struct hpet_timer *t, uint32_t reg)
{
	switch (reg) {
	case 0x00:
		return t->config | TIMER_CAPS;
	case 0x08:
		return t->comparator;
	case 0x10:
		return t->fsb;
	default:
		return 0; /* the reserved fourth quadword */
	}
}

/* The 64-bit register at the 8-byte-aligned offset reg. */
static uint64_t hpet_read64(const struct hpet *h, uint32_t reg, uint64_t now)
{
	switch (reg) {
	case HPET_GCAP_ID:
		return hpet_capabilities();
	case HPET_GEN_CONF:
		return h->config;
	case HPET_GINTR_STA:
		return h->isr;
	case HPET_MAIN_CNT:
		return hpet_counter(h, now);
	}
	if (reg >= HPET_TN_CONF(0) && reg <= TIMER_LAST_REG)
		return timer_read(&h->timer[(reg - HPET_TN_CONF(0)) / TIMER_STRIDE],
				  (reg - HPET_TN_CONF(0)) % TIMER_STRIDE);
	return 0; /* reserved, or past the register block */
}

/* Aligned 32- and 64-bit accesses only, 2.3.1. */
static bool access_ok(uint32_t offset, unsigned size)
{
	return (size == 4 || size == 8) && !(offset & (size - 1)) && offset < HPET_PAGE_SIZE;
}

int hpet_mmio_read(struct hpet *h, uint32_t offset, unsigned size, uint64_t now, uint64_t *val)
{
	uint64_t v;

	*val = 0;
	if (!access_ok(offset, size))
		return -EINVAL;
	v = hpet_read64(h, offset & ~7U, now);
	*val = size == 8 ? v : (v >> ((offset & 4) * 8)) & LOW32;
	return 0;
}

/* ---------------------------------------------------------------- writes */

static uint64_t merge(uint64_t old, uint64_t val, uint64_t mask)
{
	return (old & ~mask) | (val & mask);
}

/* ENABLE_CNF: the counter holds its value while halted and goes on from it. */
static void write_gen_conf(struct hpet *h, uint64_t val, uint64_t mask, uint64_t now)
{
	/* LEG_RT_CNF is read-only 0 with LEG_RT_CAP clear (hpet_capabilities) */
	uint64_t conf = merge(h->config, val, mask) & HPET_ENABLE_CNF;

	if (conf == h->config)
		return;
	if (conf & HPET_ENABLE_CNF) {
		h->counter_tsc = h->updated_tsc = now;
	} else {
		h->counter = hpet_counter(h, now);
	}
	h->config = conf;
	timers_arm(h, now);
}

/* The counter takes writes only while halted, 2.3.7 ("writes should only be
 * done while the counter is halted"); a write while it runs is dropped. */
static void write_main_cnt(struct hpet *h, uint64_t val, uint64_t mask, uint64_t now)
{
	if (hpet_enabled(h))
		return;
	h->counter = merge(h->counter, val, mask);
	timers_arm(h, now);
}

/* 32-bit mode keeps only the low halves of comparator and period (2.3.8). */
static void write_timer_conf(struct hpet_timer *t, uint64_t val, uint64_t mask)
{
	t->config = merge(t->config, val, mask) & HPET_TN_CONF_WRITABLE;
	if (timer_32bit(t)) {
		t->comparator &= LOW32;
		t->period &= LOW32;
	}
}

/*
 * The comparator, 2.3.9.2.2: in periodic mode a write sets the period and,
 * only with Tn_VAL_SET_CNF, the comparator itself (the "accumulator");
 * Tn_VAL_SET_CNF clears itself after the write. One-shot writes set the
 * comparator. The upper half of a 32-bit timer's comparator stays 0.
 */
static void write_comparator(struct hpet_timer *t, uint64_t val, uint64_t mask)
{
	bool periodic = t->config & HPET_TN_TYPE_CNF;

	if (timer_32bit(t))
		mask &= LOW32;
	if (!periodic || (t->config & HPET_TN_VAL_SET_CNF))
		t->comparator = merge(t->comparator, val, mask);
	if (periodic)
		t->period = merge(t->period, val, mask);
	t->config &= ~HPET_TN_VAL_SET_CNF;
}

static void write_timer(struct hpet *h, uint32_t reg, uint64_t val, uint64_t mask, uint64_t now)
{
	unsigned n = (reg - HPET_TN_CONF(0)) / TIMER_STRIDE;
	struct hpet_timer *t = &h->timer[n];

	switch ((reg - HPET_TN_CONF(0)) % TIMER_STRIDE) {
	case 0x00:
		write_timer_conf(t, val, mask);
		break;
	case 0x08:
		write_comparator(t, val, mask);
		break;
	case 0x10:
		t->fsb = merge(t->fsb, val, mask);
		return;
	default:
		return;
	}
	timer_arm(t, hpet_counter(h, now), hpet_enabled(h));
}

int hpet_mmio_write(struct hpet *h, uint32_t offset, unsigned size, uint64_t val, uint64_t now)
{
	unsigned shift = (offset & 4) * 8;
	uint64_t mask = size == 8 ? ~0ULL : LOW32 << shift;
	uint32_t reg = offset & ~7U;

	if (!access_ok(offset, size))
		return -EINVAL;
	val = size == 8 ? val : (val & LOW32) << shift;
	if (reg == HPET_GEN_CONF)
		write_gen_conf(h, val, mask, now);
	else if (reg == HPET_GINTR_STA)
		h->isr &= ~(val & mask); /* write 1 to clear, 2.3.6 */
	else if (reg == HPET_MAIN_CNT)
		write_main_cnt(h, val, mask, now);
	else if (reg >= HPET_TN_CONF(0) && reg <= TIMER_LAST_REG)
		write_timer(h, reg, val, mask, now);
	return 0; /* GCAP_ID and reserved registers: writes are ignored */
}

/* ---------------------------------------------------------------- timers */

/*
 * A periodic timer's next match after c: all periods that have passed
 * count as one match (an MSI is an edge; IRR holds one bit anyway). The
 * comparator advances with it, modulo 2^32 for a 32-bit timer.
 */
static void timer_next_period(struct hpet_timer *t, uint64_t c)
{
	uint64_t n = (c - t->match) / t->period + 1, step;

	/* a match 2^63 ticks away or more is past reach, as in timer_arm */
	if (__builtin_mul_overflow(n, t->period, &step) ||
	    __builtin_add_overflow(t->match, step, &t->match) || (int64_t)(t->match - c) < 0) {
		t->armed = false;
		return;
	}
	t->comparator += step;
	if (timer_32bit(t))
		t->comparator &= LOW32;
}

/* The timer matched: status, interrupt, then its next match. */
static void timer_fire(struct hpet *h, unsigned n, uint64_t c, struct vlapic *l)
{
	struct hpet_timer *t = &h->timer[n];

	t->fires++;
	/* the status bit is for level-triggered timers, interrupt enabled or not, 2.3.6 */
	if (t->config & HPET_TN_INT_TYPE_CNF)
		h->isr |= 1ULL << n;
	if ((t->config & HPET_TN_INT_ENB_CNF) && (t->config & HPET_TN_FSB_EN_CNF)) {
		t->msis++;
		vlapic_deliver_msi(l, t->fsb >> 32, (uint32_t)t->fsb);
	}
	if ((t->config & HPET_TN_TYPE_CNF) && t->period) {
		timer_next_period(t, c);
	} else if (timer_32bit(t)) {
		/* one-shot: the low half matches again each time it comes round */
		t->match = c + (uint32_t)(t->comparator - c);
		if (t->match == c)
			t->match += 1ULL << 32;
	} else {
		t->armed = false; /* the next 64-bit match is 2^64 ticks away */
	}
}

void hpet_update(struct hpet *h, uint64_t now, struct vlapic *l)
{
	uint64_t c;

	if (!hpet_enabled(h))
		return;
	/* the guest wrote its TSC backwards: the counter goes on from the value
	 * it had at the last update (the latest any read can have seen, as
	 * reads update first), so it never runs backwards */
	if ((int64_t)(now - h->updated_tsc) < 0) {
		h->counter = hpet_counter(h, h->updated_tsc);
		h->counter_tsc = now;
	}
	h->updated_tsc = now;
	c = hpet_counter(h, now);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		struct hpet_timer *t = &h->timer[n];

		if (t->armed && (int64_t)(c - t->match) >= 0)
			timer_fire(h, n, c, l);
	}
}

/* A match that sets a status bit or sends an MSI; others are caught up lazily. */
static bool timer_has_effect(const struct hpet_timer *t)
{
	return (t->config & HPET_TN_INT_TYPE_CNF) ||
	       ((t->config & HPET_TN_INT_ENB_CNF) && (t->config & HPET_TN_FSB_EN_CNF));
}

uint64_t hpet_next_deadline(const struct hpet *h)
{
	uint64_t best = 0, at;

	if (!hpet_enabled(h))
		return 0;
	for (int n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->timer[n];

		if (!t->armed || !timer_has_effect(t))
			continue;
		if (__builtin_add_overflow(h->counter_tsc, ticks_to_tsc(h, t->match - h->counter), &at))
			at = UINT64_MAX;
		at = at ? at : 1; /* 0 means "none" */
		if (!best || at < best)
			best = at;
	}
	return best;
}
