/*
 * Unit tests for kernel/hpet.c and kernel/hpet_state.c (the HPET model)
 * and vlapic_deliver_msi. The guest TSC runs at 1 GHz in most tests, so
 * one 10 ns counter tick is exactly 10 TSC ticks and the expected times
 * can be written down; one test uses a rate that does not divide.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/hpet.h"

#define TSC_HZ 1000000000ULL /* 10 TSC ticks per counter tick */
#define T0 5000ULL           /* an arbitrary guest TSC to start from */
#define VEC 0x41
#define MSI_ADDR 0xfee00000ULL /* APIC ID 0, physical */
#define SVR 0x0f0

static struct hpet h;
static struct vlapic l;

static void setup(void *arg)
{
	(void)arg;
	hpet_init(&h, TSC_HZ);
	vlapic_init(&l, 0, TSC_HZ, 100000000ULL);
	vlapic_mmio_write(&l, SVR, 0x1ff, 0); /* software-enable: fixed interrupts land in IRR */
}

/* A register read that must succeed. */
static uint64_t rd(uint32_t off, unsigned size, uint64_t now)
{
	uint64_t v = 0xdeadbeef;

	if (hpet_mmio_read(&h, off, size, now, &v))
		return 0xbadbadbadULL;
	return v;
}

/* 64-bit values, printed in hex when they differ */
#define ASSERT_U64(exp, got) \
	ASSERT_EQ_FMT((unsigned long long)(exp), (unsigned long long)(got), "0x%llx")

#define WR(off, size, val, now) ASSERT_EQ(0, hpet_mmio_write(&h, (off), (size), (val), (now)))

static bool irr_has(unsigned v)
{
	return l.irr[v >> 5] & (1u << (v & 31));
}

/* Timer n with FSB delivery of VEC to APIC 0, plus the extra config bits. */
static enum greatest_test_res fsb_timer(unsigned n, uint64_t extra, uint64_t now)
{
	WR(HPET_TN_FSB_ROUTE(n), 8, (MSI_ADDR << 32) | VEC, now);
	WR(HPET_TN_CONF(n), 8, HPET_TN_INT_ENB_CNF | HPET_TN_FSB_EN_CNF | extra, now);
	PASS();
}

TEST capabilities_report_three_64bit_timers_at_10ns(void)
{
	uint64_t cap = rd(HPET_GCAP_ID, 8, T0);

	ASSERT_U64(0x0098968080862201ULL, cap);
	ASSERT_U64(1ULL, cap & 0xff);/* REV_ID */
	ASSERT_U64(2ULL, (cap >> 8) & 0x1f);/* NUM_TIM_CAP: 3 timers */
	ASSERT(cap & HPET_COUNT_SIZE_CAP);
	ASSERT_FALSE(cap & HPET_LEG_RT_CAP);
	ASSERT_U64(10000000ULL, cap >> 32);            /* femtoseconds */
	ASSERT_U64(0x80862201ULL, rd(HPET_GCAP_ID, 4, T0));
	ASSERT_U64(0x00989680ULL, rd(HPET_GCAP_ID + 4, 4, T0));
	WR(HPET_GCAP_ID, 8, 0, T0); /* read-only */
	ASSERT_U64(cap, rd(HPET_GCAP_ID, 8, T0));
	PASS();
}

TEST reset_state_is_halted_with_comparators_all_ones(void)
{
	int n;

	ASSERT_EQ(0, rd(HPET_GEN_CONF, 8, T0));
	ASSERT_EQ(0, rd(HPET_GINTR_STA, 8, T0));
	for (n = 0; n < HPET_TIMERS; n++) {
		ASSERT_U64(~0ULL, rd(HPET_TN_COMPARATOR(n), 8, T0));
		ASSERT_EQ(0, rd(HPET_TN_FSB_ROUTE(n), 8, T0));
	}
	/* a rate of 0 would divide by zero: taken as 1 Hz */
	hpet_init(&h, 0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, 0);
	ASSERT_U64(HPET_FREQ_HZ, rd(HPET_MAIN_CNT, 8, 1));
	PASS();
}

