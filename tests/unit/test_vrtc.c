/* Unit tests for kernel/vrtc.c: the CMOS real-time clock. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vrtc.h"

#define HZ 1000000ULL /* guest TSC ticks per second */
/* 2024-02-29 23:59:58 UTC, a Thursday */
#define LEAP_EVE 1709251198ULL

static struct vrtc rtc;

static void setup(void *arg)
{
	(void)arg;
	vrtc_init(&rtc, HZ, LEAP_EVE, 0);
}

static uint8_t cmos(uint8_t reg, uint64_t now)
{
	vrtc_write(&rtc, 0x70, reg, now);
	return vrtc_read(&rtc, 0x71, now);
}

static void cmos_set(uint8_t reg, uint8_t val, uint64_t now)
{
	vrtc_write(&rtc, 0x70, reg, now);
	vrtc_write(&rtc, 0x71, val, now);
}

TEST calendar_conversion_round_trips_known_dates(void)
{
	struct vrtc_tm tm;

	vrtc_tm_from_seconds(0, &tm);
	ASSERT_EQ(1970, tm.year);
	ASSERT_EQ(1, tm.month);
	ASSERT_EQ(1, tm.day);
	ASSERT_EQ(4, tm.wday); /* Thursday */
	vrtc_tm_from_seconds(951782400ULL, &tm); /* 2000-02-29 */
	ASSERT_EQ(2000, tm.year);
	ASSERT_EQ(2, tm.month);
	ASSERT_EQ(29, tm.day);
	ASSERT_EQ(951782400ULL, vrtc_seconds_from_tm(&tm));
	vrtc_tm_from_seconds(4102444799ULL, &tm); /* 2099-12-31 23:59:59 */
	ASSERT_EQ(2099, tm.year);
	ASSERT_EQ(12, tm.month);
	ASSERT_EQ(31, tm.day);
	ASSERT_EQ(23, tm.hour);
	ASSERT_EQ(59, tm.second);
	PASS();
}

TEST reset_reads_bcd_24_hour(void)
{
	ASSERT_EQ(0x58, cmos(0x00, 0));
	ASSERT_EQ(0x59, cmos(0x02, 0));
	ASSERT_EQ(0x23, cmos(0x04, 0));
	ASSERT_EQ(0x05, cmos(0x06, 0)); /* Thursday = 5 (1 = Sunday) */
	ASSERT_EQ(0x29, cmos(0x07, 0));
	ASSERT_EQ(0x02, cmos(0x08, 0));
	ASSERT_EQ(0x24, cmos(0x09, 0));
	ASSERT_EQ(0x20, cmos(0x32, 0));
	ASSERT_EQ(0x26, cmos(0x0a, 0));
	ASSERT_EQ(0x02, cmos(0x0b, 0));
	ASSERT_EQ(0x80, cmos(0x0d, 0));
	PASS();
}

TEST binary_mode_per_register_b(void)
{
	cmos_set(0x0b, 0x06, 0);
	ASSERT_EQ(58, cmos(0x00, 0));
	ASSERT_EQ(23, cmos(0x04, 0));
	ASSERT_EQ(24, cmos(0x09, 0));
	PASS();
}

TEST twelve_hour_mode_sets_pm_bit(void)
{
	cmos_set(0x0b, 0x00, 0); /* BCD, 12 hour */
	ASSERT_EQ(0x91, cmos(0x04, 0)); /* 11 PM */
	ASSERT_EQ(0x12, cmos(0x04, 2 * HZ)); /* midnight is 12 AM */
	PASS();
}

TEST date_rolls_over_the_leap_day_and_month(void)
{
	uint64_t now = 3 * HZ; /* 2024-03-01 00:00:01 */

	ASSERT_EQ(0x01, cmos(0x00, now));
	ASSERT_EQ(0x00, cmos(0x04, now));
	ASSERT_EQ(0x01, cmos(0x07, now));
	ASSERT_EQ(0x03, cmos(0x08, now));
	ASSERT_EQ(0x06, cmos(0x06, now)); /* Friday */
	PASS();
}

