/*
 * A guest's HPET, as a pure device model: the register block at
 * 0xFED00000 (general capabilities, configuration, interrupt status, the
 * 64-bit main counter, three timers) with one-shot, periodic and 32-bit
 * timer modes and FSB (MSI) interrupt delivery into the local APIC.
 *
 * Time is the guest TSC value the caller passes in, as for the vLAPIC:
 * the main counter runs at 100 MHz of guest time while enabled, held
 * while halted, so the model is deterministic under test.
 *
 * IA-PC HPET (High Precision Event Timers) Specification 1.0a: register
 * map table 2.3.1, general registers 2.3.4-2.3.7, timers 2.3.8-2.3.10,
 * timer modes 2.3.9.2.
 */
#ifndef KERNEL_HPET_H
#define KERNEL_HPET_H

#include "kernel/guest_state.h"
#include "kernel/vlapic.h"
#include "lib/types.h"

#define HPET_BASE 0xfed00000ULL /* the address ACPI's HPET table would give, fixed here */
#define HPET_PAGE_SIZE 0x1000   /* the page the guest finds the HPET in */
#define HPET_REG_SIZE 0x400     /* the register block, 2.3.1; the rest of the page reads 0 */
#define HPET_TIMERS GS_HPET_TIMERS

/* Register offsets, 2.3.1 table 2. */
#define HPET_GCAP_ID 0x000
#define HPET_GEN_CONF 0x010
#define HPET_GINTR_STA 0x020
#define HPET_MAIN_CNT 0x0f0
#define HPET_TN_CONF(n) (0x100 + 0x20 * (n))
#define HPET_TN_COMPARATOR(n) (0x108 + 0x20 * (n))
#define HPET_TN_FSB_ROUTE(n) (0x110 + 0x20 * (n))

/* General capabilities and ID, 2.3.4. */
#define HPET_REV_ID 0x01ULL
#define HPET_NUM_TIM_CAP_SHIFT 8
#define HPET_COUNT_SIZE_CAP (1ULL << 13)
#define HPET_LEG_RT_CAP (1ULL << 15)
#define HPET_VENDOR_ID_SHIFT 16
#define HPET_VENDOR_ID 0x8086ULL /* what QEMU's and common chipsets' HPETs report */
#define HPET_COUNTER_CLK_PERIOD_SHIFT 32
#define HPET_COUNTER_CLK_PERIOD 10000000ULL /* femtoseconds: 10 ns */
#define HPET_FREQ_HZ 100000000ULL           /* 10^15 fs / the period */

/* General configuration, 2.3.5. */
#define HPET_ENABLE_CNF (1ULL << 0)
#define HPET_LEG_RT_CNF (1ULL << 1)

/* Timer N configuration and capabilities, 2.3.8. */
#define HPET_TN_INT_TYPE_CNF (1ULL << 1) /* 1: level-triggered */
#define HPET_TN_INT_ENB_CNF (1ULL << 2)
#define HPET_TN_TYPE_CNF (1ULL << 3)     /* 1: periodic */
#define HPET_TN_PER_INT_CAP (1ULL << 4)
#define HPET_TN_SIZE_CAP (1ULL << 5)     /* 1: 64-bit comparator */
#define HPET_TN_VAL_SET_CNF (1ULL << 6)
#define HPET_TN_32MODE_CNF (1ULL << 8)
#define HPET_TN_INT_ROUTE_CNF (0x1fULL << 9)
#define HPET_TN_FSB_EN_CNF (1ULL << 14)
#define HPET_TN_FSB_INT_DEL_CAP (1ULL << 15)
#define HPET_TN_INT_ROUTE_CAP_SHIFT 32

/* The configuration bits a guest can change (the rest are capabilities or reserved). */
#define HPET_TN_CONF_WRITABLE (HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | \
			       HPET_TN_VAL_SET_CNF | HPET_TN_32MODE_CNF | HPET_TN_FSB_EN_CNF)

struct hpet_timer {
	uint64_t config;     /* the writable bits of Tn_CONF */
	uint64_t comparator; /* Tn_COMPARATOR_VAL: the next match (32 bits in 32-bit mode) */
	uint64_t period;     /* periodic mode: what the comparator advances by */
	uint64_t fsb;        /* Tn_FSB_INT_ROUTE: address in 63:32, data in 31:0 */
	bool armed;          /* the counter will reach match (only while enabled) */
	uint64_t match;      /* main-counter value of the next match, 64 bits wide */
	uint64_t fires, msis; /* statistics: matches, MSIs sent */
};

struct hpet {
	uint64_t config;      /* GEN_CONF */
	uint64_t isr;         /* GINTR_STA */
	uint64_t counter;     /* the main counter at counter_tsc; its value while halted */
	uint64_t counter_tsc; /* guest TSC from which an enabled counter counts */
	uint64_t updated_tsc; /* guest TSC of the last hpet_update */
	uint64_t tsc_hz;      /* guest TSC rate */
	struct hpet_timer timer[HPET_TIMERS];
};

/* Reset state: halted, counter 0, every timer 64-bit, one-shot, disabled. */
void hpet_init(struct hpet *h, uint64_t tsc_hz);

/* The main counter at guest TSC now. */
uint64_t hpet_counter(const struct hpet *h, uint64_t now);

/*
 * A read or write of size bytes at offset (0-0xFFF) of the HPET page at
 * guest TSC now. The spec allows aligned 32- and 64-bit accesses (2.3.1);
 * others return -EINVAL (a read then gives 0, a write is ignored).
 * Offsets past the register block and reserved registers read 0.
 */
int hpet_mmio_read(struct hpet *h, uint32_t offset, unsigned size, uint64_t now, uint64_t *val);
int hpet_mmio_write(struct hpet *h, uint32_t offset, unsigned size, uint64_t val, uint64_t now);

/*
 * Bring the timers up to now: every match that has come sets its status
 * bit (level-triggered), sends its FSB message to l (interrupt and FSB
 * enabled), and re-arms (periodic, or a 32-bit timer after the counter
 * wraps). Called before each guest entry, like vlapic_update_timer.
 */
void hpet_update(struct hpet *h, uint64_t now, struct vlapic *l);

/* Guest TSC at which the next match with an effect comes, or 0 for none. */
uint64_t hpet_next_deadline(const struct hpet *h);

/*
 * Save into s at guest TSC now (the counter's value then, matches in
 * counter ticks from it), and load back at a possibly different now: the
 * counter continues from its saved value (kernel/hpet_state.c).
 */
void hpet_save(const struct hpet *h, uint64_t now, struct gs_hpet *s);
void hpet_load(struct hpet *h, const struct gs_hpet *s, uint64_t now);

/* Whether s holds only what hpet_save can write (the decoder's check). */
bool hpet_state_valid(const struct gs_hpet *s);

#endif
