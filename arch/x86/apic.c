/*
 * Local APIC driver. Register offsets and LVT layout: SDM Vol. 3A 11.4
 * (table 11-1), 11.5.1 (LVT), 11.5.4 (timer); x2APIC MSR mapping 11.12.1
 * (MSR 0x800 + offset / 16).
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pit.h"
#include "arch/x86/trap.h"

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_X2APIC_ENABLE (1ULL << 10)
#define APIC_BASE_GLOBAL_ENABLE (1ULL << 11)
#define APIC_BASE_ADDR_MASK 0xffffff000ULL
#define MSR_X2APIC_BASE 0x800

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SVR_ENABLE (1U << 8)
#define APIC_LVT_MASKED (1U << 16)
#define APIC_LVT_TIMER_PERIODIC (1U << 17)
#define APIC_DIVIDE_BY_16 0x3

/* 8259A PIC ports and init words (Intel 8259A data sheet) */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086 0x01

#define CALIBRATE_MS 50

static struct apic_info info;

static uint32_t apic_read(uint32_t reg)
{
	if (info.x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile uint32_t *)phys_to_virt(info.base + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (info.x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		*(volatile uint32_t *)phys_to_virt(info.base + reg) = v;
}

/* Remap the PICs above the exception vectors, then mask every line. */
static void pic_disable(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC1_DATA, VEC_PIC_BASE);
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 4); /* slave on IRQ2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

int apic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_APIC))
		return -ENODEV;
	pic_disable();
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_GLOBAL_ENABLE)) {
		base |= APIC_BASE_GLOBAL_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	info.x2apic = base & APIC_BASE_X2APIC_ENABLE;
	info.base = base & APIC_BASE_ADDR_MASK;
	info.id = apic_read(APIC_ID);
	if (!info.x2apic)
		info.id >>= 24; /* xAPIC ID sits in bits 31:24, SDM Vol. 3A 11.4.6 */
	info.version = apic_read(APIC_VERSION) & 0xff;
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_APIC_SPURIOUS);
	return 0;
}

int apic_calibrate(void)
{
	uint64_t tsc0, tsc1;
	uint32_t left;

	apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INITIAL, 0xffffffff);
	tsc0 = rdtsc();
	if (!pit_wait_ms(CALIBRATE_MS))
		return -EIO;
	tsc1 = rdtsc();
	left = apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INITIAL, 0);
	info.tsc_hz = (tsc1 - tsc0) * (1000 / CALIBRATE_MS);
	info.timer_hz = (uint64_t)(0xffffffffU - left) * (1000 / CALIBRATE_MS);
	return info.tsc_hz && info.timer_hz ? 0 : -EIO;
}

void apic_timer_periodic(uint32_t hz, uint8_t vector)
{
	uint64_t count = hz ? info.timer_hz / hz : 0;

	apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_16);
	apic_write(APIC_LVT_TIMER, vector | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TIMER_INITIAL, (uint32_t)MIN(count, 0xffffffffULL));
	info.tick_hz = hz;
}

void apic_timer_oneshot(uint32_t count, uint8_t vector)
{
	/* the divider stays at 16 from calibration; rewriting it on every arm costs an exit under nesting */
	apic_write(APIC_LVT_TIMER, vector);
	apic_write(APIC_TIMER_INITIAL, count);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

const struct apic_info *apic_get_info(void)
{
	return &info;
}
