/* Unit tests for kernel/vpit.c: the 8254 PIT and port 0x61. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vpit.h"

/* 1000 guest TSC ticks per PIT clock: times below are exact. */
#define HZ (VPIT_HZ * 1000)
#define T(pit_ticks) ((uint64_t)(pit_ticks) * 1000)
#define BASE 5000000ULL /* guest TSC when the tests start */

static struct vpit pit;

static void setup(void *arg)
{
	(void)arg;
	vpit_init(&pit, HZ);
}

/* Control word then count, LSB then MSB, at now. */
static void program(unsigned ch, unsigned mode, uint32_t count, uint64_t now)
{
	vpit_write(&pit, 0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1), now);
	vpit_write(&pit, (uint16_t)(0x40 + ch), (uint8_t)count, now);
	vpit_write(&pit, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8), now);
}

static uint16_t read16(unsigned ch, uint64_t now)
{
	uint8_t lo = vpit_read(&pit, (uint16_t)(0x40 + ch), now);

	return (uint16_t)(lo | vpit_read(&pit, (uint16_t)(0x40 + ch), now) << 8);
}

TEST nothing_is_due_after_reset(void)
{
	ASSERT_EQ(0, vpit_next_irq(&pit));
	ASSERT_EQ(0, vpit_update(&pit, BASE));
	PASS();
}

TEST mode2_fires_every_divisor_ticks(void)
{
	unsigned i;

	program(0, 2, 11932, BASE);
	ASSERT_EQ(BASE + T(11932), vpit_next_irq(&pit));
	ASSERT_EQ(0, vpit_update(&pit, BASE + T(11932) - 1));
	for (i = 1; i <= 5; i++) {
		ASSERT_EQ(1, vpit_update(&pit, BASE + T(11932) * i));
		ASSERT_EQ(BASE + T(11932) * (i + 1), vpit_next_irq(&pit));
	}
	PASS();
}

TEST mode2_period_at_a_3ghz_tsc_has_no_drift(void)
{
	uint64_t hz = 3000000000ULL, start = 1000, due = 0;
	unsigned n = 0;

	vpit_init(&pit, hz);
	program(0, 2, 11932, start);
	/* 100 periods: 100 * 11932 / 1193182 s */
	while (n < 100) {
		due = vpit_next_irq(&pit);
		n += vpit_update(&pit, due);
	}
	/* exactly ceil(100 * 11932 * hz / VPIT_HZ) after the start */
	ASSERT_EQ(start + (100ULL * 11932 * hz + VPIT_HZ - 1) / VPIT_HZ, due);
	PASS();
}

TEST missed_periods_fold_into_one_edge(void)
{
	program(0, 2, 100, BASE);
	ASSERT_EQ(1, vpit_update(&pit, BASE + T(1050)));
	ASSERT_EQ(BASE + T(1100), vpit_next_irq(&pit));
	ASSERT_EQ(9, pit.irqs_missed);
	PASS();
}

TEST mode0_is_one_shot(void)
{
	program(0, 0, 500, BASE);
	ASSERT_FALSE(vpit_out(&pit, 0, BASE + T(499)));
	ASSERT_EQ(1, vpit_update(&pit, BASE + T(500)));
	ASSERT(vpit_out(&pit, 0, BASE + T(500)));
	ASSERT_EQ(0, vpit_next_irq(&pit));
	ASSERT_EQ(0, vpit_update(&pit, BASE + T(5000000)));
	PASS();
}

TEST mode3_square_wave_half_high(void)
{
	program(0, 3, 1000, BASE);
	ASSERT(vpit_out(&pit, 0, BASE + T(499)));
	ASSERT_FALSE(vpit_out(&pit, 0, BASE + T(500)));
	ASSERT(vpit_out(&pit, 0, BASE + T(1000)));
	ASSERT_EQ(BASE + T(1000), vpit_next_irq(&pit));
	ASSERT_EQ(1000 - 2 * 100, read16(0, BASE + T(100))); /* counts by two */
	PASS();
}

TEST mode4_strobe_edge_after_the_count(void)
{
	program(0, 4, 10, BASE);
	ASSERT_FALSE(vpit_out(&pit, 0, BASE + T(10)));
	ASSERT_EQ(BASE + T(11), vpit_next_irq(&pit));
	PASS();
}

TEST counter_counts_down_lsb_then_msb(void)
{
	program(2, 0, 0x1234, BASE);
	ASSERT_EQ(0x1234 - 0x34, read16(2, BASE + T(0x34)));
	PASS();
}

TEST count_zero_means_65536(void)
{
	program(0, 2, 0, BASE);
	ASSERT_EQ(BASE + T(65536), vpit_next_irq(&pit));
	PASS();
}

TEST latch_freezes_the_count_until_read(void)
{
	program(2, 0, 1000, BASE);
	vpit_write(&pit, 0x43, 0x80, BASE + T(100)); /* latch channel 2 */
	vpit_write(&pit, 0x43, 0x80, BASE + T(200)); /* ignored: first one unread */
	ASSERT_EQ(900, read16(2, BASE + T(300)));
	ASSERT_EQ(650, read16(2, BASE + T(350))); /* live again */
	PASS();
}

