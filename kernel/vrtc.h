/*
 * The guest's CMOS real-time clock (an MC146818A behind index port 0x70
 * and data port 0x71; bit 7 of the index is the NMI mask). A pure device
 * model: the clock is a count of seconds since 1970-01-01 00:00:00 that
 * advances with the guest TSC the caller passes in; the time and date
 * registers are derived from it on each read, in BCD or binary and 24 or
 * 12 hour form as register B says. Bytes 0x0E-0x7F are plain CMOS RAM.
 *
 * Motorola MC146818A data sheet: address map (figure 2), time, calendar
 * and alarm data modes (table 3), registers A-D, the update cycle and
 * UIP ("Update Cycle", "UIP"). Periodic, alarm and update-ended
 * interrupts (IRQ8) are not modelled: register C always reads 0.
 */
#ifndef KERNEL_VRTC_H
#define KERNEL_VRTC_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VRTC_PORT_INDEX 0x70
#define VRTC_PORT_DATA 0x71
#define VRTC_IRQ 8
#define VRTC_NMI_DISABLE 0x80 /* index port bit 7 */

/* Register addresses (figure 2). */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32 /* the PC/AT's century byte in CMOS RAM (BCD) */
/* Register A. */
#define RTC_UIP 0x80
/* Register B. */
#define RTC_SET 0x80
#define RTC_DM_BINARY 0x04
#define RTC_24H 0x02
/* Register D. */
#define RTC_VRT 0x80

/* A calendar date and time, as the registers hold it (binary). */
struct vrtc_tm {
	unsigned year, month, day, hour, minute, second, wday; /* month 1-12, wday 0 = Sunday */
};

struct vrtc {
	uint8_t cmos[128];
	uint8_t index;
	bool nmi_masked;
	uint64_t base_sec; /* the clock read base_sec at guest TSC base_tsc */
	uint64_t base_tsc;
	uint64_t tsc_hz;   /* host wiring, not guest state */
};

/* Reset state (24 hour BCD, divider running), the clock at unix_sec at guest TSC now. */
void vrtc_init(struct vrtc *r, uint64_t tsc_hz, uint64_t unix_sec, uint64_t now);

/* Byte reads and writes of ports 0x70 and 0x71 at now. */
uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t now);
void vrtc_write(struct vrtc *r, uint16_t port, uint8_t val, uint64_t now);

/* The clock at now, seconds since the epoch. */
uint64_t vrtc_seconds(const struct vrtc *r, uint64_t now);

/* Calendar conversions, proleptic Gregorian (year 1970-9999). */
void vrtc_tm_from_seconds(uint64_t sec, struct vrtc_tm *tm);
uint64_t vrtc_seconds_from_tm(const struct vrtc_tm *tm);

/* Save into s at now, load at a possibly other now. */
void vrtc_save(const struct vrtc *r, uint64_t now, struct gs_vrtc *s);
void vrtc_load(struct vrtc *r, const struct gs_vrtc *s, uint64_t now);

#endif
