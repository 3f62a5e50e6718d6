/*
 * The guest's legacy interrupt controller: two 8259A PICs, the master at
 * ports 0x20/0x21 and the slave at 0xA0/0xA1 cascaded on the master's
 * IRQ2, plus the edge/level control registers (ELCR) at 0x4D0/0x4D1.
 * A pure device model: IRQ lines and port accesses in, the INTR output
 * and the INTA cycle's vector out.
 *
 * Intel 8259A data sheet (order 231468): initialization command words
 * ICW1-ICW4 (figure 6), operation command words OCW1-OCW3 (figure 8),
 * priority rotation and EOI modes ("The Interrupt Sequence", "End of
 * Interrupt"), the poll command. ELCR: Intel 82371AB (PIIX4) data sheet
 * 4.1.11. Until the guest has programmed the master with ICW1-ICW4 the
 * pair delivers nothing: a guest that never touches it sees no interrupt.
 */
#ifndef KERNEL_VPIC_H
#define KERNEL_VPIC_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VPIC_MASTER_CMD 0x20
#define VPIC_MASTER_DATA 0x21
#define VPIC_SLAVE_CMD 0xa0
#define VPIC_SLAVE_DATA 0xa1
#define VPIC_ELCR_MASTER 0x4d0
#define VPIC_ELCR_SLAVE 0x4d1
#define VPIC_IRQS 16
#define VPIC_CASCADE_IRQ 2

/* One 8259A. */
struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;        /* input levels last seen, for edge detection */
	uint8_t elcr;         /* level-triggered inputs (1 = level) */
	uint8_t vector_base;  /* ICW2 bits 7:3 */
	uint8_t init_step;    /* 0 ready, 1-3: waiting for ICW2-ICW4 */
	uint8_t priority_add; /* IR number with the highest priority (rotation) */
	bool icw4_needed, single, auto_eoi, rotate_aeoi;
	bool read_isr;        /* OCW3 RR/RIS: the command port reads ISR, else IRR */
	bool poll;            /* OCW3 P: the next command-port read is a poll */
	bool special_mask;    /* OCW3 SMM */
	bool ready;           /* ICW1-ICW4 done since reset */
};

struct vpic {
	struct vpic_chip chip[2]; /* 0 master, 1 slave */
	uint64_t spurious, acks;  /* statistics, not guest state */
};

/* Reset state: both chips uninitialised, all inputs masked, edge-triggered. */
void vpic_init(struct vpic *p);

/* The level of input irq (0-15) is now level (0 or 1). */
void vpic_set_irq(struct vpic *p, unsigned irq, int level);

/* The vector an INTA cycle would give now, or -1 when INTR is low. */
int vpic_pending_vector(const struct vpic *p);

/* INTA: the vector to deliver; moves the request from IRR to ISR (or
 * ends it in auto-EOI mode). A request gone meanwhile gives IRQ7's (or
 * IRQ15's) vector, the 8259A's spurious interrupt. */
uint8_t vpic_ack(struct vpic *p);

/* Port reads and writes of a byte at 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1. */
bool vpic_is_port(uint16_t port);
uint8_t vpic_read(struct vpic *p, uint16_t port);
void vpic_write(struct vpic *p, uint16_t port, uint8_t val);

/* Save into s and load from s (a decoded, validated record). */
void vpic_save(const struct vpic *p, struct gs_vpic *s);
void vpic_load(struct vpic *p, const struct gs_vpic *s);

#endif
