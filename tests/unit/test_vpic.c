/* Unit tests for kernel/vpic.c: the 8259A pair. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vpic.h"

static struct vpic pic;


/* The sequence Linux's init_8259A writes: ICW1-4, cascade on IR2. */
static void program(uint8_t icw4, uint8_t base1, uint8_t base2)
{
	vpic_write(&pic, 0x20, 0x11);
	vpic_write(&pic, 0x21, base1);
	vpic_write(&pic, 0x21, 0x04);
	vpic_write(&pic, 0x21, icw4);
	vpic_write(&pic, 0xa0, 0x11);
	vpic_write(&pic, 0xa1, base2);
	vpic_write(&pic, 0xa1, 0x02);
	vpic_write(&pic, 0xa1, icw4);
}

static void pulse(unsigned irq)
{
	vpic_set_irq(&pic, irq, 1);
	vpic_set_irq(&pic, irq, 0);
}

static void setup(void *arg)
{
	(void)arg;
	vpic_init(&pic);
	program(0x01, 0x20, 0x28);
	vpic_write(&pic, 0x21, 0x00);
	vpic_write(&pic, 0xa1, 0x00);
}

static uint8_t read_isr(unsigned chip)
{
	vpic_write(&pic, chip ? 0xa0 : 0x20, 0x0b);
	return vpic_read(&pic, chip ? 0xa0 : 0x20);
}

static uint8_t read_irr(unsigned chip)
{
	vpic_write(&pic, chip ? 0xa0 : 0x20, 0x0a);
	return vpic_read(&pic, chip ? 0xa0 : 0x20);
}

TEST reset_state_delivers_nothing(void)
{
	vpic_init(&pic);
	pulse(0);
	vpic_set_irq(&pic, 1, 1);
	ASSERT_EQ(-1, vpic_pending_vector(&pic));
	ASSERT_EQ(0xff, vpic_read(&pic, 0x21));
	PASS();
}

TEST icw2_sets_the_vector_base(void)
{
	pulse(0);
	ASSERT_EQ(0x20, vpic_pending_vector(&pic));
	ASSERT_EQ(0x20, vpic_ack(&pic));
	vpic_init(&pic);
	program(0x01, 0x30, 0x38);
	vpic_write(&pic, 0x21, 0);
	vpic_write(&pic, 0xa1, 0);
	pulse(3);
	ASSERT_EQ(0x33, vpic_ack(&pic));
	pulse(9);
	ASSERT_EQ(0x39, vpic_ack(&pic));
	PASS();
}

TEST masked_irq_is_not_delivered_until_unmasked(void)
{
	vpic_write(&pic, 0x21, 0x01);
	pulse(0);
	ASSERT_EQ(-1, vpic_pending_vector(&pic));
	ASSERT_EQ(0x01, read_irr(0)); /* requested, held by the mask */
	vpic_write(&pic, 0x21, 0x00);
	ASSERT_EQ(0x20, vpic_pending_vector(&pic));
	PASS();
}

TEST ack_moves_irr_to_isr_and_eoi_clears_isr(void)
{
	pulse(1);
	ASSERT_EQ(0x21, vpic_ack(&pic));
	ASSERT_EQ(0x00, read_irr(0));
	ASSERT_EQ(0x02, read_isr(0));
	vpic_write(&pic, 0x20, 0x20); /* non-specific EOI */
	ASSERT_EQ(0x00, read_isr(0));
	PASS();
}

TEST lower_priority_waits_for_eoi_higher_preempts(void)
{
	pulse(3);
	ASSERT_EQ(0x23, vpic_ack(&pic));
	pulse(5);
	ASSERT_EQ(-1, vpic_pending_vector(&pic)); /* IR5 waits behind IR3 */
	pulse(1);
	ASSERT_EQ(0x21, vpic_ack(&pic));          /* IR1 beats IR3 in service */
	vpic_write(&pic, 0x20, 0x20);             /* ends IR1, the highest in service */
	ASSERT_EQ(0x08, read_isr(0));
	ASSERT_EQ(-1, vpic_pending_vector(&pic));
	vpic_write(&pic, 0x20, 0x63);             /* specific EOI for IR3 */
	ASSERT_EQ(0x25, vpic_pending_vector(&pic));
	PASS();
}

