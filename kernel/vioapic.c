/*
 * The guest's I/O APIC (see vioapic.h). Level-triggered entries hold
 * Remote IRR from delivery to the EOI, so an asserted line interrupts
 * once per EOI; an edge on a masked entry is lost, as on the 82093AA.
 */
#include <string.h>

#include "kernel/vioapic.h"
#include "kernel/vlapic.h"

/* The bits a guest writes; delivery status and remote IRR are read-only. */
#define IOREDTBL_WRITABLE                                                                      \
	(IOREDTBL_VECTOR | IOREDTBL_DELIVERY_MODE | IOREDTBL_DEST_LOGICAL | IOREDTBL_POLARITY_LOW | \
	 IOREDTBL_LEVEL | IOREDTBL_MASKED | (0xffull << IOREDTBL_DEST_SHIFT))
#define ID_MASK (0xfu << 24)

void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx)
{
	unsigned i;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = IOREDTBL_MASKED;
	io->deliver = deliver;
	io->ctx = ctx;
}

bool vioapic_claims(uint64_t gpa)
{
	return gpa >= VIOAPIC_BASE && gpa < VIOAPIC_BASE + VIOAPIC_SIZE;
}

static void send(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	struct vioapic_msg m = {
		.vector = (uint8_t)(e & IOREDTBL_VECTOR),
		.delivery_mode = (uint8_t)((e & IOREDTBL_DELIVERY_MODE) >> 8),
		.dest = (uint8_t)(e >> IOREDTBL_DEST_SHIFT),
		.logical = (e & IOREDTBL_DEST_LOGICAL) != 0,
		.level = (e & IOREDTBL_LEVEL) != 0,
	};

	if (m.level)
		io->redir[pin] |= IOREDTBL_REMOTE_IRR;
	if (io->deliver)
		io->deliver(io->ctx, &m);
}

/* A level entry whose line is asserted, unmasked and not awaiting an EOI interrupts now. */
static void check_level(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];

	if ((e & IOREDTBL_LEVEL) && !(e & (IOREDTBL_MASKED | IOREDTBL_REMOTE_IRR)) &&
	    (io->lines & (1u << pin)))
		send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, int level)
{
	uint32_t bit;
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	bit = 1u << pin;
	was = (io->lines & bit) != 0;
	io->lines = level ? io->lines | bit : io->lines & ~bit;
	if (io->redir[pin] & IOREDTBL_LEVEL)
		check_level(io, pin);
	else if (level && !was && !(io->redir[pin] & IOREDTBL_MASKED))
		send(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	unsigned i;

	for (i = 0; i < VIOAPIC_PINS; i++) {
		if ((io->redir[i] & IOREDTBL_REMOTE_IRR) && (io->redir[i] & IOREDTBL_VECTOR) == vector) {
			io->redir[i] &= ~IOREDTBL_REMOTE_IRR;
			check_level(io, i);
		}
	}
}

static uint32_t read_reg(const struct vioapic *io, uint32_t reg)
{
	unsigned pin = (reg - VIOAPIC_REG_REDIR) / 2;

	switch (reg) {
	case VIOAPIC_REG_ID:
		return io->id;
	case VIOAPIC_REG_VER:
		return (uint32_t)(VIOAPIC_PINS - 1) << 16 | VIOAPIC_VERSION;
	case VIOAPIC_REG_ARB:
		return io->id; /* arbitration ID follows the ID (82093AA 3.2.3) */
	}
	if (reg < VIOAPIC_REG_REDIR || pin >= VIOAPIC_PINS)
		return 0;
	return (uint32_t)(reg & 1 ? io->redir[pin] >> 32 : io->redir[pin]);
}

static void write_redir(struct vioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t e = io->redir[pin], w;

	w = high ? (e & 0xffffffffull) | (uint64_t)val << 32 : (e & ~0xffffffffull) | val;
	io->redir[pin] = (w & IOREDTBL_WRITABLE) | (e & IOREDTBL_REMOTE_IRR);
	if (!(io->redir[pin] & IOREDTBL_LEVEL))
		io->redir[pin] &= ~IOREDTBL_REMOTE_IRR; /* only level entries wait for an EOI */
	check_level(io, pin); /* an unmasked, asserted level line interrupts now */
}

uint32_t vioapic_read(struct vioapic *io, uint32_t offset)
{
	if (offset == VIOAPIC_IOREGSEL)
		return io->sel;
	if (offset == VIOAPIC_IOWIN)
		return read_reg(io, io->sel);
	return 0;
}

void vioapic_write(struct vioapic *io, uint32_t offset, uint32_t val)
{
	uint32_t reg = io->sel;
	unsigned pin = (reg - VIOAPIC_REG_REDIR) / 2;

	if (offset == VIOAPIC_IOREGSEL)
		io->sel = val & 0xff;
	else if (offset == VIOAPIC_EOI)
		vioapic_eoi(io, (uint8_t)val);
	else if (offset != VIOAPIC_IOWIN)
		return;
	else if (reg == VIOAPIC_REG_ID)
		io->id = val & ID_MASK;
	else if (reg >= VIOAPIC_REG_REDIR && pin < VIOAPIC_PINS)
		write_redir(io, pin, reg & 1, val);
}

void vioapic_msg_to_msi(const struct vioapic_msg *m, uint64_t *addr, uint32_t *data)
{
	*addr = MSI_ADDR_BASE | (uint64_t)m->dest << MSI_ADDR_DEST_SHIFT |
		(m->logical ? MSI_ADDR_DM : 0);
	*data = m->vector | (uint32_t)m->delivery_mode << MSI_DATA_DELIVERY_SHIFT |
		(m->level ? MSI_DATA_LEVEL_TRIGGER | MSI_DATA_LEVEL_ASSERT : 0);
}

void vioapic_save(const struct vioapic *io, struct gs_ioapic *s)
{
	s->id = io->id;
	s->sel = io->sel;
	s->lines = io->lines;
	memcpy(s->redir, io->redir, sizeof(s->redir));
}

void vioapic_load(struct vioapic *io, const struct gs_ioapic *s)
{
	io->id = s->id;
	io->sel = s->sel;
	io->lines = s->lines;
	memcpy(io->redir, s->redir, sizeof(io->redir));
}

bool vioapic_state_valid(const struct gs_ioapic *s)
{
	unsigned i;

	if ((s->id & ~ID_MASK) || s->sel > 0xff || (s->lines >> VIOAPIC_PINS))
		return false;
	for (i = 0; i < VIOAPIC_PINS; i++) {
		uint64_t e = s->redir[i];

		if (e & ~(IOREDTBL_WRITABLE | IOREDTBL_REMOTE_IRR))
			return false;
		if ((e & IOREDTBL_REMOTE_IRR) && !(e & IOREDTBL_LEVEL))
			return false;
	}
	return true;
}
