/*
 * The 8259A pair. Pure: see vpic.h.
 *
 * Priorities follow the data sheet's rotation scheme: IR priority_add has
 * the highest priority and the others follow in circular order, so fixed
 * priority (IR0 highest) is priority_add == 0. An input is requested when
 * IRR has it and IMR does not; it reaches INTR when its priority beats
 * every IR in service. The slave's INTR is the master's IR2 input.
 */
#include <string.h>

#include "kernel/vpic.h"

/* ICW1 (figure 6): A0 = 0 and D4 = 1. */
#define ICW1_IC4 0x01  /* ICW4 follows */
#define ICW1_SNGL 0x02 /* single 8259, no ICW3 */
#define ICW1_INIT 0x10
/* ICW4 */
#define ICW4_AEOI 0x02
/* OCW3 (figure 8): A0 = 0, D4 = 0, D3 = 1. */
#define OCW3_SEL 0x08
#define OCW3_RIS 0x01  /* with RR: read ISR, else IRR */
#define OCW3_RR 0x02
#define OCW3_P 0x04    /* poll command */
#define OCW3_SMM 0x20  /* special mask mode value, with ESMM */
#define OCW3_ESMM 0x40
/* OCW2 R, SL, EOI bits 7:5 (figure 8). */
#define OCW2_ROTATE_AEOI_CLEAR 0
#define OCW2_EOI 1
#define OCW2_NOP 2
#define OCW2_SPECIFIC_EOI 3
#define OCW2_ROTATE_AEOI_SET 4
#define OCW2_ROTATE_EOI 5
#define OCW2_SET_PRIORITY 6
#define OCW2_ROTATE_SPECIFIC_EOI 7

/* ELCR bits that exist: IRQ0-2, 8 and 13 are edge only (PIIX4 4.1.11). */
#define ELCR_MASTER_MASK 0xf8
#define ELCR_SLAVE_MASK 0xde

#define NO_IRQ 8 /* "priority" of an empty set */

static void chip_reset(struct vpic_chip *c)
{
	uint8_t elcr = c->elcr;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->imr = 0xff; /* nothing before the guest programs it */
}

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
}

/* Rotated priority (0 highest) of the best IR in mask, NO_IRQ if none. */
static unsigned best_priority(const struct vpic_chip *c, uint8_t mask)
{
	unsigned prio;

	if (!mask)
		return NO_IRQ;
	for (prio = 0; !(mask & (1u << ((prio + c->priority_add) & 7))); prio++)
		;
	return prio;
}

/* The IR this chip would present on INTR now, or -1. */
static int chip_irq(const struct vpic_chip *c)
{
	unsigned want = best_priority(c, c->irr & ~c->imr);
	uint8_t serving = c->isr;

	if (!c->ready || want == NO_IRQ)
		return -1;
	/* special mask mode: masked IRs in service do not hold off others */
	if (c->special_mask)
		serving &= ~c->imr;
	return want < best_priority(c, serving) ? (int)((want + c->priority_add) & 7) : -1;
}

/* An input of one chip changes level: edge inputs latch a rising edge,
 * level inputs request exactly while high. */
static void chip_set(struct vpic_chip *c, unsigned ir, int level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->elcr & bit) {
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;
	}
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* The slave's INTR drives the master's IR2, as a level: a slave request
 * that waits behind one in service reaches the master once the slave's
 * EOI lets it through, whatever edges the master saw before. */
static void cascade(struct vpic *p)
{
	struct vpic_chip *m = &p->chip[0];
	uint8_t bit = 1u << VPIC_CASCADE_IRQ;

	if (chip_irq(&p->chip[1]) >= 0) {
		m->irr |= bit;
		m->lines |= bit;
	} else {
		m->irr &= (uint8_t)~bit;
		m->lines &= (uint8_t)~bit;
	}
}

void vpic_set_irq(struct vpic *p, unsigned irq, int level)
{
	if (irq >= VPIC_IRQS)
		return;
	chip_set(&p->chip[irq >> 3], irq & 7, level != 0);
	cascade(p);
}