TEST simultaneous_requests_go_by_priority(void)
{
	pulse(6);
	pulse(4);
	pulse(0);
	ASSERT_EQ(0x20, vpic_ack(&pic));
	vpic_write(&pic, 0x20, 0x20);
	ASSERT_EQ(0x24, vpic_ack(&pic));
	vpic_write(&pic, 0x20, 0x20);
	ASSERT_EQ(0x26, vpic_ack(&pic));
	PASS();
}

TEST edge_needs_a_new_rising_edge(void)
{
	vpic_set_irq(&pic, 1, 1);
	ASSERT_EQ(0x21, vpic_ack(&pic));
	vpic_write(&pic, 0x20, 0x20);
	vpic_set_irq(&pic, 1, 1); /* still high: no new edge */
	ASSERT_EQ(-1, vpic_pending_vector(&pic));
	vpic_set_irq(&pic, 1, 0);
	vpic_set_irq(&pic, 1, 1);
	ASSERT_EQ(0x21, vpic_pending_vector(&pic));
	PASS();
}

TEST level_requests_while_high_and_elcr_edge_only_bits(void)
{
	vpic_write(&pic, 0x4d0, 0xff);
	ASSERT_EQ(0xf8, vpic_read(&pic, 0x4d0)); /* IRQ0-2 stay edge */
	vpic_write(&pic, 0x4d1, 0xff);
	ASSERT_EQ(0xde, vpic_read(&pic, 0x4d1)); /* IRQ8 and 13 stay edge */
	vpic_set_irq(&pic, 5, 1);
	ASSERT_EQ(0x25, vpic_ack(&pic));
	vpic_write(&pic, 0x20, 0x20);
	ASSERT_EQ(0x25, vpic_pending_vector(&pic)); /* still high: requested again */
	vpic_set_irq(&pic, 5, 0);
	ASSERT_EQ(-1, vpic_pending_vector(&pic));   /* dropped before INTA: gone */
	PASS();
}

TEST slave_cascades_through_ir2(void)
{
	pulse(12);
	ASSERT_EQ(0x04, read_irr(0));
	ASSERT_EQ(0x2c, vpic_ack(&pic));
	ASSERT_EQ(0x04, read_isr(0));
	ASSERT_EQ(0x10, read_isr(1));
	vpic_write(&pic, 0xa0, 0x20);
	vpic_write(&pic, 0x20, 0x20);
	ASSERT_EQ(0, read_isr(0) | read_isr(1));
	PASS();
}

TEST slave_request_behind_one_in_service_arrives_after_its_eoi(void)
{
	pulse(9);
	ASSERT_EQ(0x29, vpic_ack(&pic));
	pulse(11);
	ASSERT_EQ(-1, vpic_pending_vector(&pic));
	vpic_write(&pic, 0xa0, 0x20);
	vpic_write(&pic, 0x20, 0x20);
	ASSERT_EQ(0x2b, vpic_ack(&pic));
	PASS();
}

TEST request_gone_before_inta_is_spurious_irq7_or_15(void)
{
	vpic_write(&pic, 0x4d0, 0x20);
	vpic_set_irq(&pic, 5, 1);
	ASSERT_EQ(0x25, vpic_pending_vector(&pic));
	vpic_set_irq(&pic, 5, 0);
	ASSERT_EQ(0x27, vpic_ack(&pic));
	ASSERT_EQ(0x00, read_isr(0)); /* a spurious IR7 is not put in service */
	ASSERT_EQ(1, pic.spurious);
	PASS();
}