TEST set_bit_freezes_and_writes_set_the_clock(void)
{
	cmos_set(0x0b, 0x82, 0);
	ASSERT_EQ(0x58, cmos(0x00, 5 * HZ)); /* frozen */
	cmos_set(0x09, 0x99, 5 * HZ);
	cmos_set(0x08, 0x12, 5 * HZ);
	cmos_set(0x07, 0x31, 5 * HZ);
	cmos_set(0x04, 0x23, 5 * HZ);
	cmos_set(0x02, 0x59, 5 * HZ);
	cmos_set(0x00, 0x59, 5 * HZ);
	cmos_set(0x0b, 0x02, 5 * HZ); /* runs from here */
	ASSERT_EQ(0x59, cmos(0x00, 5 * HZ + HZ / 2));
	ASSERT_EQ(0x00, cmos(0x00, 6 * HZ));
	ASSERT_EQ(0x00, cmos(0x09, 6 * HZ)); /* 1999 -> 2000 */
	ASSERT_EQ(0x01, cmos(0x08, 6 * HZ));
	ASSERT_EQ(946684800ULL, vrtc_seconds(&rtc, 6 * HZ));
	PASS();
}

TEST a_write_with_set_clear_changes_one_field(void)
{
	cmos_set(0x02, 0x10, HZ / 2); /* minutes */
	ASSERT_EQ(0x10, cmos(0x02, HZ / 2));
	ASSERT_EQ(0x58, cmos(0x00, HZ / 2));
	ASSERT_EQ(0x59, cmos(0x00, HZ)); /* the second still turns on time */
	PASS();
}

TEST uip_only_just_before_the_update(void)
{
	ASSERT_EQ(0, cmos(0x0a, HZ - 245) & 0x80);
	ASSERT_EQ(0x80, cmos(0x0a, HZ - 244) & 0x80);
	ASSERT_EQ(0, cmos(0x0a, HZ) & 0x80);
	PASS();
}

TEST cmos_ram_is_storage_and_c_d_are_read_only(void)
{
	cmos_set(0x40, 0xa5, 0);
	ASSERT_EQ(0xa5, cmos(0x40, 0));
	cmos_set(0x7f, 0x5a, 0);
	ASSERT_EQ(0x5a, cmos(0x7f, 0));
	cmos_set(0x0d, 0x00, 0);
	ASSERT_EQ(0x80, cmos(0x0d, 0));
	cmos_set(0x0c, 0xff, 0);
	ASSERT_EQ(0x00, cmos(0x0c, 0));
	PASS();
}

TEST index_bit_7_is_the_nmi_mask(void)
{
	vrtc_write(&rtc, 0x70, 0x8f, 0);
	ASSERT(rtc.nmi_masked);
	ASSERT_EQ(0x0f, rtc.index);
	vrtc_write(&rtc, 0x70, 0x0f, 0);
	ASSERT_FALSE(rtc.nmi_masked);
	PASS();
}

TEST save_and_load_keep_time_relative_to_the_tsc(void)
{
	struct gs_vrtc s, s2;
	struct vrtc q;

	cmos_set(0x50, 0x77, 0);
	vrtc_save(&rtc, HZ + HZ / 4, &s);
	ASSERT_EQ(LEAP_EVE + 1, s.seconds);
	ASSERT_EQ(HZ / 4, s.sub_ticks);
	vrtc_init(&q, HZ, 0, 0);
	vrtc_load(&q, &s, 9 * HZ);
	ASSERT_EQ(LEAP_EVE + 1, vrtc_seconds(&q, 9 * HZ));
	ASSERT_EQ(LEAP_EVE + 2, vrtc_seconds(&q, 9 * HZ + 3 * HZ / 4));
	vrtc_save(&q, 9 * HZ, &s2);
	ASSERT_EQ(s.index, s2.index);
	ASSERT_MEM_EQ(&s, &s2, sizeof(s));
	PASS();
}

SUITE(vrtc)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(calendar_conversion_round_trips_known_dates);
		RUN_TEST(reset_reads_bcd_24_hour);
		RUN_TEST(binary_mode_per_register_b);
		RUN_TEST(twelve_hour_mode_sets_pm_bit);
		RUN_TEST(date_rolls_over_the_leap_day_and_month);
		RUN_TEST(set_bit_freezes_and_writes_set_the_clock);
		RUN_TEST(a_write_with_set_clear_changes_one_field);
		RUN_TEST(uip_only_just_before_the_update);
		RUN_TEST(cmos_ram_is_storage_and_c_d_are_read_only);
		RUN_TEST(index_bit_7_is_the_nmi_mask);
		RUN_TEST(save_and_load_keep_time_relative_to_the_tsc);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vrtc);
	});
	GREATEST_MAIN_END();
}
