/*
 * Unit tests for the guest PC's interrupt wiring: kernel/pcdev.c driving
 * the 8259A and the I/O APIC from one ISA IRQ (IRQ0 on pin 2), and the
 * I/O APIC's messages reaching a local APIC as kernel/vio.c connects
 * them (vioapic_msg_to_msi into vlapic_deliver_msi; the APIC's EOI of a
 * level-triggered vector back to vioapic_eoi). Also the I/O APIC's
 * save and load.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/pcdev.h"
#include "kernel/vioapic.h"
#include "kernel/vlapic.h"
#include "kernel/vlapic_regs.h"

#define TSC_HZ 1000000000ull

static struct pcdev pc;
static struct vlapic lapic;

static void to_lapic(void *ctx, const struct vioapic_msg *m)
{
	uint64_t addr;
	uint32_t data;

	(void)ctx;
	vioapic_msg_to_msi(m, &addr, &data);
	vlapic_deliver_msi(&lapic, addr, data);
}

static void eoi_to_ioapic(void *ctx, uint8_t vector)
{
	(void)ctx;
	vioapic_eoi(&pc.ioapic, vector);
}

static void setup(void *arg)
{
	(void)arg;
	pcdev_init(&pc, TSC_HZ, 0, 0);
	pc.ioapic.deliver = to_lapic;
	vlapic_init(&lapic, 0, TSC_HZ, TSC_HZ);
	lapic.svr |= SVR_ENABLE;
	lapic.level_eoi = eoi_to_ioapic;
}

static void route(unsigned pin, uint32_t low, uint8_t dest)
{
	vioapic_write(&pc.ioapic, VIOAPIC_IOREGSEL, VIOAPIC_REG_REDIR + 2 * pin + 1);
	vioapic_write(&pc.ioapic, VIOAPIC_IOWIN, (uint32_t)dest << 24);
	vioapic_write(&pc.ioapic, VIOAPIC_IOREGSEL, VIOAPIC_REG_REDIR + 2 * pin);
	vioapic_write(&pc.ioapic, VIOAPIC_IOWIN, low);
}

static bool bit(const uint32_t *v, uint8_t vector)
{
	return v[vector >> 5] & (1u << (vector & 31));
}

/* The vCPU takes the interrupt: IRR to ISR. */
static void take(uint8_t vector)
{
	vlapic_ack(&lapic, vector);
}

TEST irq0_reaches_the_pic_and_ioapic_pin_2(void)
{
	route(PCDEV_PIT_IOAPIC_PIN, 0x30, 0);
	route(0, 0x3f, 0); /* pin 0 would be wrong: IRQ0 is not on it */
	pcdev_set_irq(&pc, 0, 1);
	pcdev_set_irq(&pc, 0, 0);
	ASSERT(bit(lapic.irr, 0x30));
	ASSERT_FALSE(bit(lapic.irr, 0x3f));
	ASSERT_FALSE(bit(lapic.tmr, 0x30)); /* edge */
	ASSERT_EQ(0x01, pc.pic.chip[0].irr & 0x01);
	PASS();
}

TEST com1_irq4_reaches_pin_4(void)
{
	route(4, 0x34, 0);
	pcdev_set_irq(&pc, 4, 1);
	ASSERT(bit(lapic.irr, 0x34));
	PASS();
}

TEST a_level_interrupt_is_rearmed_by_the_local_apic_eoi(void)
{
	route(9, 0x49 | IOREDTBL_LEVEL, 0);
	pcdev_set_irq(&pc, 9, 1);
	ASSERT(bit(lapic.irr, 0x49));
	ASSERT(bit(lapic.tmr, 0x49));
	take(0x49);
	pcdev_set_irq(&pc, 9, 1);          /* still high: Remote IRR holds it */
	ASSERT_FALSE(bit(lapic.irr, 0x49));
	vlapic_eoi(&lapic);                 /* broadcast: the line is still high */
	ASSERT(bit(lapic.irr, 0x49));
	take(0x49);
	pcdev_set_irq(&pc, 9, 0);
	vlapic_eoi(&lapic);
	ASSERT_FALSE(bit(lapic.irr, 0x49));
	ASSERT_FALSE(bit(lapic.tmr, 0x49));
	ASSERT_FALSE(pc.ioapic.redir[9] & IOREDTBL_REMOTE_IRR);
	PASS();
}

