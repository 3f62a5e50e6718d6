/*
 * Unit tests for kernel/vlapic.c and vlapic_timer.c: the guest's local
 * APIC delivering interrupts (priority, IRR/ISR, EOI, IPIs, LVT errors)
 * and its timer. Register decode is in test_vlapic_regs.c.
 */
#include <inttypes.h>

#include "vlapic_fixture.h"

/* TSC ticks for count timer ticks at divisor div, rounded up. */
static uint64_t ticks_up(uint64_t count, unsigned div)
{
	unsigned __int128 p = (unsigned __int128)count * div * l.tsc_hz;

	return (uint64_t)((p + l.bus_hz - 1) / l.bus_hz);
}

/* ---------------------------------------------------------------- priority */

TEST pending_needs_enabled_apic(void)
{
	vlapic_accept(&l, 0x40);
	ASSERT_EQ(1, l.irqs_dropped);
	ASSERT_EQ(0, l.accepted);
	ASSERT_EQ(-1, vlapic_pending(&l));
	CHECK_CALL(enable(false));
	vlapic_accept(&l, 0x40);
	ASSERT_EQ(1, l.accepted);
	ASSERT_EQ(0x40, vlapic_pending(&l));
	MW(SVR, 0xff); /* held in IRR, not delivered */
	ASSERT_EQ(-1, vlapic_pending(&l));
	ASSERT(irr_has(0x40));
	MW(SVR, 0x1ff);
	ASSERT_EQ(0x40, vlapic_pending(&l));
	PASS();
}

/* The 8259's INTR reaches the CPU through LINT0 in ExtINT mode (virtual
 * wire), or straight when the APIC is globally disabled (11.4.3). */
TEST extint_routing_follows_lint0_and_the_global_enable(void)
{
	ASSERT_FALSE(vlapic_extint_routed(&l)); /* reset: LINT0 masked */
	CHECK_CALL(enable(false));
	MW(LVT_LINT0, 0x700);
	ASSERT(vlapic_extint_routed(&l));
	MW(LVT_LINT0, 0x10700); /* masked */
	ASSERT_FALSE(vlapic_extint_routed(&l));
	MW(LVT_LINT0, 0x000);   /* fixed delivery: not the 8259's */
	ASSERT_FALSE(vlapic_extint_routed(&l));
	MW(LVT_LINT0, 0x700);
	MW(SVR, 0xff);          /* software-disabled: LVTs masked */
	ASSERT_FALSE(vlapic_extint_routed(&l));
	ASSERT_EQ(0, vlapic_msr_write(&l, MSR_IA32_APIC_BASE, VLAPIC_DEFAULT_BASE | BASE_BSP, 0));
	ASSERT(vlapic_extint_routed(&l)); /* globally disabled */
	PASS();
}

TEST tpr_blocks_and_ppr(void)
{
	CHECK_CALL(enable(false));
	vlapic_accept(&l, 0x45);
	MW(TPR, 0x40);
	ASSERT_EQ(-1, vlapic_pending(&l)); /* class 4 does not beat 4 */
	ASSERT_EQ(0x40, mr(PPR));
	MW(TPR, 0x3f);
	ASSERT_EQ(0x45, vlapic_pending(&l));
	ASSERT_EQ(0x3f, mr(PPR));
	vlapic_ack(&l, 0x45);
	ASSERT_EQ(0x40, mr(PPR)); /* ISR class 4 beats TPR class 3 */
	MW(TPR, 0x4f);
	ASSERT_EQ(0x4f, mr(PPR)); /* equal class: PPR is the TPR */
	MW(TPR, 0x50);
	ASSERT_EQ(0x50, mr(PPR));
	vlapic_accept(&l, 0x5f);
	ASSERT_EQ(-1, vlapic_pending(&l));
	vlapic_accept(&l, 0x60);
	ASSERT_EQ(0x60, vlapic_pending(&l));
	PASS();
}

