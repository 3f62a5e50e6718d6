/*
 * The i8042 and port 0x92. Pure: see vkbc.h.
 */
#include <string.h>

#include "kernel/vkbc.h"

/* Status register (port 0x64 read). */
#define STATUS_OBF 0x01    /* output buffer full */
#define STATUS_SYS 0x04    /* system flag: self-test passed */
#define STATUS_CMD 0x08    /* last write was to port 0x64 */
#define STATUS_UNLOCK 0x10 /* keyboard not inhibited */

/* Controller commands (port 0x64 write). */
#define CMD_READ_CB 0x20
#define CMD_WRITE_CB 0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_AUX_TEST 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_INPUT 0xc0
#define CMD_READ_OUTPUT 0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_PULSE_FIRST 0xf0 /* F0h-FFh pulse output port bits 3:0 that are 0 */

#define SELF_TEST_OK 0x55
#define INTERFACE_OK 0x00
#define CB_KBD_DISABLED 0x10
#define CB_AUX_DISABLED 0x20
#define CB_RESET 0x45 /* keyboard interrupt, system flag, translation */
#define OUT_RESET_LINE 0x01 /* output port bit 0: 0 resets the CPU */
#define OUT_A20 0x02
#define OUT_RESET_STATE 0x03

/* Port 0x92. */
#define SYSA_FAST_RESET 0x01
#define SYSA_A20 0x02

void vkbc_init(struct vkbc *k)
{
	memset(k, 0, sizeof(*k));
	k->command_byte = CB_RESET;
	k->output_port = OUT_RESET_STATE;
	k->port92 = SYSA_A20;
}

bool vkbc_is_port(uint16_t port)
{
	return port == VKBC_PORT_DATA || port == VKBC_PORT_CMD || port == VKBC_PORT_SYSCTL_A;
}

static void reply(struct vkbc *k, uint8_t val)
{
	k->out_buf = val;
	k->out_full = true;
}

static void command(struct vkbc *k, uint8_t cmd)
{
	if (cmd >= CMD_PULSE_FIRST) {
		/* a 0 in bit 0 pulses the reset line (FEh is the common reset) */
		if (!(cmd & OUT_RESET_LINE))
			k->reset = true;
		return;
	}
	switch (cmd) {
	case CMD_READ_CB:
		reply(k, k->command_byte);
		break;
	case CMD_WRITE_CB:
	case CMD_WRITE_OUTPUT:
		k->pending = cmd;
		break;
	case CMD_SELF_TEST:
		reply(k, SELF_TEST_OK);
		break;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST:
		reply(k, INTERFACE_OK);
		break;
	case CMD_KBD_DISABLE:
		k->command_byte |= CB_KBD_DISABLED;
		break;
	case CMD_KBD_ENABLE:
		k->command_byte &= (uint8_t)~CB_KBD_DISABLED;
		break;
	case CMD_AUX_DISABLE:
		k->command_byte |= CB_AUX_DISABLED;
		break;
	case CMD_AUX_ENABLE:
		k->command_byte &= (uint8_t)~CB_AUX_DISABLED;
		break;
	case CMD_READ_INPUT:
		reply(k, 0xa0); /* keyboard not inhibited, colour display */
		break;
	case CMD_READ_OUTPUT:
		reply(k, k->output_port);
		break;
	default:
		break; /* unknown: ignored, as an 8042 does */
	}
}

static void data(struct vkbc *k, uint8_t val)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd == CMD_WRITE_CB) {
		k->command_byte = val;
	} else if (cmd == CMD_WRITE_OUTPUT) {
		/* a low reset line resets the CPU: the request is taken as a
		 * pulse, so the port reads (and saves) with the line high again,
		 * as after the reset */
		k->output_port = val | OUT_RESET_LINE;
		if (!(val & OUT_RESET_LINE))
			k->reset = true;
	}
	/* else a byte for the keyboard, which is absent: no reply */
}

uint8_t vkbc_read(struct vkbc *k, uint16_t port)
{
	if (port == VKBC_PORT_SYSCTL_A)
		return k->port92 & (uint8_t)~SYSA_FAST_RESET;
	if (port == VKBC_PORT_CMD)
		return (k->out_full ? STATUS_OBF : 0) | STATUS_SYS | STATUS_UNLOCK |
		       (k->pending ? STATUS_CMD : 0);
	k->out_full = false;
	return k->out_buf;
}

void vkbc_write(struct vkbc *k, uint16_t port, uint8_t val)
{
	if (port == VKBC_PORT_SYSCTL_A) {
		/* a 0 to 1 transition of bit 0 resets the processor */
		if ((val & SYSA_FAST_RESET) && !(k->port92 & SYSA_FAST_RESET))
			k->reset = true;
		k->port92 = val & SYSA_A20; /* bit 0 reads back 0 once the reset pulsed */
	} else if (port == VKBC_PORT_CMD) {
		command(k, val);
	} else if (port == VKBC_PORT_DATA) {
		data(k, val);
	}
}

bool vkbc_take_reset(struct vkbc *k)
{
	bool r = k->reset;

	k->reset = false;
	return r;
}

void vkbc_save(const struct vkbc *k, struct gs_vkbc *s)
{
	*s = (struct gs_vkbc){
		.command_byte = k->command_byte, .out_buf = k->out_buf, .out_full = k->out_full,
		.pending = k->pending, .output_port = k->output_port, .port92 = k->port92,
	};
}

void vkbc_load(struct vkbc *k, const struct gs_vkbc *s)
{
	k->command_byte = s->command_byte;
	k->out_buf = s->out_buf;
	k->out_full = s->out_full;
	k->pending = s->pending == CMD_WRITE_CB || s->pending == CMD_WRITE_OUTPUT ? s->pending : 0;
	k->output_port = s->output_port | OUT_RESET_LINE;
	k->port92 = s->port92 & SYSA_A20;
	k->reset = false;
}
