/*
 * libFuzzer target: the local APIC model driven by arbitrary sequences of
 * MMIO and MSR reads and writes, time steps, interrupts arriving and
 * interrupts injected.
 *
 * Besides the sanitizers' checks, after every step it asserts what the
 * rest of the hypervisor relies on: a pending vector is legal, requested
 * and beats the processor priority; no vector below 16 is ever in IRR or
 * ISR; a disabled APIC holds nothing; a software-disabled one has every
 * LVT masked; no register holds bits the architecture reserves; the timer
 * never lags behind the time it was last brought up to date with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/vlapic.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

#define EN (1ULL << 11)
#define EXTD (1ULL << 10)
#define MASKED (1u << 16)


/* Mostly registers that exist, sometimes anything at all. */
static uint32_t pick_offset(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	if (b & 0x80)
		return (uint32_t)take(in, 2) & 0x1fff;
	return (uint32_t)(b & 0x3f) << 4;
}

static uint32_t pick_msr(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	if (b < 0x10)
		return MSR_IA32_APIC_BASE;
	if (b < 0x20)
		return MSR_IA32_TSC_DEADLINE;
	if (b < 0x28)
		return (uint32_t)take(in, 4);
	return MSR_X2APIC_FIRST + (b & 0x3f);
}

/* Values with the interesting bits near the bottom, or raw. */
static uint64_t pick_value(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	switch (b & 3) {
	case 0:
		return take(in, 1);
	case 1:
		return take(in, 3);
	case 2:
		return take(in, 4);
	default:
		return take(in, 8);
	}
}

static uint64_t pick_apic_base(struct input *in)
{
	static const uint64_t modes[] = { 0, EN, EN | EXTD, EXTD };
	uint8_t b = (uint8_t)take(in, 1);

	if (b & 0x80)
		return take(in, 8);
	return VLAPIC_DEFAULT_BASE | modes[b & 3] | ((b & 4) ? 1ULL << 8 : 0);
}

static uint64_t pick_step(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);

	return take(in, 2) << (b & 0x3f ? (b & 0x3f) % 40 : 0);
}

static unsigned bits(const uint32_t *v)
{
	unsigned n = 0, i;

	for (i = 0; i < 8; i++)
		n += (unsigned)__builtin_popcount(v[i]);
	return n;
}

static uint32_t lvt_reserved(uint32_t off)
{
	switch (off) {
	case 0x320: /* timer */
		return ~(0xffu | MASKED | 3u << 17);
	case 0x350: /* LINT0 */
	case 0x360:
		return ~(0xffu | 0x700u | 1u << 13 | 1u << 15 | MASKED);
	case 0x370: /* error */
		return ~(0xffu | MASKED);
	default:
		return ~(0xffu | 0x700u | MASKED);
	}
}

static void check_lvts(const struct vlapic *l)
{
	const uint32_t offs[] = { 0x2f0, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };
	const uint32_t vals[] = { l->lvt_cmci, l->lvt_timer, l->lvt_thermal, l->lvt_perf,
				  l->lvt_lint0, l->lvt_lint1, l->lvt_error };
	size_t i;

	for (i = 0; i < 7; i++) {
		CHECK(!(vals[i] & lvt_reserved(offs[i])));
		if (!(l->svr & 0x100))
			CHECK(vals[i] & MASKED);
	}
	CHECK((l->lvt_timer >> 17 & 3) != 3);
}

static void check_pending(const struct vlapic *l)
{
	int v = vlapic_pending(l);
	int isrv = -1, i;
	uint32_t ppr;

	if (v < 0) {
		CHECK(v == -1);
		return;
	}
	CHECK(v >= 16 && v <= 255);
	CHECK(l->irr[v >> 5] & (1u << (v & 31)));
	CHECK(l->svr & 0x100);
	for (i = 255; i >= 0 && isrv < 0; i--)
		if (l->isr[i >> 5] & (1u << (i & 31)))
			isrv = i;
	ppr = l->tpr & 0xff;
	if (isrv >= 0 && (uint32_t)(isrv >> 4) > (ppr >> 4))
		ppr = (uint32_t)isrv & 0xf0;
	CHECK((uint32_t)(v >> 4) > (ppr >> 4));
}

