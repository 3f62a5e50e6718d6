/*
 * Unit tests for kernel/vlapic_regs.c: xAPIC MMIO and x2APIC MSR register
 * access (writable bits, rejected and faulting accesses) and the
 * IA32_APIC_BASE and SVR mode transitions.
 */
#include "vlapic_fixture.h"

TEST reset_state(void)
{
	ASSERT_EQ(VLAPIC_DEFAULT_BASE | BASE_EN | BASE_BSP, l.apic_base);
	ASSERT_EQ(VLAPIC_DEFAULT_BASE | BASE_EN | BASE_BSP, msr(MSR_IA32_APIC_BASE));
	ASSERT_FALSE(vlapic_x2apic_mode(&l));
	ASSERT_EQ(0, mr(ID));
	ASSERT_EQ(0x00060014, mr(LVR));
	ASSERT_EQ(0xff, mr(SVR));
	ASSERT_EQ(0xffffffffu, mr(DFR));
	ASSERT_EQ(0, mr(TPR));
	ASSERT_EQ(0, mr(PPR));
	ASSERT_EQ(0, mr(LDR));
	ASSERT_EQ(MASKED, mr(LVT_TIMER));
	ASSERT_EQ(MASKED, mr(LVT_LINT0));
	ASSERT_EQ(MASKED, mr(LVT_CMCI));
	ASSERT_EQ(0, mr(TIMER_INIT));
	ASSERT_EQ(0, mr(TIMER_CUR));
	ASSERT_EQ(0, mr(ICR_LO));
	ASSERT_EQ(0, mr(ICR_HI));
	ASSERT_EQ(-1, vlapic_pending(&l));
	/* Not the BSP, and the xAPIC ID is in bits 31:24. */
	vlapic_init(&l, 3, 1, 1);
	ASSERT_EQ(VLAPIC_DEFAULT_BASE | BASE_EN, l.apic_base);
	ASSERT_EQ(3u << 24, mr(ID));
	PASS();
}

TEST xapic_writable_bits(void)
{
	MW(TPR, 0x1234);
	ASSERT_EQ(0x34, mr(TPR));
	MW(LDR, 0x12345678);
	ASSERT_EQ(0x12000000, mr(LDR));
	MW(DFR, 0);
	ASSERT_EQ(0x0fffffff, mr(DFR));
	MW(SVR, 0xffffffff);
	ASSERT_EQ(0x3ff, mr(SVR));
	MW(ICR_HI, 0xffffffff);
	ASSERT_EQ(0xff000000, mr(ICR_HI));
	MW(ICR_LO, 0xfffff500); /* INIT to all-but-self: not for us */
	ASSERT_EQ(0x000cc500, mr(ICR_LO)); /* delivery status reads 0 */
	ASSERT_EQ(1, l.ipis_ignored);
	MW(LVT_LINT0, 0xffffffff);
	ASSERT_EQ(0x1a7ff, mr(LVT_LINT0));
	MW(LVT_LINT1, 0xffffffff);
	ASSERT_EQ(0x1a7ff, mr(LVT_LINT1));
	MW(LVT_THERMAL, 0xffffffff);
	ASSERT_EQ(0x107ff, mr(LVT_THERMAL));
	MW(LVT_PERF, 0xffffffff);
	ASSERT_EQ(0x107ff, mr(LVT_PERF));
	MW(LVT_CMCI, 0xffffffff);
	ASSERT_EQ(0x107ff, mr(LVT_CMCI));
	MW(LVT_ERROR, 0xffffffff);
	ASSERT_EQ(0x100ff, mr(LVT_ERROR));
	MW(LVT_TIMER, 0xfffdffff); /* mode 10: TSC deadline */
	ASSERT_EQ(0x500ff, mr(LVT_TIMER));
	MW(TIMER_DIV, 0xffffffff);
	ASSERT_EQ(0xb, mr(TIMER_DIV));
	ASSERT_EQ(0, mr(APR));
	ASSERT_EQ(0, mr(RRD));
	PASS();
}

