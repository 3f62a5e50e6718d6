/*
 * The guest's keyboard controller as far as an OS needs it without a
 * keyboard: an i8042 at ports 0x60 (data) and 0x64 (status/command) that
 * answers the controller's own commands and resets the machine on a
 * pulse of its reset line, and port 0x92 (System Control Port A), whose
 * bit 0 is the fast reset. A pure model: a reset is reported to the
 * caller, which ends the guest the way it ends one that triple-faults.
 *
 * IBM PC/AT Technical Reference, "Keyboard Controller" (commands 20h,
 * 60h, AAh, ABh, ADh, AEh, C0h, D0h, D1h, F0h-FFh, the status register);
 * port 0x92: IBM PS/2 Hardware Interface Technical Reference, "System
 * Control Port A". No keyboard or mouse answers: commands written to
 * port 0x60 for the devices get no reply, as with none plugged in.
 */
#ifndef KERNEL_VKBC_H
#define KERNEL_VKBC_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VKBC_PORT_DATA 0x60
#define VKBC_PORT_CMD 0x64
#define VKBC_PORT_SYSCTL_A 0x92

struct vkbc {
	uint8_t command_byte;
	uint8_t out_buf;
	bool out_full;      /* status bit 0: a byte waits at port 0x60 */
	uint8_t pending;    /* a command whose data byte comes next at 0x60, 0 none */
	uint8_t output_port;
	uint8_t port92;
	bool reset;         /* the guest pulsed a reset line (not guest state) */
};

/* Power-on state: self-test passed, keyboard interface enabled, A20 on. */
void vkbc_init(struct vkbc *k);

/* Whether port is 0x60, 0x64 or 0x92. */
bool vkbc_is_port(uint16_t port);

/* Byte reads and writes of 0x60, 0x64, 0x92. */
uint8_t vkbc_read(struct vkbc *k, uint16_t port);
void vkbc_write(struct vkbc *k, uint16_t port, uint8_t val);

/* Whether the guest asked for a reset since the last call; clears it. */
bool vkbc_take_reset(struct vkbc *k);

/* Save into s and load from s. */
void vkbc_save(const struct vkbc *k, struct gs_vkbc *s);
void vkbc_load(struct vkbc *k, const struct gs_vkbc *s);

#endif
