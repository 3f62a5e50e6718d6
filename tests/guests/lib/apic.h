/*
 * Local APIC helpers: xAPIC through the MMIO page at 0xFEE00000, x2APIC
 * through MSRs 0x800+. Registers are named by their xAPIC offset; the
 * x2APIC MSR is 0x800 + offset / 16 (SDM Vol. 3A 11.12.1.2).
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdint.h>

#define APIC_MMIO_BASE 0xfee00000u
#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SVR_ENABLE (1u << 8)
#define APIC_LVT_MASKED (1u << 16)
/* LVT timer mode, bits 18:17 (SDM Vol. 3A figure 11-8). */
#define APIC_TIMER_ONESHOT (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)

#define APIC_BASE_EXTD (1u << 10) /* IA32_APIC_BASE: x2APIC mode */
#define APIC_BASE_EN (1u << 11)   /* IA32_APIC_BASE: globally enabled */

#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

enum apic_mode { APIC_XAPIC, APIC_X2APIC };

/* CPUID.1:ECX feature bits (one counted CPUID per call). */
uint32_t apic_cpuid1_ecx(void);

/*
 * Switch the local APIC to mode (globally enabled) and software-enable it
 * with spurious vector 0xFF, TPR 0. Returns 0, or -1 if IA32_APIC_BASE
 * refused the change.
 */
int apic_enable(enum apic_mode mode);

/* Read a register (xAPIC offset) in the current mode. */
uint32_t apic_read(uint32_t reg);

/* Write a register (xAPIC offset) in the current mode. */
void apic_write(uint32_t reg, uint32_t val);

/* Signal end of interrupt. */
void apic_eoi(void);

/* Divide-configuration value for a divider of 1, 2, 4, ... 128 (SDM figure 11-10). */
uint32_t apic_divide_code(unsigned divider);

/*
 * Timer input (bus) frequency in kHz before the divider: CPUID 0x40000010
 * EBX, else measured with the PIT (needs the APIC enabled). 0 if unknown.
 */
uint32_t apic_bus_khz(void);

/* "cpuid", "pit" or "none": where apic_bus_khz() got its answer. */
const char *apic_bus_source(void);

#endif
