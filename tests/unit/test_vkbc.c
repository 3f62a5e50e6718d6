/* Unit tests for kernel/vkbc.c and kernel/pcdev.c: the i8042, port 0x92,
 * and the board wiring (PIT channel 0 on IRQ0, reset requests). */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/pcdev.h"

#define HZ (VPIT_HZ * 1000)

static struct vkbc kbc;
static struct pcdev pc;

static void setup(void *arg)
{
	(void)arg;
	vkbc_init(&kbc);
	pcdev_init(&pc, HZ, 1700000000ULL, 0);
}

TEST command_fe_pulses_reset(void)
{
	vkbc_write(&kbc, 0x64, 0xfe);
	ASSERT(vkbc_take_reset(&kbc));
	ASSERT_FALSE(vkbc_take_reset(&kbc)); /* taken once */
	PASS();
}

TEST pulse_commands_without_bit0_low_do_not_reset(void)
{
	vkbc_write(&kbc, 0x64, 0xff);
	vkbc_write(&kbc, 0x64, 0xfd);
	ASSERT_FALSE(vkbc_take_reset(&kbc));
	vkbc_write(&kbc, 0x64, 0xf0);
	ASSERT(vkbc_take_reset(&kbc));
	PASS();
}

TEST output_port_write_with_bit0_clear_resets(void)
{
	vkbc_write(&kbc, 0x64, 0xd1);
	ASSERT_EQ(0x08, vkbc_read(&kbc, 0x64) & 0x08); /* a command waits for its data */
	vkbc_write(&kbc, 0x60, 0x03);
	ASSERT_FALSE(vkbc_take_reset(&kbc));
	vkbc_write(&kbc, 0x64, 0xd1);
	vkbc_write(&kbc, 0x60, 0x02);
	ASSERT(vkbc_take_reset(&kbc));
	PASS();
}

TEST port_92_bit0_rising_edge_resets(void)
{
	ASSERT_EQ(0x02, vkbc_read(&kbc, 0x92));
	vkbc_write(&kbc, 0x92, 0x02);
	ASSERT_FALSE(vkbc_take_reset(&kbc));
	vkbc_write(&kbc, 0x92, 0x03);
	ASSERT(vkbc_take_reset(&kbc));
	ASSERT_EQ(0x02, vkbc_read(&kbc, 0x92));
	PASS();
}

TEST self_test_and_command_byte(void)
{
	ASSERT_EQ(0, vkbc_read(&kbc, 0x64) & 0x01);
	vkbc_write(&kbc, 0x64, 0xaa);
	ASSERT_EQ(0x01, vkbc_read(&kbc, 0x64) & 0x01);
	ASSERT_EQ(0x55, vkbc_read(&kbc, 0x60));
	ASSERT_EQ(0, vkbc_read(&kbc, 0x64) & 0x01);
	vkbc_write(&kbc, 0x64, 0x60);
	vkbc_write(&kbc, 0x60, 0x65);
	vkbc_write(&kbc, 0x64, 0x20);
	ASSERT_EQ(0x65, vkbc_read(&kbc, 0x60));
	vkbc_write(&kbc, 0x60, 0xff); /* to the absent keyboard: no reply */
	ASSERT_EQ(0, vkbc_read(&kbc, 0x64) & 0x01);
	PASS();
}

TEST board_reports_the_reset_from_a_port_write(void)
{
	ASSERT_FALSE(pcdev_write(&pc, 0x64, 0xaa, 0));
	ASSERT(pcdev_write(&pc, 0x64, 0xfe, 0));
	ASSERT(pcdev_write(&pc, 0x92, 0x03, 0));
	PASS();
}

TEST board_pit_channel0_raises_irq0_at_its_time(void)
{
	/* PIC at 0x20, only IRQ0 open; PIT channel 0 mode 2, 1000 ticks */
	static const uint8_t init[][2] = { { 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 },
					   { 0x21, 0x01 }, { 0x21, 0xfe } };

	for (unsigned i = 0; i < 5; i++)
		pcdev_write(&pc, init[i][0], init[i][1], 0);
	pcdev_write(&pc, 0x43, 0x34, 0);
	pcdev_write(&pc, 0x40, 0xe8, 0);
	pcdev_write(&pc, 0x40, 0x03, 0);
	ASSERT_EQ(1000ULL * 1000, pcdev_next_event(&pc));
	pcdev_update(&pc, 999999);
	ASSERT_EQ(-1, vpic_pending_vector(&pc.pic));
	pcdev_update(&pc, 1000000);
	ASSERT_EQ(0x20, vpic_ack(&pc.pic));
	ASSERT_EQ(2000ULL * 1000, pcdev_next_event(&pc));
	PASS();
}

TEST board_dispatches_every_device_port(void)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41,
					  0x42, 0x43, 0x61, 0x60, 0x64, 0x92, 0x70, 0x71 };

	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		ASSERT(pcdev_is_port(ports[i]));
	ASSERT_FALSE(pcdev_is_port(0x80));
	ASSERT_FALSE(pcdev_is_port(0x3f8));
	ASSERT_FALSE(pcdev_is_port(0x44));
	PASS();
}

TEST save_and_load_round_trip(void)
{
	struct gs_vkbc s, s2;
	struct vkbc q;

	vkbc_write(&kbc, 0x64, 0x60);
	vkbc_write(&kbc, 0x64, 0xab);
	vkbc_save(&kbc, &s);
	vkbc_init(&q);
	vkbc_load(&q, &s);
	vkbc_save(&q, &s2);
	ASSERT_MEM_EQ(&s, &s2, sizeof(s));
	ASSERT_EQ(0x00, vkbc_read(&q, 0x60));
	PASS();
}

SUITE(vkbc)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(command_fe_pulses_reset);
		RUN_TEST(pulse_commands_without_bit0_low_do_not_reset);
		RUN_TEST(output_port_write_with_bit0_clear_resets);
		RUN_TEST(port_92_bit0_rising_edge_resets);
		RUN_TEST(self_test_and_command_byte);
		RUN_TEST(board_reports_the_reset_from_a_port_write);
		RUN_TEST(board_pit_channel0_raises_irq0_at_its_time);
		RUN_TEST(board_dispatches_every_device_port);
		RUN_TEST(save_and_load_round_trip);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vkbc);
	});
	GREATEST_MAIN_END();
}
