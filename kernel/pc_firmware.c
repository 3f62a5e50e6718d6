/*
 * The BIOS's leftovers for multiboot guests (see pc_firmware.h). The
 * port writes are the ones SeaBIOS makes (its pic_reset and
 * pit_setup): 8259A ICW1-ICW4 (Intel 8259A data sheet, "Initialization
 * Command Words"), 8254 control word 0x36 (counter 0, LSB then MSB,
 * mode 3, binary) and a count of 0 (65536: 1193182 / 65536 = 18.2 Hz).
 */
#include "kernel/pc_firmware.h"

#define IVT_ENTRIES 256
#define MASTER_BASE 0x08 /* IRQ0-7: the real-mode BIOS's vectors */
#define SLAVE_BASE 0x70  /* IRQ8-15 */
#define IMR_TIMER_AND_CASCADE 0xfa /* open: IRQ0 (timer), IRQ2 (cascade) */

/* Real-mode code at F000:FF00: IRET, then the two EOI-and-return handlers. */
static const uint8_t handlers[] = {
	/* +0: any other vector */
	0xcf,                   /* iret */
	/* +1: IRQ0-7 */
	0x50,                   /* push ax */
	0xb0, 0x20,             /* mov al, 0x20 (non-specific EOI) */
	0xe6, 0x20,             /* out 0x20, al */
	0x58,                   /* pop ax */
	0xcf,                   /* iret */
	/* +8: IRQ8-15: the slave, then the master's cascade input */
	0x50,                   /* push ax */
	0xb0, 0x20,             /* mov al, 0x20 */
	0xe6, 0xa0,             /* out 0xa0, al */
	0xe6, 0x20,             /* out 0x20, al */
	0x58,                   /* pop ax */
	0xcf,                   /* iret */
};
enum { IRET_AT = 0, MASTER_AT = 1, SLAVE_AT = 8 };

static uint32_t far_ptr(unsigned at)
{
	return PC_FIRMWARE_SEG << 16 | (PC_FIRMWARE_OFF + at);
}

int pc_firmware_write(const struct guest_ram *ram)
{
	uint8_t ivt[IVT_ENTRIES * 4];
	uint32_t v, p;
	gpa_t code = (gpa_t)PC_FIRMWARE_SEG * 16 + PC_FIRMWARE_OFF;

	for (v = 0; v < IVT_ENTRIES; v++) {
		if (v >= MASTER_BASE && v < MASTER_BASE + 8)
			p = far_ptr(MASTER_AT);
		else if (v >= SLAVE_BASE && v < SLAVE_BASE + 8)
			p = far_ptr(SLAVE_AT);
		else
			p = far_ptr(IRET_AT);
		ivt[v * 4] = (uint8_t)p;
		ivt[v * 4 + 1] = (uint8_t)(p >> 8);
		ivt[v * 4 + 2] = (uint8_t)(p >> 16);
		ivt[v * 4 + 3] = (uint8_t)(p >> 24);
	}
	if (ram->write(ram->ctx, 0, ivt, sizeof(ivt)))
		return -EINVAL;
	return ram->write(ram->ctx, code, handlers, sizeof(handlers)) ? -EINVAL : 0;
}

void pc_firmware_program(struct pcdev *pc, uint64_t now)
{
	static const struct {
		uint16_t port;
		uint8_t val;
	} writes[] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 },               /* ICW1: edge, cascade, ICW4 */
		{ 0x21, MASTER_BASE }, { 0xa1, SLAVE_BASE },  /* ICW2: vector bases */
		{ 0x21, 0x04 }, { 0xa1, 0x02 },               /* ICW3: slave on IR2 */
		{ 0x21, 0x01 }, { 0xa1, 0x01 },               /* ICW4: 8086 mode */
		{ 0x21, IMR_TIMER_AND_CASCADE }, { 0xa1, 0xff },
		{ 0x43, 0x36 }, { 0x40, 0x00 }, { 0x40, 0x00 }, /* PIT channel 0: mode 3, 65536 */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(writes); i++)
		pcdev_write(pc, writes[i].port, writes[i].val, now);
}