TEST xapic_rejected_accesses(void)
{
	uint32_t v = 1;
	uint32_t bad[] = { 0x000, 0x010, 0x040, 0x070, 0x3a0, 0x3f0, 0x400, 0xff0, 0x1000 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(-EINVAL, vlapic_mmio_read(&l, bad[i], now, &v));
		ASSERT_EQ(0, v);
		ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, bad[i], 1, now));
	}
	ASSERT_EQ(-EINVAL, vlapic_mmio_read(&l, TPR + 4, now, &v));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, TPR + 1, 0x55, now));
	ASSERT_EQ(0, l.tpr);
	ASSERT_EQ(-EINVAL, vlapic_mmio_read(&l, EOI, now, &v)); /* write-only */
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, LVR, 0, now));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, PPR, 0, now));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, ISR0, 1, now));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, TMR0 + 0x10, 1, now));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, IRR0 + 0x70, 1, now));
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, TIMER_CUR, 5, now));
	ASSERT_EQ(0, l.irr[7]);
	/* The ID is fixed: the write is accepted and dropped. */
	MW(ID, 0x07000000);
	ASSERT_EQ(0, mr(ID));
	/* The reserved timer mode 11 is refused. */
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, LVT_TIMER, 3u << 17, now));
	ASSERT_EQ(MASKED, mr(LVT_TIMER));
	PASS();
}

TEST mmio_off_in_x2apic_or_disabled(void)
{
	uint32_t v;

	CHECK_CALL(enable(true));
	ASSERT_EQ(-EINVAL, vlapic_mmio_read(&l, SVR, now, &v));
	ASSERT_EQ_FMT(0xffffffffu, v, "0x%x"); /* no device at the page */
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, TPR, 0x20, now));
	ASSERT_EQ(0, l.tpr);
	MSRW(MSR_IA32_APIC_BASE, VLAPIC_DEFAULT_BASE);
	ASSERT_EQ(-EINVAL, vlapic_mmio_read(&l, LVR, now, &v));
	ASSERT_EQ_FMT(0xffffffffu, v, "0x%x");
	ASSERT_EQ(-EINVAL, vlapic_mmio_write(&l, SVR, 0x1ff, now));
	PASS();
}

TEST x2apic_register_map(void)
{
	vlapic_init(&l, 0x25, 3000000000ULL, 1000000000ULL);
	MW(TPR, 0x31);
	CHECK_CALL(enable(true));
	ASSERT(vlapic_x2apic_mode(&l));
	ASSERT_EQ(0x25, msr(X2(ID)));
	ASSERT_EQ(0x00060014, msr(X2(LVR)));
	ASSERT_EQ(0x31, msr(X2(TPR))); /* kept across the switch */
	ASSERT_EQ(0x31, msr(X2(PPR)));
	/* Logical x2APIC ID: cluster 2, bit 5 (11.12.10.2). */
	ASSERT_EQ(0x00020020, msr(X2(LDR)));
	ASSERT_EQ(0x1ff, msr(X2(SVR)));
	MSRW(X2(TPR), 0x42);
	ASSERT_EQ(0x42, msr(X2(TPR)));
	MSRW(X2(LVT_LINT1), 0x400);
	ASSERT_EQ(0x400, msr(X2(LVT_LINT1)));
	MSRW(X2(LVT_CMCI), 0x10033);
	ASSERT_EQ(0x10033, msr(X2(LVT_CMCI)));
	MSRW(X2(TIMER_DIV), 0xa);
	ASSERT_EQ(0xa, msr(X2(TIMER_DIV)));
	MSRW(X2(ICR_LO), 0x0000001200000500ULL); /* INIT to 0x12 */
	ASSERT_EQ(0x0000001200000500ULL, msr(X2(ICR_LO)));
	vlapic_accept(&l, 0x99);
	ASSERT_EQ(1u << (0x99 & 31), msr(X2(IRR0 + 0x40)));
	ASSERT_EQ(0, msr(X2(ISR0 + 0x40)));
	ASSERT_EQ(0, msr(X2(TMR0 + 0x40)));
	MSRW(X2(ESR), 0);
	ASSERT_EQ(0, msr(X2(ESR)));
	PASS();
}

