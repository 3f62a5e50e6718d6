/*
 * The local APIC of the boot CPU: timer, EOI, and the legacy PIC put to
 * sleep. Works in xAPIC (MMIO) and x2APIC (MSR) mode, whichever the
 * firmware left enabled.
 */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include "lib/types.h"

struct apic_info {
	hpa_t base;
	bool x2apic;
	uint32_t id;
	uint32_t version;
	uint64_t timer_hz; /* LAPIC timer input after the divider */
	uint64_t tsc_hz;
	uint32_t tick_hz;  /* periodic tick rate, 0 when stopped */
};

/* Mask the 8259 PICs and enable the local APIC. Returns -ENODEV without one. */
int apic_init(void);

/*
 * Measure the TSC and LAPIC timer frequencies against the PIT. Returns 0
 * or -EIO when the PIT does not count.
 */
int apic_calibrate(void);

/* Start the timer firing vector hz times a second. */
void apic_timer_periodic(uint32_t hz, uint8_t vector);

/* Fire vector once after count timer ticks (at timer_hz); 0 stops the timer. */
void apic_timer_oneshot(uint32_t count, uint8_t vector);

/* Signal end of interrupt for the in-service vector. */
void apic_eoi(void);

/* State and measured frequencies. */
const struct apic_info *apic_get_info(void);

#endif