TEST nested_isr_and_eoi_order(void)
{
	CHECK_CALL(enable(false));
	vlapic_accept(&l, 0x30);
	ASSERT_EQ(0x30, vlapic_pending(&l));
	vlapic_ack(&l, 0x30);
	ASSERT_EQ(1u << 16, mr(ISR0 + 0x10));
	ASSERT_EQ(0, mr(IRR0 + 0x10));
	vlapic_accept(&l, 0x38);
	ASSERT_EQ(-1, vlapic_pending(&l)); /* same class as in service */
	vlapic_accept(&l, 0x50);
	ASSERT_EQ(0x50, vlapic_pending(&l)); /* higher class nests */
	vlapic_ack(&l, 0x50);
	ASSERT_EQ(0x50, mr(PPR));
	ASSERT_EQ(-1, vlapic_pending(&l));
	MW(EOI, 0);
	ASSERT_FALSE(isr_has(0x50));
	ASSERT(isr_has(0x30));
	ASSERT_EQ(-1, vlapic_pending(&l));
	MW(EOI, 0x1234); /* any value in xAPIC mode */
	ASSERT_FALSE(isr_has(0x30));
	ASSERT_EQ(0x38, vlapic_pending(&l));
	ASSERT_EQ(2, l.eois);
	MW(EOI, 0); /* nothing in service */
	ASSERT_EQ(3, l.eois);
	ASSERT(irr_has(0x38));
	PASS();
}

TEST ack_only_requested_vectors(void)
{
	CHECK_CALL(enable(false));
	vlapic_ack(&l, 0x70);
	ASSERT_FALSE(isr_has(0x70));
	vlapic_accept(&l, 0x20);
	vlapic_accept(&l, 0xff);
	ASSERT_EQ(1, mr(IRR0 + 0x10));
	ASSERT_EQ(0x80000000u, mr(IRR0 + 0x70));
	ASSERT_EQ(0xff, vlapic_pending(&l));
	vlapic_ack(&l, 0xff);
	ASSERT_EQ(0x80000000u, mr(ISR0 + 0x70));
	PASS();
}

/* ---------------------------------------------------------------- IPIs */

