/*
 * libFuzzer target: the HPET model driven by arbitrary sequences of
 * 32- and 64-bit (and refused) reads and writes anywhere in its page,
 * time steps, updates and snapshot round trips.
 *
 * Besides the sanitizers' checks, after every step it asserts what the
 * rest of the hypervisor relies on: registers hold no reserved bits,
 * reserved offsets read 0, the main counter never runs backwards while
 * enabled and nobody wrote it, a halted HPET arms nothing and has no
 * deadline, no match is left behind the time it was updated to, every
 * saved state passes the record's validation and loads back the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/hpet.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

#define TSC_HZ 2999999999ULL /* does not divide: rounding is exercised */
#define LOW32 0xffffffffULL


/* Mostly registers that exist, sometimes anything in the page. */
static uint32_t pick_offset(struct input *in)
{
	static const uint32_t regs[] = { 0x000, 0x010, 0x020, 0x0f0, 0x100, 0x108, 0x110,
					 0x120, 0x128, 0x130, 0x140, 0x148, 0x150, 0x118 };
	uint8_t b = (uint8_t)take(in, 1);

	if (b & 0x80)
		return (uint32_t)take(in, 2) & 0x1fff;
	return regs[b % (sizeof(regs) / sizeof(regs[0]))] + ((b & 0x40) ? 4 : 0);
}

static unsigned pick_size(struct input *in)
{
	static const unsigned sizes[] = { 8, 4, 4, 8, 1, 2 };

	return sizes[take(in, 1) % 6];
}

static uint64_t pick_step(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	return take(in, 2) << (b % 40);
}

static void check_state(const struct hpet *h, uint64_t synced)
{
	uint64_t c = hpet_counter(h, synced), d = hpet_next_deadline(h);
	bool on = h->config & HPET_ENABLE_CNF;
	struct gs_hpet s;
	int n;

	CHECK(!(h->config & ~HPET_ENABLE_CNF));
	CHECK(!(h->isr & ~7ULL));
	for (n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->timer[n];

		CHECK(!(t->config & ~HPET_TN_CONF_WRITABLE));
		if (t->config & HPET_TN_32MODE_CNF)
			CHECK(!((t->comparator | t->period) & ~LOW32));
		CHECK(on || !t->armed);
		/* brought up to date: nothing armed is due any more */
		if (t->armed)
			CHECK((int64_t)(t->match - c) > 0);
	}
	CHECK(on || d == 0);
	CHECK(d == 0 || d > synced || d == UINT64_MAX);
	hpet_save(h, synced, &s);
	CHECK(hpet_state_valid(&s));
}

/* Field by field: the structs have padding. */
static bool same_state(const struct gs_hpet *a, const struct gs_hpet *b)
{
	int n;

	if (a->config != b->config || a->isr != b->isr || a->counter != b->counter)
		return false;
	for (n = 0; n < GS_HPET_TIMERS; n++) {
		const struct gs_hpet_timer *x = &a->timer[n], *y = &b->timer[n];

		if (x->config != y->config || x->comparator != y->comparator ||
		    x->period != y->period || x->fsb != y->fsb || x->armed != y->armed ||
		    x->remaining != y->remaining)
			return false;
	}
	return true;
}

/* Save at now and load into a fresh model at another TSC: same registers,
 * same counter; the model goes on from there. */
static void check_round_trip(struct hpet *h, uint64_t now, uint64_t elsewhere)
{
	struct gs_hpet s, again;
	struct hpet back;
	uint64_t a, b;
	uint32_t off;

	hpet_save(h, now, &s);
	hpet_init(&back, TSC_HZ);
	hpet_load(&back, &s, elsewhere);
	hpet_save(&back, elsewhere, &again);
	CHECK(same_state(&s, &again));
	for (off = 0; off < HPET_REG_SIZE; off += 8) {
		CHECK(hpet_mmio_read(h, off, 8, now, &a) == 0);
		CHECK(hpet_mmio_read(&back, off, 8, elsewhere, &b) == 0);
		CHECK(a == b);
	}
	*h = back;
}

static bool is_reserved(uint32_t off)
{
	uint32_t reg = off & ~7U;

	if (reg == 0x000 || reg == 0x010 || reg == 0x020 || reg == 0x0f0)
		return false;
	return !(reg >= 0x100 && reg < 0x160 && (reg & 0x1f) != 0x18);
}

/* One fuzzer-chosen step; returns the time the model is up to date with. */
static uint64_t step(struct hpet *h, struct vlapic *l, struct input *in, uint64_t *now,
		     uint64_t synced)
{
	uint8_t op = (uint8_t)take(in, 1);
	uint32_t off = pick_offset(in);
	unsigned size = pick_size(in);
	uint64_t v = 0, before;
	int r;

	switch (op % 5) {
	case 0:
		before = hpet_counter(h, synced);
		r = hpet_mmio_read(h, off, size, *now, &v);
		CHECK(r == 0 || (r == -EINVAL && v == 0));
		if (r == 0 && is_reserved(off))
			CHECK(v == 0);
		if (r == 0 && (off & ~7U) == HPET_MAIN_CNT && size == 8 && (h->config & 1))
			CHECK(v - before < (1ULL << 63)); /* forward, modulo a wrap */
		return synced;
	case 1:
		r = hpet_mmio_write(h, off, size, take(in, 8), *now);
		CHECK(r == 0 || r == -EINVAL);
		/* a write re-arms from now: the run loop updates before the next entry */
		hpet_update(h, *now, l);
		return *now;
	case 2:
		*now += pick_step(in);
		return synced;
	case 3:
		hpet_update(h, *now, l);
		return *now;
	default:
		hpet_update(h, *now, l);
		v = take(in, 4);
		check_round_trip(h, *now, v);
		*now = v;
		hpet_update(h, *now, l);
		return *now;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct hpet h;
	struct vlapic l;
	uint64_t now = take(&in, 4), synced;
	int steps = 0;

	hpet_init(&h, TSC_HZ);
	vlapic_init(&l, 0, TSC_HZ, 100000000ULL);
	vlapic_mmio_write(&l, 0xf0, 0x1ff, now);
	synced = now;
	while (in.n && steps++ < 256) {
		synced = step(&h, &l, &in, &now, synced);
		check_state(&h, synced);
	}
	return 0;
}
