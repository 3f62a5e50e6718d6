/*
 * The guest PC's ACPI fixed hardware, as far as the guest's ACPI tables
 * (kernel/acpi_tables.c) describe it: the PM1a event and control blocks
 * (sleep to S5 is a power-off), the PM timer, and the reset register.
 * Pure: the caller passes the guest's time and acts on the result.
 * Register layouts: ACPI 6.5 section 4.8.3 (PM1 4.8.3.1-2, PM timer
 * 4.8.3.3), reset register 4.8.3.6.
 */
#ifndef KERNEL_ACPI_PM_H
#define KERNEL_ACPI_PM_H

#include "lib/types.h"

/* The ports, placed as on QEMU's q35 (ICH9 PMBASE 0x600). */
#define ACPI_PM1A_EVT_BLK 0x600 /* PM1_STS (2 bytes), PM1_EN (2 bytes) */
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1A_CNT_BLK 0x604
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM_TMR_BLK 0x608
#define ACPI_PM_TMR_LEN 4
#define ACPI_RESET_PORT 0xcf9   /* the PC's reset control register */
#define ACPI_RESET_VALUE 0x06   /* SYS_RST | RST_CPU: a full reset */

#define ACPI_PM_TIMER_HZ 3579545ULL /* ACPI 6.5 4.8.3.3 */
#define ACPI_S5_SLP_TYP 5            /* the value the DSDT's \_S5 package gives */

/* PM1 control register bits, ACPI 6.5 table 4.16 */
#define ACPI_PM1_SCI_EN 0x0001
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP_MASK 0x1c00
#define ACPI_PM1_SLP_EN 0x2000
#define ACPI_PM1_CNT_RESERVED 0xc000 /* bits 14-15: kept as zero */

struct acpi_pm {
	uint16_t pm1_en;  /* PM1 enable: kept, nothing raises an event yet */
	uint16_t pm1_cnt; /* PM1 control as last written (SLP_EN reads as 0) */
};

enum acpi_pm_action {
	ACPI_PM_NONE,
	ACPI_PM_POWER_OFF, /* SLP_EN with the S5 sleep type */
	ACPI_PM_RESET,     /* the reset value at the reset register */
};

/*
 * Whether an access of size bytes at port touches a PM1 or timer byte, or
 * is the byte-wide reset register itself (not a wider access around it).
 */
bool acpi_pm_claims(uint16_t port, unsigned size);

/*
 * The value of an IN at port of size bytes. now_ticks is the PM timer's
 * count (acpi_pm_timer_ticks of the guest's time); the timer reads as 32
 * bits (FADT TMR_VAL_EXT). Unknown bytes read as all ones.
 */
uint32_t acpi_pm_in(const struct acpi_pm *pm, uint16_t port, unsigned size, uint64_t now_ticks);

/* An OUT: updates pm and says what the machine must do. */
enum acpi_pm_action acpi_pm_out(struct acpi_pm *pm, uint16_t port, unsigned size, uint32_t val);

/* PM timer ticks after tsc ticks of a tsc_hz clock (no overflow for any tsc). */
uint64_t acpi_pm_timer_ticks(uint64_t tsc, uint64_t tsc_hz);

#endif
