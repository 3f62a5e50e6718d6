/*
 * Shared by the vlapic tests: xAPIC register offsets and bit names, the
 * APIC under test (l) and the TSC the tests pass in (now), MMIO/MSR
 * access shorthands, IRR/ISR probes, the per-test setup() and enable(),
 * which software-enables the APIC and optionally switches it to x2APIC.
 */
#ifndef TESTS_UNIT_VLAPIC_FIXTURE_H
#define TESTS_UNIT_VLAPIC_FIXTURE_H

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vlapic.h"

/* xAPIC offsets (SDM table 11-1); the x2APIC MSR is X2(offset). */
#define ID 0x020
#define LVR 0x030
#define TPR 0x080
#define APR 0x090
#define PPR 0x0a0
#define EOI 0x0b0
#define RRD 0x0c0
#define LDR 0x0d0
#define DFR 0x0e0
#define SVR 0x0f0
#define ISR0 0x100
#define TMR0 0x180
#define IRR0 0x200
#define ESR 0x280
#define LVT_CMCI 0x2f0
#define ICR_LO 0x300
#define ICR_HI 0x310
#define LVT_TIMER 0x320
#define LVT_THERMAL 0x330
#define LVT_PERF 0x340
#define LVT_LINT0 0x350
#define LVT_LINT1 0x360
#define LVT_ERROR 0x370
#define TIMER_INIT 0x380
#define TIMER_CUR 0x390
#define TIMER_DIV 0x3e0
#define SELF_IPI 0x3f0
#define X2(off) (0x800u + ((off) >> 4))

#define BASE_BSP (1ULL << 8)
#define BASE_EXTD (1ULL << 10)
#define BASE_EN (1ULL << 11)
#define MASKED (1u << 16)
#define PERIODIC (1u << 17)
#define TSC_DEADLINE (2u << 17)
#define ESR_SEND_ILLEGAL 0x20u
#define ESR_RECV_ILLEGAL 0x40u

static struct vlapic l;
static uint64_t now;

#define MW(off, val) ASSERT_EQ(0, vlapic_mmio_write(&l, (off), (val), now))
#define MSRW(msr, val) ASSERT_EQ(0, vlapic_msr_write(&l, (msr), (val), now))

static inline uint32_t mr(uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	if (vlapic_mmio_read(&l, off, now, &v))
		return 0xdeadbeef;
	return v;
}

static inline uint64_t msr(uint32_t m)
{
	uint64_t v = 0xdeadbeef;

	if (vlapic_msr_read(&l, m, now, &v))
		return 0xdeadbeef;
	return v;
}

static inline bool irr_has(unsigned v)
{
	return l.irr[v >> 5] & (1u << (v & 31));
}

static inline bool isr_has(unsigned v)
{
	return l.isr[v >> 5] & (1u << (v & 31));
}

static inline void setup(void *arg)
{
	(void)arg;
	now = 1000;
	vlapic_init(&l, 0, 3000000000ULL, 1000000000ULL);
}

/* Software-enable and, optionally, switch to x2APIC mode. */
static inline enum greatest_test_res enable(bool x2)
{
	MW(SVR, 0x1ff);
	if (x2)
		MSRW(MSR_IA32_APIC_BASE, VLAPIC_DEFAULT_BASE | BASE_EN | BASE_EXTD);
	PASS();
}

#endif