TEST self_ipi_xapic(void)
{
	vlapic_init(&l, 3, 3000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(ICR_LO, 0x40040); /* shorthand self */
	ASSERT(irr_has(0x40));
	ASSERT_EQ(1, l.self_ipis);
	MW(ICR_HI, 3u << 24);
	MW(ICR_LO, 0x41); /* physical, own ID */
	ASSERT(irr_has(0x41));
	MW(ICR_HI, 4u << 24);
	MW(ICR_LO, 0x42); /* another CPU */
	ASSERT_FALSE(irr_has(0x42));
	ASSERT_EQ(1, l.ipis_ignored);
	MW(ICR_LO, 0xc0043); /* all excluding self */
	ASSERT_FALSE(irr_has(0x43));
	MW(ICR_LO, 0x80044); /* all including self */
	ASSERT(irr_has(0x44));
	MW(ICR_HI, 0xffu << 24);
	MW(ICR_LO, 0x45); /* physical broadcast */
	ASSERT(irr_has(0x45));
	MW(ICR_LO, 0x40446); /* NMI to self: pending NMI, the vector ignored */
	ASSERT_FALSE(irr_has(0x46));
	ASSERT(l.nmi_pending);
	ASSERT_EQ(2, l.ipis_ignored);
	ASSERT_EQ(5, l.self_ipis);
	PASS();
}

/* NMI IPIs (SDM Vol. 3A 11.6.1 delivery mode 100b): to self only, merged, taken once. */
TEST nmi_self_ipi(void)
{
	CHECK_CALL(enable(false));
	MW(ICR_HI, 5u << 24);
	MW(ICR_LO, 0x400); /* NMI to APIC 5, not us */
	ASSERT_FALSE(l.nmi_pending);
	ASSERT_EQ(1, l.ipis_ignored);
	MW(ICR_LO, 0x40400); /* NMI, shorthand self */
	MW(ICR_LO, 0x40400); /* a second one merges */
	ASSERT(vlapic_take_nmi(&l));
	ASSERT_FALSE(vlapic_take_nmi(&l));
	ASSERT_EQ(-1, vlapic_pending(&l)); /* no IRR bit */
	PASS();
}

TEST logical_destinations_xapic(void)
{
	CHECK_CALL(enable(false));
	MW(LDR, 0x02000000); /* flat model, bit 1 */
	MW(ICR_HI, 0x06u << 24);
	MW(ICR_LO, 0x850);
	ASSERT(irr_has(0x50));
	MW(ICR_HI, 0x01u << 24);
	MW(ICR_LO, 0x851);
	ASSERT_FALSE(irr_has(0x51));
	MW(DFR, 0x0fffffff); /* cluster model */
	MW(LDR, 0x21000000); /* cluster 2, bit 0 */
	MW(ICR_HI, 0x23u << 24);
	MW(ICR_LO, 0x852);
	ASSERT(irr_has(0x52));
	MW(ICR_HI, 0x13u << 24);
	MW(ICR_LO, 0x853);
	ASSERT_FALSE(irr_has(0x53));
	PASS();
}

TEST flat_logical_destination_uses_all_eight_bits(void)
{
	CHECK_CALL(enable(false));
	MW(LDR, 0x20000000); /* flat model (DFR at reset), bit 5 */
	MW(ICR_HI, 0x20u << 24);
	MW(ICR_LO, 0x850);
	ASSERT(irr_has(0x50)); /* in the cluster model bit 5 would be cluster 2, no member */
	PASS();
}

TEST self_ipi_x2apic(void)
{
	vlapic_init(&l, 5, 3000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(true));
	MSRW(X2(SELF_IPI), 0x50);
	ASSERT(irr_has(0x50));
	MSRW(X2(ICR_LO), 5ULL << 32 | 0x51);
	ASSERT(irr_has(0x51));
	MSRW(X2(ICR_LO), 6ULL << 32 | 0x52);
	ASSERT_FALSE(irr_has(0x52));
	MSRW(X2(ICR_LO), 0x20ULL << 32 | 0x853); /* logical: cluster 0, bit 5 */
	ASSERT(irr_has(0x53));
	MSRW(X2(ICR_LO), 0x10020ULL << 32 | 0x854); /* cluster 1 */
	ASSERT_FALSE(irr_has(0x54));
	MSRW(X2(ICR_LO), 0xffffffffULL << 32 | 0x55);
	ASSERT(irr_has(0x55));
	ASSERT_EQ(4, l.self_ipis);
	ASSERT_EQ(2, l.ipis_ignored);
	PASS();
}

/* x2APIC logical destinations: cluster in bits 31:16, a member mask in
 * 15:0 (SDM 11.12.10.2). APIC ID 0x23 is cluster 2, member bit 3. */
TEST x2apic_logical_cluster_bits(void)
{
	vlapic_init(&l, 0x23, 3000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(true));
	ASSERT_EQ(0x20008u, msr(X2(LDR)));
	MSRW(X2(ICR_LO), 0x28008ULL << 32 | 0x860); /* members 15 and 3 of cluster 2 */
	ASSERT(irr_has(0x60));
	MSRW(X2(ICR_LO), 0x30008ULL << 32 | 0x861); /* cluster 3 */
	ASSERT_FALSE(irr_has(0x61));
	MSRW(X2(ICR_LO), 0x10008ULL << 32 | 0x862); /* cluster 1 */
	ASSERT_FALSE(irr_has(0x62));
	MSRW(X2(ICR_LO), 0x20004ULL << 32 | 0x863); /* cluster 2, another member */
	ASSERT_FALSE(irr_has(0x63));
	PASS();
}

TEST illegal_vectors_set_esr(void)
{
	CHECK_CALL(enable(false));
	vlapic_accept(&l, 5);
	ASSERT_EQ(0, l.irr[0]);
	ASSERT_EQ(0, mr(ESR)); /* not latched until ESR is written */
	MW(ESR, 0);
	ASSERT_EQ(ESR_RECV_ILLEGAL, mr(ESR));
	MW(ESR, 0);
	ASSERT_EQ(0, mr(ESR));
	MW(ICR_LO, 0x40003); /* self IPI, vector 3 */
	MW(ESR, 0);
	ASSERT_EQ(ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL, mr(ESR));
	MW(ICR_HI, 9u << 24);
	MW(ICR_LO, 0x0f); /* to another CPU */
	MW(ESR, 0);
	ASSERT_EQ(ESR_SEND_ILLEGAL, mr(ESR));
	ASSERT_EQ(0, l.irr[0]);
	/* With the error LVT unmasked, errors interrupt. */
	MW(LVT_ERROR, 0xee);
	vlapic_accept(&l, 0);
	ASSERT(irr_has(0xee));
	/* An illegal error vector is logged, never delivered. */
	MW(LVT_ERROR, 0x03);
	vlapic_accept(&l, 1);
	ASSERT_EQ(0, l.irr[0]);
	MW(ESR, 0);
	ASSERT_EQ(ESR_RECV_ILLEGAL, mr(ESR));
	PASS();
}

/*
 * The legal range starts at 16 (SDM 11.5.2): every path that takes a
 * vector (accept, LVT delivery, IPI) refuses 0-15 with an error and takes
 * 16 and 255, on both sides of the boundary.
 */
TEST vector_16_is_the_first_legal(void)
{
	unsigned v;

	CHECK_CALL(enable(false));
	for (v = 0; v < 16; v++) {
		vlapic_accept(&l, (uint8_t)v);
		ASSERT_FALSE(irr_has(v));
		MW(ESR, 0);
		ASSERT_EQ(ESR_RECV_ILLEGAL, mr(ESR));
		MW(ESR, 0);
	}
	vlapic_accept(&l, 16);
	vlapic_accept(&l, 255);
	ASSERT(irr_has(16) && irr_has(255));
	ASSERT_EQ(2, l.accepted);
	MW(ESR, 0);
	ASSERT_EQ(0, mr(ESR));
	/* self IPIs on a fresh vLAPIC: 15 is an error both ways, 16 arrives */
	setup(NULL);
	CHECK_CALL(enable(false));
	MW(ICR_LO, 0x40000 | 15);
	MW(ESR, 0);
	ASSERT_EQ(ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL, mr(ESR));
	ASSERT_FALSE(irr_has(15));
	MW(ICR_LO, 0x40000 | 16);
	ASSERT(irr_has(16));
	MW(ESR, 0);
	ASSERT_EQ(0, mr(ESR));
	/* and the error LVT at 16 delivers */
	setup(NULL);
	CHECK_CALL(enable(false));
	MW(LVT_ERROR, 16);
	vlapic_accept(&l, 1);
	ASSERT(irr_has(16));
	PASS();
}

/* A vLAPIC made with unknown clock rates (0) still runs its timer. */
TEST zero_clock_rates_are_usable(void)
{
	vlapic_init(&l, 0, 0, 0);
	ASSERT(l.tsc_hz > 0 && l.bus_hz > 0);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x30);
	MW(TIMER_DIV, 0xb); /* divide by 1 */
	MW(TIMER_INIT, 100);
	ASSERT_EQ(now + ticks_up(100, 1), vlapic_next_deadline(&l));
	ASSERT(vlapic_next_deadline(&l) > now);
	PASS();
}