TEST fsb_route_reads_back_in_halves(void)
{
	WR(HPET_TN_FSB_ROUTE(1), 8, 0xfee01000000000abULL, T0);
	ASSERT_U64(0xfee01000000000abULL, rd(HPET_TN_FSB_ROUTE(1), 8, T0));
	WR(HPET_TN_FSB_ROUTE(1) + 4, 4, 0xfee02000, T0);
	ASSERT_U64(0xabULL, rd(HPET_TN_FSB_ROUTE(1), 4, T0));
	ASSERT_U64(0xfee02000ULL, rd(HPET_TN_FSB_ROUTE(1) + 4, 4, T0));
	ASSERT_EQ(0, rd(HPET_TN_FSB_ROUTE(0), 8, T0));
	ASSERT_EQ(0, rd(HPET_TN_FSB_ROUTE(2), 8, T0));
	PASS();
}

TEST counter_never_runs_back_when_the_tsc_is_written_back(void)
{
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_update(&h, T0 + 1000, &l);
	ASSERT_EQ(100, rd(HPET_MAIN_CNT, 8, T0 + 1000));
	/* WRMSR IA32_TSC moved the guest's TSC back: it goes on from 100 */
	hpet_update(&h, 2000, &l);
	ASSERT_EQ(100, rd(HPET_MAIN_CNT, 8, 2000));
	ASSERT_EQ(101, rd(HPET_MAIN_CNT, 8, 2010));
	PASS();
}

TEST counter_frozen_while_halted_and_counting_while_enabled(void)
{
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 8, T0));
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 8, T0 + 123456));
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(HPET_ENABLE_CNF, rd(HPET_GEN_CONF, 8, T0));
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 8, T0));
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 8, T0 + 9));
	ASSERT_EQ(1, rd(HPET_MAIN_CNT, 8, T0 + 10));
	ASSERT_EQ(100, rd(HPET_MAIN_CNT, 8, T0 + 1000));
	/* halted: holds the value, then goes on from it */
	WR(HPET_GEN_CONF, 8, 0, T0 + 1000);
	ASSERT_EQ(100, rd(HPET_MAIN_CNT, 8, T0 + 50000));
	WR(HPET_GEN_CONF, 4, HPET_ENABLE_CNF, T0 + 50000);
	ASSERT_EQ(150, rd(HPET_MAIN_CNT, 8, T0 + 50500));
	PASS();
}

TEST counter_is_writable_only_while_halted(void)
{
	WR(HPET_MAIN_CNT, 8, 0x123456789aULL, T0);
	ASSERT_U64(0x123456789aULL, rd(HPET_MAIN_CNT, 8, T0));
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	WR(HPET_MAIN_CNT, 8, 7, T0 + 100); /* running: dropped */
	ASSERT_U64(0x123456789aULL + 10, rd(HPET_MAIN_CNT, 8, T0 + 100));
	WR(HPET_GEN_CONF, 8, 0, T0 + 100);
	WR(HPET_MAIN_CNT, 8, 7, T0 + 200);
	ASSERT_EQ(7, rd(HPET_MAIN_CNT, 8, T0 + 300));
	PASS();
}

TEST counter_halves_read_and_write_separately(void)
{
	WR(HPET_MAIN_CNT, 4, 0x89abcdef, T0);
	WR(HPET_MAIN_CNT + 4, 4, 0x01234567, T0);
	ASSERT_U64(0x0123456789abcdefULL, rd(HPET_MAIN_CNT, 8, T0));
	ASSERT_U64(0x89abcdefULL, rd(HPET_MAIN_CNT, 4, T0));
	ASSERT_U64(0x01234567ULL, rd(HPET_MAIN_CNT + 4, 4, T0));
	WR(HPET_MAIN_CNT + 4, 4, 0, T0); /* the high half alone keeps the low one */
	ASSERT_U64(0x89abcdefULL, rd(HPET_MAIN_CNT, 8, T0));
	/* the low half carries into the high one as the counter runs */
	WR(HPET_MAIN_CNT, 4, 0xffffffff, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(1, rd(HPET_MAIN_CNT + 4, 4, T0 + 10));
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 4, T0 + 10));
	PASS();
}

