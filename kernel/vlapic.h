/*
 * A guest's local APIC, as a pure device model: xAPIC (MMIO page at
 * 0xFEE00000) and x2APIC (MSRs 0x800-0x8FF) register interfaces, the
 * timer in one-shot, periodic and TSC-deadline modes, TPR/PPR priority,
 * IRR/ISR bookkeeping, EOI and self-IPIs. Time is the TSC value the
 * caller passes in, so the model is deterministic under test.
 *
 * SDM Vol. 3A chapter 11: register map table 11-1 (xAPIC) and 11-6
 * (x2APIC MSRs), timer 11.5.4 (TSC-deadline 11.5.4.1), priorities 11.8.3,
 * EOI 11.8.5, ICR 11.6.1, self IPI 11.12.11, IA32_APIC_BASE 11.4.4.
 */
#ifndef KERNEL_VLAPIC_H
#define KERNEL_VLAPIC_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000ULL
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff

/* MSI address and data, SDM Vol. 3A 11.11.1 and 11.11.2 (figures 11-24, 11-25). */
#define MSI_ADDR_BASE_MASK 0xfff00000ULL
#define MSI_ADDR_BASE 0xfee00000ULL
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DEST(a) (((a) >> MSI_ADDR_DEST_SHIFT) & 0xff)
#define MSI_ADDR_DM (1ULL << 2)   /* destination mode: 1 = logical */
#define MSI_DATA_DELIVERY(d) (((d) >> MSI_DATA_DELIVERY_SHIFT) & 7)
#define MSI_DATA_DELIVERY_SHIFT 8
#define MSI_DATA_LEVEL_ASSERT (1u << 14)
#define MSI_DATA_LEVEL_TRIGGER (1u << 15) /* trigger mode: 1 = level */
#define MSI_DELIVERY_FIXED 0
#define MSI_DELIVERY_LOWEST 1
#define MSI_DELIVERY_NMI 4

struct vlapic {
	uint32_t id;
	uint64_t apic_base;  /* IA32_APIC_BASE as the guest sees it */
	uint32_t tpr, svr, ldr, dfr, esr;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt_timer, lvt_thermal, lvt_perf, lvt_lint0, lvt_lint1, lvt_error, lvt_cmci;
	uint32_t timer_initial, timer_divide;
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t timer_start;    /* TSC when the current count started */
	uint64_t timer_deadline; /* TSC when the timer fires next, 0 when idle */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE */
	uint64_t tsc_hz;         /* guest TSC rate */
	uint64_t bus_hz;         /* timer input clock before the divider */
	uint64_t timer_fires, eois, self_ipis, accepted;
	uint32_t esr_pending;      /* errors since the last ESR write (11.5.3) */
	uint64_t timer_period;     /* whole TSC ticks per timer period */
	uint64_t timer_period_rem; /* and the fraction, in 1/bus_hz ticks */
	uint64_t timer_frac;       /* fraction carried into timer_deadline */
	uint64_t timer_missed;     /* periodic expiries folded into one IRR bit */
	uint64_t ipis_ignored;     /* IPIs to other CPUs or not fixed delivery */
	uint64_t irqs_dropped;     /* fixed interrupts while the APIC is disabled */
	bool nmi_pending;          /* a self-NMI IPI waits for delivery */
	uint64_t nmis;
	/* The EOI of a level-triggered vector, broadcast to the I/O APIC
	 * (11.8.5); not state: whoever wires the APIC sets it after init. */
	void (*level_eoi)(void *ctx, uint8_t vector);
	void *level_eoi_ctx;
};

/* Reset state (xAPIC mode, enabled, base 0xFEE00000, software-disabled by SVR). */
void vlapic_init(struct vlapic *l, uint32_t id, uint64_t tsc_hz, uint64_t bus_hz);

/* True when IA32_APIC_BASE has the APIC globally enabled, in x2APIC mode. */
bool vlapic_x2apic_mode(const struct vlapic *l);

/* IA32_APIC_BASE.EN: the APIC is on (in xAPIC or x2APIC mode). */
bool vlapic_hw_enabled(const struct vlapic *l);

/*
 * A 32-bit xAPIC MMIO access at offset (0-0xFFF) of the APIC page.
 * Returns 0, or -EINVAL for accesses the APIC rejects (unaligned,
 * reserved, in x2APIC mode or while globally disabled): writes are then
 * ignored and reads give 0, or all ones when the xAPIC is off (x2APIC
 * mode or IA32_APIC_BASE.EN clear): no device answers at the page then.
 */
int vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint64_t now, uint32_t *val);
int vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now);

/*
 * RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range.
 * Returns 0, or -EINVAL where the architecture raises #GP (x2APIC MSRs
 * outside x2APIC mode, read-only or reserved registers, invalid
 * IA32_APIC_BASE transitions, reserved bits).
 */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now);

/* Whether the 8259's INTR reaches the CPU: the APIC is globally disabled,
 * or enabled with LVT LINT0 unmasked in ExtINT delivery mode (virtual wire). */
bool vlapic_extint_routed(const struct vlapic *l);

/* An interrupt arrives for vector (16-255): set its IRR bit. */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/*
 * A message-signalled interrupt (SDM Vol. 3A 11.11) written to addr with
 * data, e.g. by the HPET's FSB delivery or the I/O APIC: fixed and
 * lowest-priority vectors go to IRR (and TMR when the data says level),
 * NMI to the pending NMI. Returns 0, or -EINVAL when it is not for this
 * APIC or has a delivery mode nothing here takes.
 */
int vlapic_deliver_msi(struct vlapic *l, uint64_t addr, uint32_t data);

/* Fire the timer if its time has come by now (sets IRR unless masked, re-arms periodic). */
void vlapic_update_timer(struct vlapic *l, uint64_t now);

/* TSC at which the timer fires next, or 0 when it is idle or masked. */
uint64_t vlapic_next_deadline(const struct vlapic *l);

/* The vector to deliver now (highest IRR whose class beats PPR, APIC enabled), or -1. */
int vlapic_pending(const struct vlapic *l);

/* Whether an NMI waits; taking it clears it (the vCPU delivers it). */
bool vlapic_take_nmi(struct vlapic *l);

/* The vector was injected into the guest: move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/*
 * Save the APIC's architectural state into s at guest TSC now (timer
 * times relative to now), and load it back at a possibly different now
 * (kernel/vlapic_state.c). Load leaves the statistics counters alone.
 */
void vlapic_save(const struct vlapic *l, uint64_t now, struct gs_lapic *s);
void vlapic_load(struct vlapic *l, const struct gs_lapic *s, uint64_t now);

/* Current timer count register value at now (counts down, 0 when expired). */
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now);

#endif