TEST illegal_vectors_x2apic(void)
{
	CHECK_CALL(enable(true));
	MSRW(X2(SELF_IPI), 0x0f);
	ASSERT_EQ(0, l.irr[0]);
	MSRW(X2(ESR), 0);
	ASSERT_EQ(ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL, msr(X2(ESR)));
	PASS();
}

/* ---------------------------------------------------------------- timer */

TEST timer_oneshot_every_divider(void)
{
	static const struct { uint32_t dcr; unsigned div; } divs[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	uint64_t start, fire;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(divs); i++) {
		vlapic_init(&l, 0, 2600000001ULL, 133333333ULL);
		CHECK_CALL(enable(false));
		now = 5000 + i;
		MW(LVT_TIMER, 0x40);
		MW(TIMER_DIV, divs[i].dcr);
		start = now;
		MW(TIMER_INIT, 777);
		fire = start + ticks_up(777, divs[i].div);
		ASSERT_EQ_FMT(fire, vlapic_next_deadline(&l), "%" PRIu64);
		ASSERT_EQ(777, mr(TIMER_CUR));
		vlapic_update_timer(&l, fire - 1);
		ASSERT_FALSE(irr_has(0x40));
		now = fire - 1;
		ASSERT_EQ(1, mr(TIMER_CUR));
		vlapic_update_timer(&l, fire);
		ASSERT(irr_has(0x40));
		ASSERT_EQ(1, l.timer_fires);
		ASSERT_EQ(0, vlapic_next_deadline(&l));
		now = fire;
		ASSERT_EQ(0, mr(TIMER_CUR));
		ASSERT_EQ(777, mr(TIMER_INIT));
	}
	PASS();
}

/* The largest count at the largest divider: count x divider x TSC rate
 * passes 2^64, so the 128-bit arithmetic's high half is exercised; the
 * count read back halfway is exact to a tick. */