TEST auto_eoi_leaves_nothing_in_service(void)
{
	vpic_init(&pic);
	program(0x03, 0x20, 0x28);
	vpic_write(&pic, 0x21, 0);
	pulse(4);
	ASSERT_EQ(0x24, vpic_ack(&pic));
	ASSERT_EQ(0x00, read_isr(0));
	pulse(6);
	ASSERT_EQ(0x26, vpic_pending_vector(&pic)); /* nothing holds it off */
	PASS();
}

TEST rotate_on_eoi_makes_the_served_ir_lowest(void)
{
	pulse(1);
	ASSERT_EQ(0x21, vpic_ack(&pic));
	vpic_write(&pic, 0x20, 0xa0); /* rotate on non-specific EOI */
	pulse(1);
	pulse(3);
	ASSERT_EQ(0x23, vpic_ack(&pic)); /* IR2 highest now, IR1 lowest */
	vpic_write(&pic, 0x20, 0xc4);    /* set priority: IR4 lowest, IR5 highest */
	vpic_write(&pic, 0x20, 0x63);
	pulse(5);
	ASSERT_EQ(0x25, vpic_ack(&pic));
	PASS();
}

TEST poll_command_acknowledges_the_best_request(void)
{
	pulse(6);
	vpic_write(&pic, 0x20, 0x0c);
	ASSERT_EQ(0x86, vpic_read(&pic, 0x20));
	ASSERT_EQ(0x40, read_isr(0));
	vpic_write(&pic, 0x20, 0x0c);
	ASSERT_EQ(0x00, vpic_read(&pic, 0x20));
	PASS();
}

TEST icw1_resets_masks_and_service(void)
{
	pulse(3);
	vpic_ack(&pic);
	vpic_write(&pic, 0x21, 0x55);
	vpic_write(&pic, 0x20, 0x11);
	ASSERT_EQ(0x00, vpic_read(&pic, 0x21));
	ASSERT_EQ(0x00, read_isr(0));
	ASSERT_EQ(-1, vpic_pending_vector(&pic)); /* mid-sequence: nothing */
	PASS();
}

TEST save_and_load_round_trip(void)
{
	struct gs_vpic s, s2;
	struct vpic q;

	pulse(9);
	vpic_ack(&pic);
	pulse(4);
	vpic_write(&pic, 0x4d1, 0x08);
	vpic_save(&pic, &s);
	vpic_init(&q);
	vpic_load(&q, &s);
	vpic_save(&q, &s2);
	ASSERT_MEM_EQ(&s, &s2, sizeof(s));
	ASSERT_EQ(-1, vpic_pending_vector(&q)); /* IR4 waits behind the cascade */
	vpic_write(&q, 0xa0, 0x20);
	vpic_write(&q, 0x20, 0x20);
	ASSERT_EQ(0x24, vpic_ack(&q));
	PASS();
}

SUITE(vpic)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(reset_state_delivers_nothing);
		RUN_TEST(icw2_sets_the_vector_base);
		RUN_TEST(masked_irq_is_not_delivered_until_unmasked);
		RUN_TEST(ack_moves_irr_to_isr_and_eoi_clears_isr);
		RUN_TEST(lower_priority_waits_for_eoi_higher_preempts);
		RUN_TEST(simultaneous_requests_go_by_priority);
		RUN_TEST(edge_needs_a_new_rising_edge);
		RUN_TEST(level_requests_while_high_and_elcr_edge_only_bits);
		RUN_TEST(slave_cascades_through_ir2);
		RUN_TEST(slave_request_behind_one_in_service_arrives_after_its_eoi);
		RUN_TEST(request_gone_before_inta_is_spurious_irq7_or_15);
		RUN_TEST(auto_eoi_leaves_nothing_in_service);
		RUN_TEST(rotate_on_eoi_makes_the_served_ir_lowest);
		RUN_TEST(poll_command_acknowledges_the_best_request);
		RUN_TEST(icw1_resets_masks_and_service);
		RUN_TEST(save_and_load_round_trip);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vpic);
	});
	GREATEST_MAIN_END();
}
