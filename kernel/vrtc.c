/*
 * The CMOS real-time clock. Pure: see vrtc.h.
 *
 * While register B's SET bit is clear the clock runs and the time
 * registers are computed from it on every read. Setting SET freezes the
 * current time into the registers (as the MC146818A stops updating
 * them); the guest then writes them, and clearing SET starts the clock
 * from what they hold. A write to a time register with SET clear does
 * the same for that one register. UIP reads 1 in the last 244 us of
 * every second, before the update the data sheet describes, so a reader
 * that waits for UIP to clear and re-reads the seconds sees a stable time.
 */
#include <string.h>

#include "kernel/vrtc.h"

#define SECONDS_PER_DAY 86400ULL
#define UIP_US 244 /* UIP leads the update by 244 us (register A, "UIP") */
#define REG_A_RESET 0x26 /* 32.768 kHz time base (DV = 010), 1024 Hz rate */
#define REG_A_WRITABLE 0x7f
#define EPOCH_SHIFT 719468ULL /* days from 0000-03-01 to 1970-01-01 */
#define MAX_SECONDS 253402300799ULL /* 9999-12-31 23:59:59 */

static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	uint64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - EPOCH_SHIFT;
}

void vrtc_tm_from_seconds(uint64_t sec, struct vrtc_tm *tm)
{
	uint64_t days = sec / SECONDS_PER_DAY, rem = sec % SECONDS_PER_DAY;
	uint64_t z = days + EPOCH_SHIFT, era, doe, yoe, doy, mp;

	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	tm->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (unsigned)(yoe + era * 400 + (tm->month <= 2));
	tm->hour = (unsigned)(rem / 3600);
	tm->minute = (unsigned)(rem / 60 % 60);
	tm->second = (unsigned)(rem % 60);
	tm->wday = (unsigned)((days + 4) % 7); /* 1970-01-01 was a Thursday */
}

uint64_t vrtc_seconds_from_tm(const struct vrtc_tm *tm)
{
	return days_from_civil(tm->year, tm->month, tm->day) * SECONDS_PER_DAY +
	       tm->hour * 3600ULL + tm->minute * 60ULL + tm->second;
}

static uint64_t since_base(const struct vrtc *r, uint64_t now)
{
	uint64_t d = now - r->base_tsc;

	return (int64_t)d < 0 ? 0 : d; /* the guest moved its TSC back: hold */
}

uint64_t vrtc_seconds(const struct vrtc *r, uint64_t now)
{
	uint64_t s;

	if (__builtin_add_overflow(r->base_sec, since_base(r, now) / r->tsc_hz, &s))
		return MAX_SECONDS;
	return MIN(s, MAX_SECONDS);
}

static bool is_binary(const struct vrtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_DM_BINARY;
}

