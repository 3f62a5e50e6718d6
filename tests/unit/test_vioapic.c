/* Unit tests for kernel/vioapic.c: the I/O APIC's registers and its edge and level delivery. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vioapic.h"

static struct vioapic io;
static struct vioapic_msg sent[16];
static unsigned nsent;

static void deliver(void *ctx, const struct vioapic_msg *m)
{
	(void)ctx;
	if (nsent < 16)
		sent[nsent] = *m;
	nsent++;
}

static void setup(void *arg)
{
	(void)arg;
	vioapic_init(&io, deliver, NULL);
	nsent = 0;
	memset(sent, 0, sizeof(sent));
}

static uint32_t reg_read(uint32_t reg)
{
	vioapic_write(&io, VIOAPIC_IOREGSEL, reg);
	return vioapic_read(&io, VIOAPIC_IOWIN);
}

static void reg_write(uint32_t reg, uint32_t val)
{
	vioapic_write(&io, VIOAPIC_IOREGSEL, reg);
	vioapic_write(&io, VIOAPIC_IOWIN, val);
}

/* Entry pin: vector, flags (low word), destination APIC ID. */
static void route(unsigned pin, uint8_t vector, uint32_t flags, uint8_t dest)
{
	reg_write(VIOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)dest << 24);
	reg_write(VIOAPIC_REG_REDIR + 2 * pin, vector | flags);
}

TEST reset_masks_everything_and_version_says_24_pins(void)
{
	unsigned pin;

	ASSERT_EQ(0x00170020u, reg_read(VIOAPIC_REG_VER));
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		ASSERT_EQ((uint32_t)IOREDTBL_MASKED, reg_read(VIOAPIC_REG_REDIR + 2 * pin));
		vioapic_set_irq(&io, pin, 1);
	}
	ASSERT_EQ(0, nsent);
	ASSERT_EQ(0, reg_read(0x10 + 2 * VIOAPIC_PINS)); /* past the last entry */
	PASS();
}

TEST id_and_entries_keep_what_is_writable(void)
{
	reg_write(VIOAPIC_REG_ID, 0xffffffff);
	ASSERT_EQ(0x0f000000u, reg_read(VIOAPIC_REG_ID));
	ASSERT_EQ(0x0f000000u, reg_read(VIOAPIC_REG_ARB));
	reg_write(VIOAPIC_REG_REDIR + 4, 0xffffffff);
	/* delivery status (12) and remote IRR (14) are read-only; bits 17-31 reserved */
	ASSERT_EQ(0x0001afffu, reg_read(VIOAPIC_REG_REDIR + 4));
	reg_write(VIOAPIC_REG_REDIR + 5, 0xffffffff);
	ASSERT_EQ(0xff000000u, reg_read(VIOAPIC_REG_REDIR + 5));
	PASS();
}

TEST an_edge_interrupts_once_per_rising_edge(void)
{
	route(2, 0x30, 0, 1);
	vioapic_set_irq(&io, 2, 1);
	vioapic_set_irq(&io, 2, 1); /* still high: no new edge */
	ASSERT_EQ(1, nsent);
	ASSERT_EQ(0x30, sent[0].vector);
	ASSERT_EQ(1, sent[0].dest);
	ASSERT_FALSE(sent[0].level);
	vioapic_set_irq(&io, 2, 0);
	vioapic_set_irq(&io, 2, 1);
	ASSERT_EQ(2, nsent);
	PASS();
}

TEST an_edge_while_masked_is_lost(void)
{
	route(4, 0x34, IOREDTBL_MASKED, 0);
	vioapic_set_irq(&io, 4, 1);
	vioapic_set_irq(&io, 4, 0);
	route(4, 0x34, 0, 0);
	ASSERT_EQ(0, nsent);
	PASS();
}

TEST a_level_line_interrupts_once_per_eoi(void)
{
	route(9, 0x49, IOREDTBL_LEVEL, 0);
	vioapic_set_irq(&io, 9, 1);
	vioapic_set_irq(&io, 9, 1);
	ASSERT_EQ(1, nsent);
	ASSERT(sent[0].level);
	ASSERT(reg_read(VIOAPIC_REG_REDIR + 18) & IOREDTBL_REMOTE_IRR);
	vioapic_eoi(&io, 0x49); /* still asserted: again */
	ASSERT_EQ(2, nsent);
	vioapic_set_irq(&io, 9, 0);
	vioapic_eoi(&io, 0x49); /* deasserted: done */
	ASSERT_EQ(2, nsent);
	ASSERT_FALSE(reg_read(VIOAPIC_REG_REDIR + 18) & IOREDTBL_REMOTE_IRR);
	PASS();
}

TEST the_eoi_register_and_other_vectors(void)
{
	route(10, 0x50, IOREDTBL_LEVEL, 0);
	vioapic_set_irq(&io, 10, 1);
	vioapic_eoi(&io, 0x51); /* another vector: nothing */
	ASSERT_EQ(1, nsent);
	vioapic_write(&io, VIOAPIC_EOI, 0x50);
	ASSERT_EQ(2, nsent);
	PASS();
}

TEST unmasking_an_asserted_level_line_interrupts(void)
{
	route(11, 0x5b, IOREDTBL_LEVEL | IOREDTBL_MASKED, 3);
	vioapic_set_irq(&io, 11, 1);
	ASSERT_EQ(0, nsent);
	route(11, 0x5b, IOREDTBL_LEVEL | IOREDTBL_DEST_LOGICAL | (1u << 8), 3);
	ASSERT_EQ(1, nsent);
	ASSERT(sent[0].logical);
	ASSERT_EQ(1, sent[0].delivery_mode);
	ASSERT_EQ(3, sent[0].dest);
	PASS();
}

TEST pins_past_the_last_are_ignored(void)
{
	route(0, 0x20, 0, 0);
	vioapic_set_irq(&io, VIOAPIC_PINS, 1);
	vioapic_set_irq(&io, 1000, 1);
	ASSERT_EQ(0, nsent);
	ASSERT(vioapic_claims(0xfec00010));
	ASSERT_FALSE(vioapic_claims(0xfec01000));
	PASS();
}

SUITE(vioapic)
{
	SET_SETUP(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(reset_masks_everything_and_version_says_24_pins);
		RUN_TEST(id_and_entries_keep_what_is_writable);
		RUN_TEST(an_edge_interrupts_once_per_rising_edge);
		RUN_TEST(an_edge_while_masked_is_lost);
		RUN_TEST(a_level_line_interrupts_once_per_eoi);
		RUN_TEST(the_eoi_register_and_other_vectors);
		RUN_TEST(unmasking_an_asserted_level_line_interrupts);
		RUN_TEST(pins_past_the_last_are_ignored);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vioapic);
	});
	GREATEST_MAIN_END();
}