TEST configuration_keeps_only_enable(void)
{
	WR(HPET_GEN_CONF, 8, ~0ULL, T0);
	/* LEG_RT_CNF is read-only 0 without LEG_RT_CAP; the rest is reserved */
	ASSERT_EQ(HPET_ENABLE_CNF, rd(HPET_GEN_CONF, 8, T0));
	WR(HPET_GEN_CONF + 4, 4, 0xffffffff, T0);
	ASSERT_EQ(HPET_ENABLE_CNF, rd(HPET_GEN_CONF, 8, T0));
	ASSERT_EQ(0, rd(HPET_GEN_CONF + 4, 4, T0));
	PASS();
}

TEST timer_config_keeps_its_read_only_bits(void)
{
	uint64_t caps = HPET_TN_PER_INT_CAP | HPET_TN_SIZE_CAP | HPET_TN_FSB_INT_DEL_CAP;

	ASSERT_U64(caps, rd(HPET_TN_CONF(2), 8, T0));
	WR(HPET_TN_CONF(2), 8, ~0ULL, T0);
	/* no route can be chosen (Tn_INT_ROUTE_CAP = 0), reserved bits stay 0 */
	ASSERT_U64(caps | HPET_TN_CONF_WRITABLE, rd(HPET_TN_CONF(2), 8, T0));
	ASSERT_EQ(0, rd(HPET_TN_CONF(2), 8, T0) & HPET_TN_INT_ROUTE_CNF);
	ASSERT_EQ(0, rd(HPET_TN_CONF(2) + 4, 4, T0));
	WR(HPET_TN_CONF(2), 8, 0, T0);
	ASSERT_U64(caps, rd(HPET_TN_CONF(2), 8, T0));
	PASS();
}