TEST an_edge_eoi_is_not_broadcast(void)
{
	route(10, 0x50 | IOREDTBL_LEVEL, 0);
	route(2, 0x50, 0); /* the same vector, edge-triggered, from pin 2 */
	pcdev_set_irq(&pc, 10, 1);
	take(0x50);
	pcdev_set_irq(&pc, 0, 1);
	/* re-accepted as edge: TMR follows the latest message (SDM 11.8.4) */
	ASSERT_FALSE(bit(lapic.tmr, 0x50));
	vlapic_eoi(&lapic);
	ASSERT(pc.ioapic.redir[10] & IOREDTBL_REMOTE_IRR); /* no broadcast reached it */
	PASS();
}

TEST messages_for_another_apic_or_nmi(void)
{
	route(5, 0x35, 7); /* APIC ID 7: not ours */
	pcdev_set_irq(&pc, 5, 1);
	ASSERT_FALSE(bit(lapic.irr, 0x35));
	route(6, 0x36 | (4u << 8), 0); /* NMI */
	pcdev_set_irq(&pc, 6, 1);
	ASSERT(vlapic_take_nmi(&lapic));
	route(7, 0x37 | IOREDTBL_DEST_LOGICAL, 0xff); /* logical broadcast */
	pcdev_set_irq(&pc, 7, 1);
	ASSERT(bit(lapic.irr, 0x37));
	PASS();
}

TEST save_and_load_keep_entries_lines_and_remote_irr(void)
{
	struct gs_ioapic s;
	struct pcdev other;

	vioapic_write(&pc.ioapic, VIOAPIC_IOREGSEL, VIOAPIC_REG_ID);
	vioapic_write(&pc.ioapic, VIOAPIC_IOWIN, 0x05000000);
	route(9, 0x49 | IOREDTBL_LEVEL, 0);
	pcdev_set_irq(&pc, 9, 1);
	vioapic_save(&pc.ioapic, &s);
	ASSERT(vioapic_state_valid(&s));
	pcdev_init(&other, TSC_HZ, 0, 0);
	vioapic_load(&other.ioapic, &s);
	ASSERT_MEM_EQ(pc.ioapic.redir, other.ioapic.redir, sizeof(other.ioapic.redir));
	ASSERT_EQ(pc.ioapic.lines, other.ioapic.lines);
	ASSERT_EQ(pc.ioapic.sel, other.ioapic.sel);
	ASSERT_EQ(0x05000000u, other.ioapic.id);
	ASSERT(other.ioapic.redir[9] & IOREDTBL_REMOTE_IRR);
	s.redir[3] |= IOREDTBL_REMOTE_IRR; /* on an edge entry: impossible */
	ASSERT_FALSE(vioapic_state_valid(&s));
	PASS();
}

SUITE(pc_interrupts)
{
	SET_SETUP(setup, NULL);
	SHUFFLED_TESTS({
		RUN_TEST(irq0_reaches_the_pic_and_ioapic_pin_2);
		RUN_TEST(com1_irq4_reaches_pin_4);
		RUN_TEST(a_level_interrupt_is_rearmed_by_the_local_apic_eoi);
		RUN_TEST(an_edge_eoi_is_not_broadcast);
		RUN_TEST(messages_for_another_apic_or_nmi);
		RUN_TEST(save_and_load_keep_entries_lines_and_remote_irr);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(pc_interrupts);
	});
	GREATEST_MAIN_END();
}
