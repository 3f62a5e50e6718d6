/*
 * Local APIC access in both register interfaces. SDM Vol. 3A chapter 11:
 * IA32_APIC_BASE 11.4.4, mode transitions 11.12.5 (x2APIC -> xAPIC only
 * by way of disabled), timer 11.5.4.
 */
#include "apic.h"
#include "guest.h"
#include "idt.h"
#include "timing.h"

#define APIC_BASE_ADDR_MASK 0xfffff000u

static enum apic_mode cur_mode = APIC_XAPIC;
static uint32_t bus_khz;
static const char *bus_src = "none";

uint32_t apic_cpuid1_ecx(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	return r.ecx;
}

static int apic_set_base(uint64_t v)
{
	return wrmsr_safe(MSR_IA32_APIC_BASE, v) < 0 ? 0 : -1;
}

int apic_enable(enum apic_mode mode)
{
	uint64_t base;

	if (rdmsr_safe(MSR_IA32_APIC_BASE, &base) >= 0)
		return -1;
	if (mode == APIC_XAPIC) {
		if (base & APIC_BASE_EXTD) {
			base &= ~(uint64_t)(APIC_BASE_EXTD | APIC_BASE_EN);
			if (apic_set_base(base))
				return -1;
		}
		base = (base & ~(uint64_t)APIC_BASE_ADDR_MASK) | APIC_MMIO_BASE;
		if (apic_set_base(base | APIC_BASE_EN))
			return -1;
	} else {
		if (!(base & APIC_BASE_EN) && apic_set_base(base | APIC_BASE_EN))
			return -1;
		if (apic_set_base(base | APIC_BASE_EN | APIC_BASE_EXTD))
			return -1;
	}
	cur_mode = mode;
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	return 0;
}

uint32_t apic_read(uint32_t reg)
{
	if (cur_mode == APIC_X2APIC)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return *(volatile uint32_t *)(APIC_MMIO_BASE + reg);
}

void apic_write(uint32_t reg, uint32_t val)
{
	if (cur_mode == APIC_X2APIC)
		wrmsr(MSR_X2APIC_BASE + reg / 16, val);
	else
		*(volatile uint32_t *)(APIC_MMIO_BASE + reg) = val;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

uint32_t apic_divide_code(unsigned divider)
{
	/* Bits 3,1,0 of the divide register: 000b = 2 ... 110b = 128, 111b = 1. */
	unsigned log2 = 0;
	uint32_t n;

	while ((1u << log2) < divider && log2 < 7)
		log2++;
	n = (log2 + 7) & 7; /* 1 -> 7, 2 -> 0, 4 -> 1 ... 128 -> 6 */
	return ((n & 4) << 1) | (n & 3);
}

/* The timer counts down from its initial count: turn that into a rising count. */
static uint64_t apic_elapsed(void)
{
	return 0xffffffffu - apic_read(APIC_TIMER_CURRENT);
}

static uint32_t apic_calibrate_pit(void)
{
	uint32_t khz;

	/* Counting down from 2^32 at divider 1 lasts 0.4 s even at 10 GHz. */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_ONESHOT);
	apic_write(APIC_TIMER_DIVIDE, apic_divide_code(1));
	apic_write(APIC_TIMER_INITIAL, 0xffffffffu);
	khz = pit_rate_khz(apic_elapsed);
	if (apic_read(APIC_TIMER_CURRENT) == 0)
		khz = 0; /* ran out: the numbers are meaningless */
	apic_write(APIC_TIMER_INITIAL, 0);
	return khz;
}

uint32_t apic_bus_khz(void)
{
	if (bus_khz)
		return bus_khz;
	hv_timing(NULL, &bus_khz);
	if (bus_khz) {
		bus_src = "cpuid";
		return bus_khz;
	}
	bus_khz = apic_calibrate_pit();
	if (bus_khz)
		bus_src = "pit";
	return bus_khz;
}

const char *apic_bus_source(void)
{
	return bus_src;
}
