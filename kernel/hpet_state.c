/*
 * The HPET in and out of the guest-state record. Pure: see hpet.h.
 * The main counter is saved as the value it reads at the guest TSC of
 * the snapshot and each match as ticks from it, so after a restore the
 * counter goes on from where it was, as the guest's TSC does, however
 * long the snapshot lay around. Statistics stay out of the record.
 */
#include "kernel/hpet.h"

#define LOW32 0xffffffffULL

void hpet_save(const struct hpet *h, uint64_t now, struct gs_hpet *s)
{
	uint64_t c = hpet_counter(h, now);

	s->config = h->config;
	s->isr = h->isr;
	s->counter = c;
	for (int n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->timer[n];

		s->timer[n] = (struct gs_hpet_timer){
			.config = t->config, .comparator = t->comparator, .period = t->period,
			.fsb = t->fsb, .armed = t->armed, .remaining = t->armed ? t->match - c : 0,
		};
	}
}

void hpet_load(struct hpet *h, const struct gs_hpet *s, uint64_t now)
{
	h->config = s->config;
	h->isr = s->isr;
	h->counter = s->counter;
	h->counter_tsc = h->updated_tsc = now;
	for (int n = 0; n < HPET_TIMERS; n++) {
		struct hpet_timer *t = &h->timer[n];
		const struct gs_hpet_timer *g = &s->timer[n];

		t->config = g->config;
		t->comparator = g->comparator;
		t->period = g->period;
		t->fsb = g->fsb;
		t->armed = g->armed;
		t->match = g->armed ? s->counter + g->remaining : 0;
	}
}

/* One timer as hpet.c leaves it: writable bits only, 32-bit values in
 * 32-bit mode, armed only while the counter runs, a match within reach. */
static bool timer_valid(const struct gs_hpet_timer *t, bool enabled)
{
	bool narrow = t->config & HPET_TN_32MODE_CNF;

	if (t->config & ~HPET_TN_CONF_WRITABLE)
		return false;
	if (narrow && ((t->comparator | t->period) & ~LOW32))
		return false;
	if (t->armed > 1 || (t->armed && !enabled))
		return false;
	/* a 32-bit timer matches within 2^32 ticks, a 64-bit one within 2^63 */
	return !t->armed || (narrow ? t->remaining <= (1ULL << 32) : (int64_t)t->remaining >= 0);
}

bool hpet_state_valid(const struct gs_hpet *s)
{
	if (s->config & ~HPET_ENABLE_CNF)
		return false;
	if (s->isr & ~((1ULL << HPET_TIMERS) - 1))
		return false;
	for (int n = 0; n < HPET_TIMERS; n++)
		if (!timer_valid(&s->timer[n], s->config & HPET_ENABLE_CNF))
			return false;
	return true;
}