TEST x2apic_gp_cases(void)
{
	uint64_t v;
	uint32_t no_read[] = { X2(EOI), X2(SELF_IPI), X2(DFR), X2(APR), X2(RRD),
			       X2(ICR_HI), 0x800, 0x801, 0x804, 0x83a, 0x840, 0x8ff };
	uint32_t no_write[] = { X2(ID), X2(LVR), X2(PPR), X2(LDR), X2(DFR), X2(APR),
				X2(ISR0), X2(TMR0), X2(IRR0 + 0x70), X2(TIMER_CUR),
				X2(ICR_HI), 0x800, 0x8ff };
	size_t i;

	CHECK_CALL(enable(true));
	for (i = 0; i < ARRAY_SIZE(no_read); i++)
		ASSERT_EQ(-EINVAL, vlapic_msr_read(&l, no_read[i], now, &v));
	for (i = 0; i < ARRAY_SIZE(no_write); i++)
		ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, no_write[i], 0, now));
	/* Reserved bits fault (11.12.1.3). */
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(TPR), 0x100, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(TPR), 1ULL << 32, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(EOI), 1, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(ESR), 1, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(SVR), 0x11ff, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(LVT_LINT0), 1u << 17, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(LVT_ERROR), 0x700, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(LVT_TIMER), 3u << 17, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(TIMER_DIV), 0x4, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(SELF_IPI), 0x140, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(ICR_LO), 0x40040 | 1u << 13, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(ICR_LO), 0x40040 | 1u << 16, now));
	/* Nothing of the above took effect. */
	ASSERT_EQ(0, l.tpr);
	ASSERT_EQ(0x1ff, l.svr);
	ASSERT_EQ(0, l.irr[2]);
	ASSERT_EQ(0, l.eois);
	/* Read-only bits are not reserved. */
	MSRW(X2(LVT_LINT0), 1u << 12 | 1u << 14 | 0x30);
	ASSERT_EQ(0x30, msr(X2(LVT_LINT0)));
	MSRW(X2(EOI), 0);
	ASSERT_EQ(1, l.eois);
	PASS();
}

TEST x2apic_msrs_fault_outside_x2apic(void)
{
	uint64_t v;

	CHECK_CALL(enable(false));
	ASSERT_EQ(-EINVAL, vlapic_msr_read(&l, X2(TPR), now, &v));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(TPR), 0x10, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, X2(SELF_IPI), 0x40, now));
	ASSERT_EQ(0, l.tpr);
	ASSERT_FALSE(irr_has(0x40));
	ASSERT_EQ(-EINVAL, vlapic_msr_read(&l, 0x10, now, &v)); /* not an APIC MSR */
	PASS();
}