TEST timer_largest_count_and_divider(void)
{
	uint64_t start, fire;

	vlapic_init(&l, 0, 3000000007ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x40);
	MW(TIMER_DIV, 0xa); /* divide by 128 */
	start = now;
	MW(TIMER_INIT, 0xffffffffu);
	fire = start + ticks_up(0xffffffffu, 128);
	ASSERT((unsigned __int128)0xffffffffu * 128 * l.tsc_hz >> 64);
	ASSERT_EQ_FMT(fire, vlapic_next_deadline(&l), "%" PRIu64);
	now = start + ticks_up(0x80000000u, 128);
	ASSERT_EQ(0x7fffffffu, mr(TIMER_CUR));
	vlapic_update_timer(&l, fire - 1);
	ASSERT_FALSE(irr_has(0x40));
	vlapic_update_timer(&l, fire);
	ASSERT(irr_has(0x40));
	PASS();
}

TEST timer_current_count(void)
{
	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL); /* 4 TSC ticks a count at /2 */
	CHECK_CALL(enable(false));
	now = 0;
	MW(LVT_TIMER, 0x40);
	MW(TIMER_INIT, 1000);
	ASSERT_EQ(4000, vlapic_next_deadline(&l));
	ASSERT_EQ(1000, vlapic_timer_current(&l, 1));
	ASSERT_EQ(999, vlapic_timer_current(&l, 4));
	ASSERT_EQ(999, vlapic_timer_current(&l, 5)); /* 1.25 counts gone */
	ASSERT_EQ(500, vlapic_timer_current(&l, 2000));
	ASSERT_EQ(1, vlapic_timer_current(&l, 3999));
	ASSERT_EQ(0, vlapic_timer_current(&l, 4000));
	/* Reading the count at the deadline also fires the timer. */
	now = 4000;
	ASSERT_EQ(0, mr(TIMER_CUR));
	ASSERT(irr_has(0x40));
	PASS();
}

TEST timer_initial_count_starts_and_stops(void)
{
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x40);
	MW(TIMER_DIV, 0xb);
	MW(TIMER_INIT, 1000); /* 3000 ticks */
	ASSERT_EQ(now + 3000, vlapic_next_deadline(&l));
	now += 1000;
	MW(TIMER_INIT, 1000); /* restarts from now */
	ASSERT_EQ(now + 3000, vlapic_next_deadline(&l));
	MW(TIMER_INIT, 0);
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	ASSERT_EQ(0, mr(TIMER_CUR));
	vlapic_update_timer(&l, now + 100000);
	ASSERT_FALSE(irr_has(0x40));
	ASSERT_EQ(0, l.timer_fires);
	PASS();
}

TEST timer_periodic_no_drift(void)
{
	uint64_t start, fire, k;
	unsigned __int128 p;

	vlapic_init(&l, 0, 2600000007ULL, 133333333ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	MW(TIMER_DIV, 0x3);
	start = now;
	MW(TIMER_INIT, 12345);
	for (k = 1; k <= 1000; k++) {
		p = (unsigned __int128)k * 12345 * 16 * l.tsc_hz;
		fire = start + (uint64_t)((p + l.bus_hz - 1) / l.bus_hz);
		ASSERT_EQ_FMT(fire, vlapic_next_deadline(&l), "%" PRIu64);
		vlapic_update_timer(&l, fire - 1);
		ASSERT_EQ(k - 1, l.timer_fires);
		vlapic_update_timer(&l, fire);
		ASSERT_EQ(k, l.timer_fires);
		ASSERT_EQ(0x40, vlapic_pending(&l));
		vlapic_ack(&l, 0x40);
		vlapic_mmio_write(&l, EOI, 0, fire);
	}
	ASSERT_EQ(0, l.timer_missed);
	PASS();
}

TEST timer_periodic_late_folds_missed(void)
{
	uint64_t start;

	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	start = now;
	MW(TIMER_INIT, 100); /* 400 ticks */
	vlapic_update_timer(&l, start + 4000 + 5);
	ASSERT(irr_has(0x40));
	ASSERT_EQ(1, l.timer_fires);
	ASSERT_EQ(9, l.timer_missed);
	ASSERT_EQ(start + 4400, vlapic_next_deadline(&l));
	/* The count runs on within the current period. */
	ASSERT_EQ(99, vlapic_timer_current(&l, start + 4005));
	/* Unserviced, it stays one IRR bit; the phase is unchanged. */
	vlapic_update_timer(&l, start + 4400);
	ASSERT_EQ(2, l.timer_fires);
	ASSERT_EQ(start + 4800, vlapic_next_deadline(&l));
	/* Without an update the count already shows the reload. */
	ASSERT_EQ(100, vlapic_timer_current(&l, start + 4800));
	ASSERT_EQ(99, vlapic_timer_current(&l, start + 4804));
	PASS();
}

TEST timer_masked_rearms_without_irr(void)
{
	uint64_t start;

	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, MASKED | PERIODIC | 0x40);
	start = now;
	MW(TIMER_INIT, 100);
	ASSERT_EQ(0, vlapic_next_deadline(&l)); /* nothing to wake up for */
	vlapic_update_timer(&l, start + 400);
	ASSERT_FALSE(irr_has(0x40));
	ASSERT_EQ(1, l.timer_fires);
	ASSERT_EQ(start + 800, l.timer_deadline);
	/* Unmasking later does not deliver the periods that passed masked. */
	now = start + 801;
	MW(LVT_TIMER, PERIODIC | 0x40);
	ASSERT_FALSE(irr_has(0x40));
	ASSERT_EQ(start + 1200, vlapic_next_deadline(&l));
	vlapic_update_timer(&l, start + 1200);
	ASSERT(irr_has(0x40));
	PASS();
}