static void check_state(const struct vlapic *l, uint64_t updated_to, uint64_t now)
{
	unsigned mode = l->lvt_timer >> 17 & 3;

	CHECK(!(l->irr[0] & 0xffff) && !(l->isr[0] & 0xffff));
	CHECK(bits(l->tmr) == 0);
	CHECK(bits(l->irr) <= 240 && bits(l->isr) <= 240);
	CHECK(!(l->apic_base & EXTD) || (l->apic_base & EN));
	CHECK(!!(l->apic_base & (1ULL << 8)) == (l->id == 0));
	if (!(l->apic_base & EN)) {
		CHECK(bits(l->irr) == 0 && bits(l->isr) == 0);
		CHECK(l->timer_deadline == 0 && l->svr == 0xff);
	}
	CHECK(!(l->svr & ~0x3ffu) && !(l->tpr & ~0xffu) && !(l->timer_divide & ~0xbu));
	check_lvts(l);
	check_pending(l);
	CHECK(l->timer_frac < l->bus_hz);
	CHECK(l->timer_deadline == 0 || l->timer_deadline > updated_to ||
	      l->timer_deadline == UINT64_MAX);
	if (mode == 2) {
		CHECK(l->timer_deadline == l->tsc_deadline);
		CHECK(vlapic_timer_current(l, updated_to) == 0);
	} else {
		CHECK(l->tsc_deadline == 0);
		CHECK(vlapic_timer_current(l, updated_to) <= l->timer_initial);
		CHECK(vlapic_timer_current(l, now) <= l->timer_initial);
		CHECK(l->timer_deadline == 0 || l->timer_initial != 0);
	}
	if (l->lvt_timer & MASKED)
		CHECK(vlapic_next_deadline(l) == 0);
}

/* One fuzzer-chosen step; returns the time the timer is up to date with. */
static uint64_t step(struct vlapic *l, struct input *in, uint64_t *now, uint64_t synced)
{
	uint8_t op = (uint8_t)take(in, 1);
	uint32_t off, v32, before;
	uint64_t v64;
	int r, p;

	switch (op % 9) {
	case 0:
		r = vlapic_mmio_read(l, pick_offset(in), *now, &v32);
		/* refused: 0 from the xAPIC, all ones with it off (nothing decodes the page) */
		CHECK(r == 0 || (r == -EINVAL && v32 == (vlapic_hw_enabled(l) &&
						       !vlapic_x2apic_mode(l) ? 0 : 0xffffffffu)));
		return r ? synced : *now;
	case 1:
		off = pick_offset(in);
		before = bits(l->isr);
		r = vlapic_mmio_write(l, off, (uint32_t)pick_value(in), *now);
		CHECK(r == 0 || r == -EINVAL);
		if (off == 0xb0 && r == 0)
			CHECK(bits(l->isr) == (before ? before - 1 : 0));
		return r ? synced : *now;
	case 2:
		r = vlapic_msr_read(l, pick_msr(in), *now, &v64);
		CHECK(r == 0 || (r == -EINVAL && v64 == 0));
		return *now;
	case 3:
		r = vlapic_msr_write(l, pick_msr(in), pick_value(in), *now);
		CHECK(r == 0 || r == -EINVAL);
		return *now;
	case 4:
		r = vlapic_msr_write(l, MSR_IA32_APIC_BASE, pick_apic_base(in), *now);
		CHECK(r == 0 || r == -EINVAL);
		return *now;
	case 5:
		*now = __builtin_add_overflow(*now, pick_step(in), &v64) ? UINT64_MAX : v64;
		return synced;
	case 6:
		vlapic_accept(l, (uint8_t)take(in, 1));
		return synced;
	case 7:
		p = vlapic_pending(l);
		if (p < 0) {
			vlapic_ack(l, (uint8_t)take(in, 1));
			return synced;
		}
		vlapic_ack(l, (uint8_t)p);
		CHECK(l->isr[p >> 5] & (1u << (p & 31)));
		CHECK(!(l->irr[p >> 5] & (1u << (p & 31))));
		CHECK(vlapic_pending(l) == -1 || vlapic_pending(l) >> 4 > p >> 4);
		return synced;
	default:
		vlapic_update_timer(l, *now);
		return *now;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rates[] = { 1, 1000, 1000000000ULL, 2600000007ULL,
					  3000000000ULL, 133333333ULL, 1ULL << 40 };
	struct input in = { data, size };
	struct vlapic l;
	uint64_t now, synced;
	uint8_t cfg = (uint8_t)take(&in, 1);
	uint32_t id = (cfg & 0x80) ? (uint32_t)take(&in, 4) : (cfg & 3);

	vlapic_init(&l, id, rates[(cfg >> 2) % 7], rates[(uint8_t)take(&in, 1) % 7]);
	now = take(&in, 4);
	synced = 0;
	check_state(&l, synced, now);
	while (in.n) {
		synced = step(&l, &in, &now, synced);
		check_state(&l, synced, now);
	}
	return 0;
}