int vpic_pending_vector(const struct vpic *p)
{
	int irq = chip_irq(&p->chip[0]), sirq;

	if (irq < 0)
		return -1;
	if (irq != VPIC_CASCADE_IRQ || p->chip[0].single)
		return p->chip[0].vector_base + irq;
	sirq = chip_irq(&p->chip[1]);
	return p->chip[1].vector_base + (sirq < 0 ? 7 : sirq);
}

/* The INTA pulses for IR ir: into service, or ended at once in AEOI mode. */
static void chip_ack(struct vpic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->auto_eoi) {
		if (c->rotate_aeoi)
			c->priority_add = (ir + 1) & 7;
	} else {
		c->isr |= bit;
	}
	/* a level input stays requested while its line is high */
	if (!(c->elcr & bit))
		c->irr &= ~bit;
}

uint8_t vpic_ack(struct vpic *p)
{
	int irq = chip_irq(&p->chip[0]), sirq;
	uint8_t vec;

	p->acks++;
	if (irq < 0) {
		/* the request went away before INTA: IR7, not put in service */
		p->spurious++;
		return p->chip[0].vector_base + 7;
	}
	chip_ack(&p->chip[0], (unsigned)irq);
	if (irq != VPIC_CASCADE_IRQ || p->chip[0].single) {
		vec = p->chip[0].vector_base + (uint8_t)irq;
	} else {
		sirq = chip_irq(&p->chip[1]);
		if (sirq >= 0) {
			chip_ack(&p->chip[1], (unsigned)sirq);
		} else {
			p->spurious++;
			sirq = 7;
		}
		vec = p->chip[1].vector_base + (uint8_t)sirq;
	}
	cascade(p);
	return vec;
}

/* OCW2: end of interrupt and rotation. */
static void write_ocw2(struct vpic_chip *c, uint8_t val)
{
	unsigned cmd = val >> 5, ir = val & 7, prio;

	switch (cmd) {
	case OCW2_ROTATE_AEOI_CLEAR:
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = cmd == OCW2_ROTATE_AEOI_SET;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		/* non-specific: the highest-priority IR in service ends */
		prio = best_priority(c, c->isr);
		if (prio == NO_IRQ)
			break;
		ir = (prio + c->priority_add) & 7;
		c->isr &= (uint8_t)~(1u << ir);
		if (cmd == OCW2_ROTATE_EOI)
			c->priority_add = (ir + 1) & 7;
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << ir);
		if (cmd == OCW2_ROTATE_SPECIFIC_EOI)
			c->priority_add = (ir + 1) & 7;
		break;
	case OCW2_SET_PRIORITY:
		/* ir becomes the lowest priority */
		c->priority_add = (ir + 1) & 7;
		break;
	default:
		break;
	}
}

static void write_cmd(struct vpic_chip *c, uint8_t val)
{
	if (val & ICW1_INIT) {
		/* ICW1 starts the sequence: IMR, ISR, rotation and modes reset */
		chip_reset(c);
		c->imr = 0;
		c->icw4_needed = val & ICW1_IC4;
		c->single = val & ICW1_SNGL;
		c->init_step = 1;
		/* edges seen before now are forgotten: a high edge input needs a new edge */
		c->irr &= c->elcr;
		c->lines &= c->elcr;
		return;
	}
	if (val & OCW3_SEL) {
		if (val & OCW3_P)
			c->poll = true;
		if (val & OCW3_RR)
			c->read_isr = val & OCW3_RIS;
		if (val & OCW3_ESMM)
			c->special_mask = val & OCW3_SMM;
		return;
	}
	write_ocw2(c, val);
}

/* ICW2-ICW4 while initialising, OCW1 (IMR) otherwise. */
static void write_data(struct vpic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 1:
		c->vector_base = val & 0xf8;
		c->init_step = !c->single ? 2 : c->icw4_needed ? 3 : 0;
		break;
	case 2:
		c->init_step = c->icw4_needed ? 3 : 0; /* ICW3: the cascade wiring is fixed */
		break;
	case 3:
		c->auto_eoi = val & ICW4_AEOI;
		c->init_step = 0;
		break;
	default:
		c->imr = val;
		return;
	}
	c->ready = c->init_step == 0;
}