/* One-shot and periodic share the count: switching keeps it running. */
TEST timer_oneshot_periodic_switch_keeps_count(void)
{
	uint64_t start, deadline;

	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL); /* 4 TSC ticks a count */
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	start = now;
	MW(TIMER_INIT, 100);
	deadline = vlapic_next_deadline(&l);
	ASSERT_EQ(start + 400, deadline);
	MW(LVT_TIMER, PERIODIC | 0x41); /* same mode: keeps running */
	ASSERT_EQ(deadline, vlapic_next_deadline(&l));
	now = start + 200;
	MW(LVT_TIMER, 0x41); /* to one-shot, half-way */
	ASSERT_EQ(deadline, vlapic_next_deadline(&l));
	ASSERT_EQ(100, mr(TIMER_INIT));
	ASSERT_EQ(50, mr(TIMER_CUR));
	vlapic_update_timer(&l, start + 400);
	ASSERT(irr_has(0x41));
	ASSERT_EQ(0, vlapic_next_deadline(&l)); /* one-shot: done */
	now = start + 500;
	ASSERT_EQ(0, mr(TIMER_CUR));
	MW(LVT_TIMER, PERIODIC | 0x41); /* a finished count stays at 0 */
	ASSERT_EQ(0, mr(TIMER_CUR));
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	ASSERT_EQ(100, mr(TIMER_INIT));
	PASS();
}

/* Entering or leaving TSC-deadline mode disarms the timer (SDM Vol. 3A 11.5.4.1). */
TEST timer_tsc_deadline_switch_disarms(void)
{
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x41);
	MW(TIMER_INIT, 100);
	ASSERT(vlapic_next_deadline(&l));
	MW(LVT_TIMER, TSC_DEADLINE | 0x41);
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	ASSERT_EQ(0, mr(TIMER_INIT));
	MSRW(MSR_IA32_TSC_DEADLINE, now + 50);
	ASSERT_EQ(now + 50, vlapic_next_deadline(&l));
	MW(LVT_TIMER, 0x41);
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	ASSERT_EQ(0, msr(MSR_IA32_TSC_DEADLINE));
	vlapic_update_timer(&l, now + 1000);
	ASSERT_FALSE(irr_has(0x41));
	PASS();
}

