/*
 * The legacy PC devices of a guest's board, wired together: the 8259A
 * pair (kernel/vpic.c), the 8254 PIT with port 0x61 (kernel/vpit.c), the
 * CMOS RTC (kernel/vrtc.c) and the i8042 with port 0x92 (kernel/vkbc.c).
 * Pure: port accesses and guest time in, interrupts and reset requests
 * out. Each ISA IRQ drives both the 8259A and the I/O APIC
 * (kernel/vioapic.h), as on a PC with the MP/ACPI interrupt model: IRQ0
 * (the PIT) on I/O APIC pin 2, the others on the pin of their number,
 * which the MADT states. kernel/vio.c connects the board to the guest's
 * port I/O, MMIO and vCPU.
 */
#ifndef KERNEL_PCDEV_H
#define KERNEL_PCDEV_H

#include "kernel/guest_state.h"
#include "kernel/vioapic.h"
#include "kernel/vkbc.h"
#include "kernel/vpic.h"
#include "kernel/vpit.h"
#include "kernel/vrtc.h"
#include "lib/types.h"

struct pcdev {
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vkbc kbc;
	struct vioapic ioapic; /* its messages go where pc->ioapic.deliver says */
};

#define PCDEV_PIT_IOAPIC_PIN 2 /* IRQ0's pin: the MADT's interrupt source override */

/* Power-on state: guest TSC at tsc_hz, the RTC at unix_sec at guest TSC now. */
void pcdev_init(struct pcdev *pc, uint64_t tsc_hz, uint64_t unix_sec, uint64_t now);

/* Whether one of the devices answers at port. */
bool pcdev_is_port(uint16_t port);

/* A byte read or write of port at guest TSC now. A write returns true
 * when the guest asked for a reset (i8042 pulse or port 0x92). */
uint8_t pcdev_read(struct pcdev *pc, uint16_t port, uint64_t now);
bool pcdev_write(struct pcdev *pc, uint16_t port, uint8_t val, uint64_t now);

/* ISA IRQ irq's line at level, on the 8259A and the I/O APIC alike. */
void pcdev_set_irq(struct pcdev *pc, unsigned irq, int level);

/* Raise the interrupts whose time came by now (PIT channel 0 -> IRQ0). */
void pcdev_update(struct pcdev *pc, uint64_t now);

/* Guest TSC of the next timed event, 0 when none is armed. */
uint64_t pcdev_next_event(const struct pcdev *pc);

/* Save every device into s at now; load them at a possibly other now. */
void pcdev_save(const struct pcdev *pc, uint64_t now, struct gs_pc *s);
void pcdev_load(struct pcdev *pc, const struct gs_pc *s, uint64_t now);

#endif