/* The poll command: the best request acknowledged as by INTA, as I000 0WWW. */
static uint8_t poll_read(struct vpic *p, unsigned which)
{
	struct vpic_chip *c = &p->chip[which];
	int irq = chip_irq(c);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, (unsigned)irq);
	cascade(p);
	return 0x80 | (uint8_t)irq;
}

bool vpic_is_port(uint16_t port)
{
	return port == VPIC_MASTER_CMD || port == VPIC_MASTER_DATA || port == VPIC_SLAVE_CMD ||
	       port == VPIC_SLAVE_DATA || port == VPIC_ELCR_MASTER || port == VPIC_ELCR_SLAVE;
}

uint8_t vpic_read(struct vpic *p, uint16_t port)
{
	unsigned which = (port == VPIC_SLAVE_CMD || port == VPIC_SLAVE_DATA ||
			  port == VPIC_ELCR_SLAVE);
	struct vpic_chip *c = &p->chip[which];

	if (port == VPIC_ELCR_MASTER || port == VPIC_ELCR_SLAVE)
		return c->elcr;
	if (c->poll)
		return poll_read(p, which);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void vpic_write(struct vpic *p, uint16_t port, uint8_t val)
{
	if (port == VPIC_ELCR_MASTER)
		p->chip[0].elcr = val & ELCR_MASTER_MASK;
	else if (port == VPIC_ELCR_SLAVE)
		p->chip[1].elcr = val & ELCR_SLAVE_MASK;
	else if (port == VPIC_MASTER_CMD || port == VPIC_SLAVE_CMD)
		write_cmd(&p->chip[port == VPIC_SLAVE_CMD], val);
	else if (port == VPIC_MASTER_DATA || port == VPIC_SLAVE_DATA)
		write_data(&p->chip[port == VPIC_SLAVE_DATA], val);
	cascade(p);
}

static void chip_save(const struct vpic_chip *c, struct gs_vpic_chip *s)
{
	*s = (struct gs_vpic_chip){
		.irr = c->irr, .isr = c->isr, .imr = c->imr, .lines = c->lines, .elcr = c->elcr,
		.vector_base = c->vector_base, .init_step = c->init_step,
		.priority_add = c->priority_add, .icw4_needed = c->icw4_needed,
		.single = c->single, .auto_eoi = c->auto_eoi, .rotate_aeoi = c->rotate_aeoi,
		.read_isr = c->read_isr, .poll = c->poll, .special_mask = c->special_mask,
		.ready = c->ready,
	};
}

/* The decoder has checked the ranges (kernel/guest_state.c); masks keep
 * the model's invariants even so. */
static void chip_load(struct vpic_chip *c, const struct gs_vpic_chip *s, uint8_t elcr_mask)
{
	c->irr = s->irr;
	c->isr = s->isr;
	c->imr = s->imr;
	c->lines = s->lines;
	c->elcr = s->elcr & elcr_mask;
	c->vector_base = s->vector_base & 0xf8;
	c->init_step = s->init_step & 3;
	c->priority_add = s->priority_add & 7;
	c->icw4_needed = s->icw4_needed;
	c->single = s->single;
	c->auto_eoi = s->auto_eoi;
	c->rotate_aeoi = s->rotate_aeoi;
	c->read_isr = s->read_isr;
	c->poll = s->poll;
	c->special_mask = s->special_mask;
	c->ready = s->ready;
}

void vpic_save(const struct vpic *p, struct gs_vpic *s)
{
	chip_save(&p->chip[0], &s->chip[0]);
	chip_save(&p->chip[1], &s->chip[1]);
}

void vpic_load(struct vpic *p, const struct gs_vpic *s)
{
	chip_load(&p->chip[0], &s->chip[0], ELCR_MASTER_MASK);
	chip_load(&p->chip[1], &s->chip[1], ELCR_SLAVE_MASK);
}