TEST timer_tsc_deadline(void)
{
	CHECK_CALL(enable(false));
	/* Outside the mode the MSR reads 0 and ignores writes. */
	MSRW(MSR_IA32_TSC_DEADLINE, 5000);
	ASSERT_EQ(0, msr(MSR_IA32_TSC_DEADLINE));
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	MW(LVT_TIMER, TSC_DEADLINE | 0x60);
	MW(TIMER_INIT, 1000); /* ignored */
	ASSERT_EQ(0, mr(TIMER_INIT));
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	MSRW(MSR_IA32_TSC_DEADLINE, 5000);
	ASSERT_EQ(5000, msr(MSR_IA32_TSC_DEADLINE));
	ASSERT_EQ(5000, vlapic_next_deadline(&l));
	ASSERT_EQ(0, mr(TIMER_CUR));
	vlapic_update_timer(&l, 4999);
	ASSERT_FALSE(irr_has(0x60));
	vlapic_update_timer(&l, 5000);
	ASSERT(irr_has(0x60));
	ASSERT_EQ(0, msr(MSR_IA32_TSC_DEADLINE)); /* cleared on firing */
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	/* 0 disarms. */
	MSRW(MSR_IA32_TSC_DEADLINE, 9000);
	MSRW(MSR_IA32_TSC_DEADLINE, 0);
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	vlapic_update_timer(&l, 10000);
	ASSERT_EQ(1, l.timer_fires);
	/* A deadline already passed fires at once. */
	vlapic_ack(&l, 0x60);
	MW(EOI, 0);
	ASSERT_EQ(0, vlapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, 10, 20000));
	ASSERT(irr_has(0x60));
	ASSERT_EQ(2, l.timer_fires);
	PASS();
}

TEST timer_divide_change_rescales(void)
{
	vlapic_init(&l, 0, 1000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	now = 0;
	MW(LVT_TIMER, 0x40);
	MW(TIMER_INIT, 1000); /* /2: 2 ticks a count */
	ASSERT_EQ(2000, vlapic_next_deadline(&l));
	now = 1000;
	ASSERT_EQ(500, mr(TIMER_CUR));
	MW(TIMER_DIV, 0xb); /* /1 for the 500 counts left */
	ASSERT_EQ(1500, vlapic_next_deadline(&l));
	ASSERT_EQ(500, mr(TIMER_CUR));
	PASS();
}

TEST timer_illegal_vector(void)
{
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x02);
	MW(TIMER_INIT, 1);
	vlapic_update_timer(&l, now + 100);
	ASSERT_EQ(0, l.irr[0]);
	MW(ESR, 0);
	ASSERT_EQ(ESR_RECV_ILLEGAL, mr(ESR));
	PASS();
}

TEST timer_x2apic_msrs(void)
{
	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(true));
	now = 100;
	MSRW(X2(LVT_TIMER), 0x40);
	MSRW(X2(TIMER_DIV), 0x1); /* /4: 8 ticks a count */
	MSRW(X2(TIMER_INIT), 10);
	ASSERT_EQ(10, msr(X2(TIMER_INIT)));
	ASSERT_EQ(180, vlapic_next_deadline(&l));
	now = 140;
	ASSERT_EQ(5, msr(X2(TIMER_CUR)));
	now = 180;
	ASSERT_EQ(0, msr(X2(TIMER_CUR)));
	ASSERT(irr_has(0x40));
	PASS();
}

TEST timer_periodic_one_missed_period_counts(void)
{
	uint64_t start;

	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	start = now;
	MW(TIMER_INIT, 100); /* 400 ticks */
	vlapic_update_timer(&l, start + 800); /* the deadlines at 400 and 800 have passed */
	ASSERT_EQ(1, l.timer_fires);
	ASSERT_EQ(1, l.timer_missed);
	ASSERT_EQ(start + 1200, vlapic_next_deadline(&l));
	PASS();
}

TEST timer_periodic_count_restarts_each_period(void)
{
	uint64_t start;

	vlapic_init(&l, 0, 2000000000ULL, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	start = now;
	MW(TIMER_INIT, 100); /* 400 ticks */
	vlapic_update_timer(&l, start + 400);
	ASSERT_EQ(start + 400, l.timer_start); /* the current count started at the reload */
	vlapic_update_timer(&l, start + 2000);
	ASSERT_EQ(start + 2000, l.timer_start);
	PASS();
}

TEST timer_current_count_with_clocks_past_2_to_the_32(void)
{
	/* TSC and bus both at 2^40 Hz: a count of 2^32 - 1 is as many TSC
	 * ticks, and ticks times bus_hz no longer fits 64 bits */
	vlapic_init(&l, 0, 1ULL << 40, 1ULL << 40);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x40);
	MW(TIMER_DIV, 0xb); /* divide by 1 */
	MW(TIMER_INIT, 0xffffffffu);
	ASSERT_EQ(now + 0xffffffffu, vlapic_next_deadline(&l));
	ASSERT_EQ(0xffffffffu, mr(TIMER_CUR));
	ASSERT_EQ(0x80000000u, vlapic_timer_current(&l, now + 0x7fffffffu));
	PASS();
}