TEST reserved_and_unbacked_offsets_read_zero(void)
{
	static const uint32_t reserved[] = { 0x008, 0x018, 0x028, 0x0e8, 0x0f8, 0x118,
					     0x138, 0x160, 0x168, 0x3f8, 0x400, 0x800, 0xff8 };
	uint64_t v = 1;
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		WR(reserved[i], 8, ~0ULL, T0);
		ASSERT_EQ(0, rd(reserved[i], 8, T0));
		ASSERT_EQ(0, rd(reserved[i] + 4, 4, T0));
	}
	/* and writing them changed nothing that exists */
	ASSERT_EQ(0, rd(HPET_GEN_CONF, 8, T0));
	ASSERT_EQ(0, rd(HPET_MAIN_CNT, 8, T0));
	ASSERT_EQ(~0ULL, rd(HPET_TN_COMPARATOR(2), 8, T0));
	/* only aligned 32- and 64-bit accesses inside the page (spec 2.3.1) */
	ASSERT_EQ(-EINVAL, hpet_mmio_read(&h, HPET_GCAP_ID, 2, T0, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(-EINVAL, hpet_mmio_read(&h, HPET_GCAP_ID + 4, 8, T0, &v));
	ASSERT_EQ(-EINVAL, hpet_mmio_read(&h, 0x1000, 4, T0, &v));
	ASSERT_EQ(-EINVAL, hpet_mmio_write(&h, HPET_GEN_CONF, 1, 1, T0));
	ASSERT_EQ(0, rd(HPET_GEN_CONF, 8, T0));
	PASS();
}

TEST status_is_write_one_to_clear(void)
{
	/* level-triggered timers 0 and 2 set their status bits, interrupts off */
	WR(HPET_TN_CONF(0), 8, HPET_TN_INT_TYPE_CNF, T0);
	WR(HPET_TN_COMPARATOR(0), 8, 5, T0);
	WR(HPET_TN_CONF(2), 8, HPET_TN_INT_TYPE_CNF, T0);
	WR(HPET_TN_COMPARATOR(2), 8, 6, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_update(&h, T0 + 100, &l);
	ASSERT_EQ(0x5, rd(HPET_GINTR_STA, 8, T0 + 100));
	ASSERT_EQ(-1, vlapic_pending(&l));
	WR(HPET_GINTR_STA, 8, 0, T0 + 100); /* zeros change nothing */
	WR(HPET_GINTR_STA, 8, ~0x5ULL, T0 + 100);
	ASSERT_EQ(0x5, rd(HPET_GINTR_STA, 8, T0 + 100));
	WR(HPET_GINTR_STA, 4, 0x4, T0 + 100);
	ASSERT_EQ(0x1, rd(HPET_GINTR_STA, 8, T0 + 100));
	WR(HPET_GINTR_STA, 8, 0x1, T0 + 100);
	ASSERT_EQ(0, rd(HPET_GINTR_STA, 8, T0 + 100));
	PASS();
}

TEST one_shot_fsb_interrupt_fires_at_its_time(void)
{
	CHECK_CALL(fsb_timer(1, 0, T0));
	WR(HPET_TN_COMPARATOR(1), 8, 1000, T0);
	ASSERT_EQ(0, hpet_next_deadline(&h)); /* halted: nothing comes */
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(T0 + 10000, hpet_next_deadline(&h));
	hpet_update(&h, T0 + 9999, &l);
	ASSERT_FALSE(irr_has(VEC));
	hpet_update(&h, T0 + 10000, &l);
	ASSERT(irr_has(VEC));
	ASSERT_EQ(1, h.timer[1].msis);
	ASSERT_EQ(0, rd(HPET_GINTR_STA, 8, T0 + 10000)); /* edge-triggered: no status */
	/* 64-bit one-shot: no second match */
	ASSERT_EQ(0, hpet_next_deadline(&h));
	vlapic_ack(&l, VEC);
	hpet_update(&h, T0 + 10000000, &l);
	ASSERT_FALSE(irr_has(VEC));
	ASSERT_EQ(1000, rd(HPET_TN_COMPARATOR(1), 8, T0)); /* one-shot: unchanged */
	PASS();
}

TEST a_comparator_behind_the_counter_does_not_fire(void)
{
	CHECK_CALL(fsb_timer(0, 0, T0));
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	WR(HPET_TN_COMPARATOR(0), 8, 50, T0 + 1000); /* counter is 100 */
	hpet_update(&h, T0 + 100000, &l);
	ASSERT_FALSE(irr_has(VEC));
	ASSERT_EQ(0, hpet_next_deadline(&h));
	PASS();
}

TEST interrupt_disabled_or_not_fsb_sends_nothing(void)
{
	WR(HPET_TN_FSB_ROUTE(0), 8, (MSI_ADDR << 32) | VEC, T0);
	WR(HPET_TN_CONF(0), 8, HPET_TN_FSB_EN_CNF, T0);      /* Tn_INT_ENB_CNF clear */
	WR(HPET_TN_COMPARATOR(0), 8, 10, T0);
	WR(HPET_TN_FSB_ROUTE(1), 8, (MSI_ADDR << 32) | VEC, T0);
	WR(HPET_TN_CONF(1), 8, HPET_TN_INT_ENB_CNF, T0);     /* no FSB: would need an I/O APIC */
	WR(HPET_TN_COMPARATOR(1), 8, 10, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(0, hpet_next_deadline(&h));
	hpet_update(&h, T0 + 1000, &l);
	ASSERT_EQ(-1, vlapic_pending(&l));
	ASSERT_EQ(1, h.timer[0].fires);
	ASSERT_EQ(0, h.timer[0].msis + h.timer[1].msis);
	PASS();
}

TEST periodic_fsb_interrupt_every_period(void)
{
	int i;

	CHECK_CALL(fsb_timer(0, HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF, T0));
	WR(HPET_TN_COMPARATOR(0), 8, 500, T0); /* with VAL_SET: comparator and period */
	ASSERT_FALSE(rd(HPET_TN_CONF(0), 8, T0) & HPET_TN_VAL_SET_CNF); /* cleared by the write */
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	for (i = 1; i <= 3; i++) {
		uint64_t due = T0 + 5000ULL * (uint64_t)i;

		ASSERT_EQ(due, hpet_next_deadline(&h));
		hpet_update(&h, due - 1, &l);
		ASSERT_FALSE(irr_has(VEC));
		hpet_update(&h, due, &l);
		ASSERT(irr_has(VEC));
		vlapic_ack(&l, VEC);
		ASSERT_EQ(500ULL * (uint64_t)(i + 1), rd(HPET_TN_COMPARATOR(0), 8, due));
	}
	/* periods that passed unseen make one interrupt; the rate holds */
	hpet_update(&h, T0 + 5000 * 7 + 3, &l);
	ASSERT_EQ(4, h.timer[0].msis);
	ASSERT_EQ(T0 + 5000 * 8, hpet_next_deadline(&h));
	PASS();
}

TEST periodic_write_without_val_set_changes_only_the_period(void)
{
	CHECK_CALL(fsb_timer(0, HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF, T0));
	/* Linux's order: the first match with VAL_SET, then the period */
	WR(HPET_TN_COMPARATOR(0), 8, 300, T0);
	WR(HPET_TN_COMPARATOR(0), 8, 1000, T0);
	ASSERT_EQ(300, rd(HPET_TN_COMPARATOR(0), 8, T0));
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_update(&h, T0 + 3000, &l);
	ASSERT(irr_has(VEC));
	ASSERT_EQ(1300, rd(HPET_TN_COMPARATOR(0), 8, T0 + 3000));
	ASSERT_EQ(T0 + 13000, hpet_next_deadline(&h));
	PASS();
}

TEST thirty_two_bit_mode_truncates_and_wraps(void)
{
	CHECK_CALL(fsb_timer(2, HPET_TN_32MODE_CNF, T0));
	WR(HPET_TN_COMPARATOR(2), 8, 0xabcd00000010ULL, T0);
	ASSERT_U64(0x10ULL, rd(HPET_TN_COMPARATOR(2), 8, T0)); /* upper half 0 */
	WR(HPET_TN_COMPARATOR(2) + 4, 4, 0xffffffff, T0);
	ASSERT_EQ(0, rd(HPET_TN_COMPARATOR(2) + 4, 4, T0));
	/* the counter's low half reaches 0x10 after it wraps */
	WR(HPET_MAIN_CNT, 8, 0x2ffffff00ULL, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(T0 + 0x110 * 10, hpet_next_deadline(&h));
	hpet_update(&h, T0 + 0x110 * 10, &l);
	ASSERT(irr_has(VEC));
	vlapic_ack(&l, VEC);
	/* a 32-bit one-shot matches again one wrap (2^32 ticks) later */
	ASSERT_EQ(T0 + (0x110 + (1ULL << 32)) * 10, hpet_next_deadline(&h));
	hpet_update(&h, T0 + (0x110 + (1ULL << 32)) * 10 - 1, &l);
	ASSERT_FALSE(irr_has(VEC));
	hpet_update(&h, T0 + (0x110 + (1ULL << 32)) * 10, &l);
	ASSERT(irr_has(VEC));
	PASS();
}

TEST late_thirty_two_bit_one_shot_keeps_its_wrap(void)
{
	CHECK_CALL(fsb_timer(2, HPET_TN_32MODE_CNF, T0));
	WR(HPET_TN_COMPARATOR(2), 8, 0x100, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	/* seen 0x50 ticks late: the next match is still comparator + 2^32 */
	hpet_update(&h, T0 + 0x150 * 10, &l);
	ASSERT(irr_has(VEC));
	ASSERT_EQ(T0 + (0x100 + (1ULL << 32)) * 10, hpet_next_deadline(&h));
	PASS();
}

TEST thirty_two_bit_periodic_comparator_wraps(void)
{
	CHECK_CALL(fsb_timer(0, HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF | HPET_TN_32MODE_CNF, T0));
	WR(HPET_MAIN_CNT, 8, 0xffffff00ULL, T0);
	WR(HPET_TN_COMPARATOR(0), 4, 0xffffff80, T0);
	WR(HPET_TN_COMPARATOR(0), 4, 0x100, T0); /* period */
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_update(&h, T0 + 0x80 * 10, &l);
	ASSERT(irr_has(VEC));
	ASSERT_U64(0x80ULL, rd(HPET_TN_COMPARATOR(0), 8, T0 + 0x80 * 10));
	ASSERT_EQ(T0 + 0x180 * 10, hpet_next_deadline(&h));
	PASS();
}

TEST switching_to_32bit_mode_drops_the_upper_halves(void)
{
	WR(HPET_TN_CONF(1), 8, HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF, T0);
	WR(HPET_TN_COMPARATOR(1), 8, 0x500000001ULL, T0);
	ASSERT_U64(0x500000001ULL, rd(HPET_TN_COMPARATOR(1), 8, T0));
	WR(HPET_TN_CONF(1), 8, HPET_TN_TYPE_CNF | HPET_TN_32MODE_CNF, T0);
	ASSERT_EQ(1, rd(HPET_TN_COMPARATOR(1), 8, T0));
	ASSERT_EQ(1, h.timer[1].period);
	PASS();
}

TEST counter_follows_a_tsc_rate_that_does_not_divide(void)
{
	uint64_t t;

	hpet_init(&h, 2999999999ULL); /* ~30 TSC ticks per counter tick */
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	ASSERT_EQ(100000000ULL, rd(HPET_MAIN_CNT, 8, T0 + 2999999999ULL));
	ASSERT_EQ(99999999ULL, rd(HPET_MAIN_CNT, 8, T0 + 2999999999ULL - 1));
	CHECK_CALL(fsb_timer(0, 0, T0));
	WR(HPET_TN_COMPARATOR(0), 8, 12345, T0);
	/* the deadline is the first TSC at which the counter reads the comparator */
	t = hpet_next_deadline(&h);
	ASSERT_EQ(12345, rd(HPET_MAIN_CNT, 8, t));
	ASSERT_EQ(12344, rd(HPET_MAIN_CNT, 8, t - 1));
	PASS();
}

TEST msi_reaches_only_its_destination(void)
{
	ASSERT_EQ(0, vlapic_deliver_msi(&l, MSI_ADDR, 0x51));
	ASSERT(irr_has(0x51));
	/* APIC ID 3 is someone else; 0xFF is everyone */
	ASSERT_EQ(-EINVAL, vlapic_deliver_msi(&l, MSI_ADDR | (3 << 12), 0x52));
	ASSERT_FALSE(irr_has(0x52));
	ASSERT_EQ(0, vlapic_deliver_msi(&l, MSI_ADDR | (0xff << 12), 0x53));
	ASSERT(irr_has(0x53));
	/* not the interrupt address window */
	ASSERT_EQ(-EINVAL, vlapic_deliver_msi(&l, 0xfed00000ULL, 0x54));
	ASSERT_FALSE(irr_has(0x54));
	/* NMI delivery mode (100b) */
	ASSERT_EQ(0, vlapic_deliver_msi(&l, MSI_ADDR, 4 << 8));
	ASSERT(l.nmi_pending);
	/* lowest priority counts as fixed with one CPU; SMI is refused */
	ASSERT_EQ(0, vlapic_deliver_msi(&l, MSI_ADDR, (1 << 8) | 0x55));
	ASSERT(irr_has(0x55));
	ASSERT_EQ(-EINVAL, vlapic_deliver_msi(&l, MSI_ADDR, (2 << 8) | 0x56));
	ASSERT_FALSE(irr_has(0x56));
	PASS();
}

TEST snapshot_continues_the_counter_and_the_timers(void)
{
	struct gs_hpet s;
	struct hpet back;

	CHECK_CALL(fsb_timer(0, 0, T0));
	WR(HPET_TN_COMPARATOR(0), 8, 5000, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_save(&h, T0 + 20000, &s); /* counter 2000 */
	ASSERT_EQ(2000, s.counter);
	ASSERT_EQ(3000, s.timer[0].remaining);
	ASSERT_EQ(0, s.timer[1].armed);
	ASSERT_EQ(0, s.timer[1].remaining); /* unarmed: nothing to count down */
	ASSERT(hpet_state_valid(&s));
	/* restored at another guest TSC: it continues from 2000, fires 3000 ticks later */
	hpet_init(&back, TSC_HZ);
	hpet_load(&back, &s, 777777);
	h = back;
	ASSERT_EQ(2000, rd(HPET_MAIN_CNT, 8, 777777));
	ASSERT_EQ(2001, rd(HPET_MAIN_CNT, 8, 777787));
	ASSERT_EQ(777777 + 30000, hpet_next_deadline(&h));
	hpet_update(&h, 777777 + 30000, &l);
	ASSERT(irr_has(VEC));
	PASS();
}

TEST restore_refuses_states_the_model_cannot_have(void)
{
	struct gs_hpet s, bad;

	WR(HPET_TN_CONF(1), 8, HPET_TN_32MODE_CNF, T0);
	WR(HPET_TN_COMPARATOR(1), 8, 10, T0);
	WR(HPET_GEN_CONF, 8, HPET_ENABLE_CNF, T0);
	hpet_save(&h, T0, &s);
	ASSERT(hpet_state_valid(&s));
	bad = s, bad.config |= HPET_LEG_RT_CNF;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.isr = 1ULL << 3;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.timer[0].config |= HPET_TN_PER_INT_CAP;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.timer[1].comparator |= 1ULL << 32;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.timer[1].remaining = (1ULL << 32) + 1;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.timer[1].armed = 2;
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.config = 0; /* armed while halted */
	ASSERT_FALSE(hpet_state_valid(&bad));
	bad = s, bad.timer[2].armed = 1, bad.timer[2].remaining = 1ULL << 63;
	ASSERT_FALSE(hpet_state_valid(&bad));
	/* the limits themselves are states the model reaches */
	bad = s, bad.timer[1].remaining = 1ULL << 32; /* a 32-bit one-shot just fired */
	ASSERT(hpet_state_valid(&bad));
	bad = s, bad.timer[1].remaining = (1ULL << 31) + 1;
	ASSERT(hpet_state_valid(&bad));
	bad = s, bad.timer[2].armed = 1, bad.timer[2].remaining = (1ULL << 63) - 1;
	ASSERT(hpet_state_valid(&bad));
	bad = s, bad.isr = 7;
	ASSERT(hpet_state_valid(&bad));
	bad = s, bad.timer[2].armed = 1, bad.timer[2].remaining = 0; /* due at the snapshot */
	ASSERT(hpet_state_valid(&bad));
	PASS();
}

SUITE(hpet)
{
	GREATEST_SET_SETUP_CB(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(capabilities_report_three_64bit_timers_at_10ns);
		RUN_TEST(reset_state_is_halted_with_comparators_all_ones);
		RUN_TEST(fsb_route_reads_back_in_halves);
		RUN_TEST(counter_never_runs_back_when_the_tsc_is_written_back);
		RUN_TEST(counter_frozen_while_halted_and_counting_while_enabled);
		RUN_TEST(counter_is_writable_only_while_halted);
		RUN_TEST(counter_halves_read_and_write_separately);
		RUN_TEST(configuration_keeps_only_enable);
		RUN_TEST(timer_config_keeps_its_read_only_bits);
		RUN_TEST(reserved_and_unbacked_offsets_read_zero);
		RUN_TEST(status_is_write_one_to_clear);
		RUN_TEST(one_shot_fsb_interrupt_fires_at_its_time);
		RUN_TEST(a_comparator_behind_the_counter_does_not_fire);
		RUN_TEST(interrupt_disabled_or_not_fsb_sends_nothing);
		RUN_TEST(periodic_fsb_interrupt_every_period);
		RUN_TEST(periodic_write_without_val_set_changes_only_the_period);
		RUN_TEST(thirty_two_bit_mode_truncates_and_wraps);
		RUN_TEST(late_thirty_two_bit_one_shot_keeps_its_wrap);
		RUN_TEST(thirty_two_bit_periodic_comparator_wraps);
		RUN_TEST(switching_to_32bit_mode_drops_the_upper_halves);
		RUN_TEST(counter_follows_a_tsc_rate_that_does_not_divide);
		RUN_TEST(msi_reaches_only_its_destination);
		RUN_TEST(snapshot_continues_the_counter_and_the_timers);
		RUN_TEST(restore_refuses_states_the_model_cannot_have);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(hpet);
	});
	GREATEST_MAIN_END();
}
