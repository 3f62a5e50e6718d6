/*
 * The guest's 8254 programmable interval timer (ports 0x40-0x43) and
 * system control port B (0x61), whose bits 0 and 5 are channel 2's gate
 * and output. A pure device model: time is the guest's TSC, passed in
 * by the caller; the counters run at 1.193182 MHz derived from it.
 * Channel 0's output drives IRQ0: vpit_next_irq says when its next
 * rising edge is due and vpit_update reports the edges that came due,
 * so the caller arms a timer instead of polling.
 *
 * Intel 82C54 data sheet (order 231244): control word format (figure 7),
 * modes 0-5 ("Mode Definitions"), counter latch command, read-back
 * command (figures 11-13), status byte (figure 12). Port 0x61: IBM PC/AT
 * Technical Reference, "System Control Port B".
 */
#ifndef KERNEL_VPIT_H
#define KERNEL_VPIT_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VPIT_HZ 1193182ULL /* the PC's 14.31818 MHz crystal divided by 12 */
#define VPIT_PORT_CH0 0x40
#define VPIT_PORT_CTRL 0x43
#define VPIT_PORT_SYSCTL_B 0x61
#define VPIT_IRQ 0

struct vpit_channel {
	uint32_t count;        /* reload value, 1-65536 (0 written means 65536) */
	uint16_t latched_count;
	uint8_t count_latched; /* access mode of a latched count still to be read, 0 none */
	bool status_latched;
	uint8_t status;
	uint8_t read_state, write_state, write_latch;
	uint8_t rw_mode, mode;
	bool bcd, gate, null_count;
	bool loaded;           /* a count was written since the control word */
	uint64_t load_tsc;     /* guest TSC when counting started */
};

struct vpit {
	struct vpit_channel ch[3];
	uint8_t port61;   /* port 0x61 bits 0-3 as written */
	uint64_t tsc_hz;  /* guest TSC rate: host wiring, not guest state */
	uint64_t irq_due; /* guest TSC of channel 0's next rising edge, 0 none */
	uint64_t irqs, irqs_missed; /* statistics */
};

/* Reset state: no channel counting, gate 2 low; the TSC runs at tsc_hz. */
void vpit_init(struct vpit *p, uint64_t tsc_hz);

/* Whether port is one of 0x40-0x43 or 0x61. */
bool vpit_is_port(uint16_t port);

/* Byte reads and writes of 0x40-0x43 and 0x61 at guest TSC now. */
uint8_t vpit_read(struct vpit *p, uint16_t port, uint64_t now);
void vpit_write(struct vpit *p, uint16_t port, uint8_t val, uint64_t now);

/* Rising edges of channel 0's output that came due by now (they fold
 * into one: the PIC latches one request); re-arms the next. */
unsigned vpit_update(struct vpit *p, uint64_t now);

/* Guest TSC at which IRQ0 rises next, or 0 when it will not. */
uint64_t vpit_next_irq(const struct vpit *p);

/* Channel ch's counter at now, as a read would see it (no latching). */
uint16_t vpit_count(const struct vpit *p, unsigned ch, uint64_t now);

/* Channel ch's output at now. */
bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now);

/* Save into s at now (times relative to now), load at a possibly other now. */
void vpit_save(const struct vpit *p, uint64_t now, struct gs_vpit *s);
void vpit_load(struct vpit *p, const struct gs_vpit *s, uint64_t now);

#endif