TEST read_back_latches_status_and_count(void)
{
	program(2, 0, 1000, BASE);
	/* read-back: count and status of channel 2 */
	vpit_write(&pit, 0x43, 0xc8, BASE + T(400));
	/* status: OUT low, not null, LSB then MSB, mode 0, binary */
	ASSERT_EQ(0x30, vpit_read(&pit, 0x42, BASE + T(900)));
	ASSERT_EQ(600, read16(2, BASE + T(900)));
	vpit_write(&pit, 0x43, 0xe8, BASE + T(1000)); /* status only */
	ASSERT_EQ(0xb0, vpit_read(&pit, 0x42, BASE + T(1000)));
	PASS();
}

TEST null_count_until_the_count_is_written(void)
{
	vpit_write(&pit, 0x43, 0xb0, BASE);
	vpit_write(&pit, 0x43, 0xe8, BASE);
	ASSERT_EQ(0x70, vpit_read(&pit, 0x42, BASE));
	PASS();
}

TEST lobyte_and_hibyte_access_modes(void)
{
	vpit_write(&pit, 0x43, 0x90, BASE); /* channel 2, LSB only, mode 0 */
	vpit_write(&pit, 0x42, 200, BASE);
	ASSERT_EQ(150, vpit_read(&pit, 0x42, BASE + T(50)));
	vpit_write(&pit, 0x43, 0xa0, BASE); /* MSB only */
	vpit_write(&pit, 0x42, 2, BASE);
	ASSERT_EQ(1, vpit_read(&pit, 0x42, BASE + T(256)));
	PASS();
}

TEST channel2_gate_and_out_through_port_61(void)
{
	ASSERT_EQ(0, vpit_read(&pit, 0x61, BASE) & 0x01);
	vpit_write(&pit, 0x61, 0x01, BASE); /* gate on, speaker off */
	ASSERT_EQ(0x01, vpit_read(&pit, 0x61, BASE) & 0x0f);
	program(2, 0, 59659, BASE);          /* pit_calibrate_tsc's 50 ms */
	ASSERT_EQ(0, vpit_read(&pit, 0x61, BASE + T(59658)) & 0x20);
	ASSERT_EQ(0x20, vpit_read(&pit, 0x61, BASE + T(59659)) & 0x20);
	PASS();
}

TEST gate_rising_edge_restarts_mode2(void)
{
	program(2, 2, 100, BASE);
	ASSERT_EQ(60, read16(2, BASE + T(40)));
	vpit_write(&pit, 0x61, 0x01, BASE + T(40)); /* gate 0 -> 1 */
	ASSERT_EQ(90, read16(2, BASE + T(50)));
	PASS();
}

TEST refresh_bit_toggles(void)
{
	uint8_t a = vpit_read(&pit, 0x61, 0) & 0x10;

	ASSERT(a != (vpit_read(&pit, 0x61, T(18)) & 0x10));
	PASS();
}

TEST save_and_load_keep_the_schedule(void)
{
	struct gs_vpit s, s2;
	struct vpit q;
	uint64_t later = 77777777ULL;

	program(0, 2, 1000, BASE);
	program(2, 0, 5000, BASE);
	vpit_write(&pit, 0x61, 0x03, BASE);
	vpit_save(&pit, BASE + T(300), &s);
	vpit_init(&q, HZ);
	vpit_load(&q, &s, later);
	ASSERT_EQ(later + T(700), vpit_next_irq(&q));
	ASSERT_EQ(4700, vpit_count(&q, 2, later));
	ASSERT_EQ(0x03, vpit_read(&q, 0x61, later) & 0x0f);
	vpit_save(&q, later, &s2);
	ASSERT_MEM_EQ(&s, &s2, sizeof(s));
	PASS();
}

SUITE(vpit)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(nothing_is_due_after_reset);
		RUN_TEST(mode2_fires_every_divisor_ticks);
		RUN_TEST(mode2_period_at_a_3ghz_tsc_has_no_drift);
		RUN_TEST(missed_periods_fold_into_one_edge);
		RUN_TEST(mode0_is_one_shot);
		RUN_TEST(mode3_square_wave_half_high);
		RUN_TEST(mode4_strobe_edge_after_the_count);
		RUN_TEST(counter_counts_down_lsb_then_msb);
		RUN_TEST(count_zero_means_65536);
		RUN_TEST(latch_freezes_the_count_until_read);
		RUN_TEST(read_back_latches_status_and_count);
		RUN_TEST(null_count_until_the_count_is_written);
		RUN_TEST(lobyte_and_hibyte_access_modes);
		RUN_TEST(channel2_gate_and_out_through_port_61);
		RUN_TEST(gate_rising_edge_restarts_mode2);
		RUN_TEST(refresh_bit_toggles);
		RUN_TEST(save_and_load_keep_the_schedule);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vpit);
	});
	GREATEST_MAIN_END();
}