TEST apic_base_transitions(void)
{
	const uint64_t base = VLAPIC_DEFAULT_BASE;
	uint64_t v;

	/* xAPIC -> x2APIC -> (no) xAPIC -> disabled -> (no) x2APIC -> xAPIC */
	MSRW(MSR_IA32_APIC_BASE, base | BASE_EN | BASE_EXTD);
	ASSERT(vlapic_x2apic_mode(&l));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE, base | BASE_EN, now));
	ASSERT(vlapic_x2apic_mode(&l));
	MSRW(MSR_IA32_APIC_BASE, base);
	ASSERT_EQ(base | BASE_BSP, msr(MSR_IA32_APIC_BASE));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE,
					    base | BASE_EN | BASE_EXTD, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE, base | BASE_EXTD, now));
	MSRW(MSR_IA32_APIC_BASE, base | BASE_EN);
	ASSERT_FALSE(vlapic_x2apic_mode(&l));
	/* xAPIC -> disabled -> xAPIC */
	MSRW(MSR_IA32_APIC_BASE, base);
	MSRW(MSR_IA32_APIC_BASE, base | BASE_EN);
	/* Reserved bits, and the base may move. */
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE, base | BASE_EN | 1, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE,
					    base | BASE_EN | 1u << 9, now));
	ASSERT_EQ(-EINVAL, vlapic_msr_write(&l, MSR_IA32_APIC_BASE,
					    base | BASE_EN | 1ULL << 63, now));
	MSRW(MSR_IA32_APIC_BASE, 0xfec01000ULL | BASE_EN);
	ASSERT_EQ(0, vlapic_msr_read(&l, MSR_IA32_APIC_BASE, now, &v));
	ASSERT_EQ(0xfec01000ULL | BASE_EN | BASE_BSP, v); /* BSP is not writable */
	vlapic_init(&l, 1, 1, 1);
	MSRW(MSR_IA32_APIC_BASE, base | BASE_EN | BASE_BSP);
	ASSERT_EQ(base | BASE_EN, msr(MSR_IA32_APIC_BASE));
	PASS();
}

TEST disable_resets_registers(void)
{
	CHECK_CALL(enable(false));
	MW(TPR, 0x20);
	MW(LVT_LINT0, 0x700);
	MW(LDR, 0x01000000);
	MW(TIMER_INIT, 100);
	vlapic_accept(&l, 0x80);
	vlapic_ack(&l, 0x80);
	vlapic_accept(&l, 0x81);
	MSRW(MSR_IA32_APIC_BASE, VLAPIC_DEFAULT_BASE);
	ASSERT_EQ(-1, vlapic_pending(&l));
	MSRW(MSR_IA32_APIC_BASE, VLAPIC_DEFAULT_BASE | BASE_EN);
	ASSERT_EQ(0, mr(TPR));
	ASSERT_EQ(0xff, mr(SVR));
	ASSERT_EQ(MASKED, mr(LVT_LINT0));
	ASSERT_EQ(0, mr(LDR));
	ASSERT_EQ(0, mr(TIMER_INIT));
	ASSERT_EQ(0, vlapic_next_deadline(&l));
	ASSERT_FALSE(isr_has(0x80));
	ASSERT_FALSE(irr_has(0x81));
	PASS();
}

TEST sw_disable_masks_lvts(void)
{
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, 0x30);
	MW(LVT_LINT1, 0x400);
	MW(LVT_ERROR, 0x31);
	ASSERT_EQ(0x30, mr(LVT_TIMER));
	MW(SVR, 0xff);
	ASSERT_EQ(0x30 | MASKED, mr(LVT_TIMER));
	ASSERT_EQ(0x400 | MASKED, mr(LVT_LINT1));
	ASSERT_EQ(0x31 | MASKED, mr(LVT_ERROR));
	ASSERT_EQ(MASKED, mr(LVT_CMCI));
	/* Unmasking is ignored while software-disabled. */
	MW(LVT_TIMER, 0x32);
	ASSERT_EQ(0x32 | MASKED, mr(LVT_TIMER));
	/* Re-enabling leaves the masks set until software clears them. */
	MW(SVR, 0x1ff);
	ASSERT_EQ(0x32 | MASKED, mr(LVT_TIMER));
	MW(LVT_TIMER, 0x32);
	ASSERT_EQ(0x32, mr(LVT_TIMER));
	PASS();
}

SUITE(vlapic_regs)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(reset_state);
		RUN_TEST(xapic_writable_bits);
		RUN_TEST(xapic_rejected_accesses);
		RUN_TEST(mmio_off_in_x2apic_or_disabled);
		RUN_TEST(x2apic_register_map);
		RUN_TEST(x2apic_gp_cases);
		RUN_TEST(x2apic_msrs_fault_outside_x2apic);
		RUN_TEST(apic_base_transitions);
		RUN_TEST(disable_resets_registers);
		RUN_TEST(sw_disable_masks_lvts);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vlapic_regs);
	});
	GREATEST_MAIN_END();
}