static uint8_t encode(const struct vrtc *r, unsigned v)
{
	return is_binary(r) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned decode(const struct vrtc *r, uint8_t v)
{
	return is_binary(r) ? v : (v >> 4) * 10u + (v & 0xf);
}

/* Hours in 24 or 12 hour form (12 hour: 1-12, bit 7 = PM, table 3). */
static uint8_t encode_hour(const struct vrtc *r, unsigned h)
{
	unsigned h12;

	if (r->cmos[RTC_REG_B] & RTC_24H)
		return encode(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(encode(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned decode_hour(const struct vrtc *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & RTC_24H)
		return decode(r, v) % 24;
	return decode(r, v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

/* The value of time register reg (0, 2, 4, 6-9) for the clock at sec. */
static uint8_t time_register(const struct vrtc *r, unsigned reg, uint64_t sec)
{
	struct vrtc_tm tm;

	vrtc_tm_from_seconds(sec, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return encode(r, tm.second);
	case RTC_MINUTES:
		return encode(r, tm.minute);
	case RTC_HOURS:
		return encode_hour(r, tm.hour);
	case RTC_DAY_OF_WEEK:
		return encode(r, tm.wday + 1); /* 1 = Sunday */
	case RTC_DAY_OF_MONTH:
		return encode(r, tm.day);
	case RTC_MONTH:
		return encode(r, tm.month);
	default:
		return encode(r, tm.year % 100);
	}
}

static bool is_time_register(unsigned reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS ||
	       (reg >= RTC_DAY_OF_WEEK && reg <= RTC_YEAR);
}

/* Copy the running clock into the time registers. */
static void freeze(struct vrtc *r, uint64_t now)
{
	uint64_t sec = vrtc_seconds(r, now);
	unsigned reg;

	for (reg = RTC_SECONDS; reg <= RTC_YEAR; reg++)
		if (is_time_register(reg))
			r->cmos[reg] = time_register(r, reg, sec);
	r->cmos[RTC_CENTURY] = (uint8_t)(((sec >= 946684800ULL) ? 0x20 : 0x19));
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Run the clock from the time registers, sub_ticks into its second at now. */
static void thaw(struct vrtc *r, uint64_t now, uint64_t sub_ticks)
{
	struct vrtc_tm tm;
	unsigned yy = decode(r, r->cmos[RTC_YEAR]) % 100;

	/* no century register is trusted: 70-99 are 19xx, 00-69 are 20xx */
	tm.year = (yy < 70 ? 2000 : 1900) + yy;
	tm.month = clamp(decode(r, r->cmos[RTC_MONTH]), 1, 12);
	tm.day = clamp(decode(r, r->cmos[RTC_DAY_OF_MONTH]), 1, 31);
	tm.hour = decode_hour(r, r->cmos[RTC_HOURS]);
	tm.minute = clamp(decode(r, r->cmos[RTC_MINUTES]), 0, 59);
	tm.second = clamp(decode(r, r->cmos[RTC_SECONDS]), 0, 59);
	r->base_sec = vrtc_seconds_from_tm(&tm);
	r->base_tsc = now - sub_ticks;
}

void vrtc_init(struct vrtc *r, uint64_t tsc_hz, uint64_t unix_sec, uint64_t now)
{
	memset(r, 0, sizeof(*r));
	r->tsc_hz = tsc_hz ? tsc_hz : 1;
	r->base_sec = MIN(unix_sec, MAX_SECONDS);
	r->base_tsc = now;
	r->cmos[RTC_REG_A] = REG_A_RESET;
	r->cmos[RTC_REG_B] = RTC_24H;
	r->cmos[RTC_REG_D] = RTC_VRT;
	freeze(r, now); /* fills the century byte; the registers are live while SET is clear */
}

static bool update_in_progress(const struct vrtc *r, uint64_t now)
{
	uint64_t sub = since_base(r, now) % r->tsc_hz;

	if (r->cmos[RTC_REG_B] & RTC_SET)
		return false;
	return sub >= r->tsc_hz - r->tsc_hz * UIP_US / 1000000;
}

static uint8_t read_data(struct vrtc *r, uint64_t now)
{
	unsigned reg = r->index;

	if (is_time_register(reg) && !(r->cmos[RTC_REG_B] & RTC_SET))
		return time_register(r, reg, vrtc_seconds(r, now));
	switch (reg) {
	case RTC_REG_A:
		return (r->cmos[RTC_REG_A] & REG_A_WRITABLE) | (update_in_progress(r, now) ? RTC_UIP : 0);
	case RTC_REG_C:
		return 0; /* no interrupt flags: IRQ8 sources are not modelled */
	case RTC_REG_D:
		return RTC_VRT; /* the battery is good */
	default:
		return r->cmos[reg];
	}
}

static void write_reg_b(struct vrtc *r, uint8_t val, uint64_t now)
{
	bool was_set = r->cmos[RTC_REG_B] & RTC_SET;

	if (!was_set && (val & RTC_SET)) {
		r->cmos[RTC_REG_B] = val;
		freeze(r, now);
	} else if (was_set && !(val & RTC_SET)) {
		r->cmos[RTC_REG_B] = val;
		thaw(r, now, 0); /* the update chain restarts with a fresh second */
	}
	r->cmos[RTC_REG_B] = val;
}

static void write_data(struct vrtc *r, uint8_t val, uint64_t now)
{
	unsigned reg = r->index;
	uint64_t sub;

	if (is_time_register(reg) && !(r->cmos[RTC_REG_B] & RTC_SET)) {
		sub = since_base(r, now) % r->tsc_hz;
		freeze(r, now);
		r->cmos[reg] = val;
		thaw(r, now, sub);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = val & REG_A_WRITABLE;
		break;
	case RTC_REG_B:
		write_reg_b(r, val, now);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read-only */
	default:
		r->cmos[reg] = val;
		break;
	}
}

uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t now)
{
	if (port == VRTC_PORT_DATA)
		return read_data(r, now);
	return 0xff; /* the index register is write-only */
}

void vrtc_write(struct vrtc *r, uint16_t port, uint8_t val, uint64_t now)
{
	if (port == VRTC_PORT_INDEX) {
		r->index = val & 0x7f;
		r->nmi_masked = val & VRTC_NMI_DISABLE;
	} else if (port == VRTC_PORT_DATA) {
		write_data(r, val, now);
	}
}

void vrtc_save(const struct vrtc *r, uint64_t now, struct gs_vrtc *s)
{
	uint64_t since = since_base(r, now);

	memset(s, 0, sizeof(*s));
	memcpy(s->cmos, r->cmos, sizeof(s->cmos));
	s->index = r->index;
	s->nmi_masked = r->nmi_masked;
	s->seconds = vrtc_seconds(r, now);
	s->sub_ticks = since % r->tsc_hz;
}

void vrtc_load(struct vrtc *r, const struct gs_vrtc *s, uint64_t now)
{
	memcpy(r->cmos, s->cmos, sizeof(r->cmos));
	r->index = s->index & 0x7f;
	r->nmi_masked = s->nmi_masked;
	r->base_sec = MIN(s->seconds, MAX_SECONDS);
	/* a fraction of a second from a faster host is cut to this one's second */
	r->base_tsc = now - MIN(s->sub_ticks, r->tsc_hz - 1);
}
