/*
 * A guest's I/O APIC: 24 redirection entries behind the indirect
 * IOREGSEL/IOWIN window at 0xFEC00000, as the Intel 82093AA data sheet
 * (order 290566) describes it, with the EOI register of the ICH's
 * IOxAPIC (version 0x20). Pure: input pins in, interrupt messages out
 * through a callback, so the logic is tested on the host. The board
 * (kernel/pcdev.c) drives its pins with the ISA IRQs; kernel/vio.c turns
 * its messages into MSIs for the local APIC and maps its page.
 */
#ifndef KERNEL_VIOAPIC_H
#define KERNEL_VIOAPIC_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VIOAPIC_BASE 0xfec00000u
#define VIOAPIC_SIZE 0x1000u
#define VIOAPIC_PINS GS_IOAPIC_PINS

/* MMIO offsets (82093AA 3.1; EOI: ICH9 datasheet 13.5.1) */
#define VIOAPIC_IOREGSEL 0x00
#define VIOAPIC_IOWIN 0x10
#define VIOAPIC_EOI 0x40

/* Indirect registers (82093AA 3.2) */
#define VIOAPIC_REG_ID 0x00
#define VIOAPIC_REG_VER 0x01
#define VIOAPIC_REG_ARB 0x02
#define VIOAPIC_REG_REDIR 0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */
#define VIOAPIC_VERSION 0x20

/* Redirection entry fields (82093AA 3.2.4) */
#define IOREDTBL_VECTOR 0xffull
#define IOREDTBL_DELIVERY_MODE (7ull << 8)
#define IOREDTBL_DEST_LOGICAL (1ull << 11)
#define IOREDTBL_DELIVERY_STATUS (1ull << 12)
#define IOREDTBL_POLARITY_LOW (1ull << 13)
#define IOREDTBL_REMOTE_IRR (1ull << 14)
#define IOREDTBL_LEVEL (1ull << 15)
#define IOREDTBL_MASKED (1ull << 16)
#define IOREDTBL_DEST_SHIFT 56

/* One interrupt message, as the local APIC receives it. */
struct vioapic_msg {
	uint8_t vector;
	uint8_t delivery_mode; /* 0 fixed, 1 lowest priority, 4 NMI, 5 INIT, 7 ExtINT */
	uint8_t dest;          /* APIC ID, or logical destination */
	bool logical;
	bool level;            /* level-triggered: the APIC must report its EOI (vioapic_eoi) */
};

typedef void (*vioapic_deliver_fn)(void *ctx, const struct vioapic_msg *m);

struct vioapic {
	uint32_t id;           /* bits 24-27 of the ID register */
	uint32_t sel;          /* IOREGSEL */
	uint64_t redir[VIOAPIC_PINS];
	uint32_t lines;        /* input levels (asserted = 1), one bit per pin */
	vioapic_deliver_fn deliver;
	void *ctx;
};

/* Reset state: every entry masked, edge-triggered, vector 0; messages go to deliver(ctx, ...). */
void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx);

/* Whether a guest-physical address is one of its registers. */
bool vioapic_claims(uint64_t gpa);

/* A 32-bit read or write at offset into the 4 KiB window (other offsets: reads 0, writes ignored). */
uint32_t vioapic_read(struct vioapic *io, uint32_t offset);
void vioapic_write(struct vioapic *io, uint32_t offset, uint32_t val);

/* Pin pin's input asserted (level != 0) or not: edges and levels as each entry says. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, int level);

/* The local APIC's EOI of vector for a level-triggered interrupt (the EOI broadcast). */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* The message as the MSI address and data a local APIC takes (SDM Vol. 3A 11.11). */
void vioapic_msg_to_msi(const struct vioapic_msg *m, uint64_t *addr, uint32_t *data);

/* Save the registers and input lines into s; load them back. */
void vioapic_save(const struct vioapic *io, struct gs_ioapic *s);
void vioapic_load(struct vioapic *io, const struct gs_ioapic *s);

/* Whether s holds only what the model can be in (writable bits, Remote IRR on level entries). */
bool vioapic_state_valid(const struct gs_ioapic *s);

#endif