TEST timer_periodic_fractions_of_millions_of_missed_periods(void)
{
	/* a period of (2^41 - 1) / 2^40 TSC ticks: one tick and a fraction of
	 * almost a whole one, so the fractions of 2^26 periods add up past 2^64 */
	const uint64_t tsc = (1ULL << 41) - 1, bus = 1ULL << 40, late = 1ULL << 27;
	uint64_t start, k, want;

	vlapic_init(&l, 0, tsc, bus);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	MW(TIMER_DIV, 0xb);
	start = now;
	MW(TIMER_INIT, 1);
	vlapic_update_timer(&l, start + late);
	/* expiry k is at start + k * tsc / bus, rounded up: the first one past start + late */
	k = (uint64_t)(((unsigned __int128)late * bus) / tsc) + 1;
	want = start + (uint64_t)(((unsigned __int128)k * tsc + bus - 1) / bus);
	ASSERT(want > start + late);
	ASSERT_EQ_FMT(want, vlapic_next_deadline(&l), "%" PRIu64);
	ASSERT_EQ(k - 2, l.timer_missed); /* expiries 1 .. k - 1 made one interrupt */
	PASS();
}

TEST tiny_periods_clamped(void)
{
	/* A bus faster than the TSC: a one-count period is still one tick. */
	vlapic_init(&l, 0, 1000, 1000000000ULL);
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, PERIODIC | 0x40);
	MW(TIMER_DIV, 0xb);
	MW(TIMER_INIT, 1);
	ASSERT_EQ(now + 1, vlapic_next_deadline(&l));
	vlapic_update_timer(&l, now + 1000000);
	ASSERT_EQ(1, l.timer_fires);
	ASSERT_EQ(999999, l.timer_missed);
	ASSERT_EQ(now + 1000001, vlapic_next_deadline(&l));
	PASS();
}

SUITE(vlapic_irqs)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(pending_needs_enabled_apic);
		RUN_TEST(tpr_blocks_and_ppr);
		RUN_TEST(nested_isr_and_eoi_order);
		RUN_TEST(ack_only_requested_vectors);
		RUN_TEST(self_ipi_xapic);
		RUN_TEST(logical_destinations_xapic);
		RUN_TEST(flat_logical_destination_uses_all_eight_bits);
		RUN_TEST(self_ipi_x2apic);
		RUN_TEST(x2apic_logical_cluster_bits);
		RUN_TEST(illegal_vectors_set_esr);
		RUN_TEST(illegal_vectors_x2apic);
		RUN_TEST(vector_16_is_the_first_legal);
		RUN_TEST(zero_clock_rates_are_usable);
		RUN_TEST(nmi_self_ipi);
	});
}

SUITE(vlapic_timer)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(timer_oneshot_every_divider);
		RUN_TEST(timer_current_count);
		RUN_TEST(timer_largest_count_and_divider);
		RUN_TEST(timer_initial_count_starts_and_stops);
		RUN_TEST(timer_periodic_no_drift);
		RUN_TEST(timer_periodic_late_folds_missed);
		RUN_TEST(timer_masked_rearms_without_irr);
		RUN_TEST(timer_oneshot_periodic_switch_keeps_count);
		RUN_TEST(timer_tsc_deadline_switch_disarms);
		RUN_TEST(timer_tsc_deadline);
		RUN_TEST(timer_divide_change_rescales);
		RUN_TEST(timer_illegal_vector);
		RUN_TEST(timer_x2apic_msrs);
		RUN_TEST(tiny_periods_clamped);
		RUN_TEST(timer_periodic_one_missed_period_counts);
		RUN_TEST(timer_periodic_count_restarts_each_period);
		RUN_TEST(timer_current_count_with_clocks_past_2_to_the_32);
		RUN_TEST(timer_periodic_fractions_of_millions_of_missed_periods);
		RUN_TEST(extint_routing_follows_lint0_and_the_global_enable);
	});
}
GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vlapic_irqs);
		RUN_SUITE(vlapic_timer);
	});
	GREATEST_MAIN_END();
}
