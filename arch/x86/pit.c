/*
 * PIT channel 2 as a one-shot stopwatch. Channel 2's gate and output are
 * wired to port 0x61 bits 0 and 5 on every PC (the speaker port), so it
 * can be polled without interrupts. Intel 8254 data sheet, mode 0.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"

#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PORT_SPEAKER 0x61
#define SPEAKER_GATE2 0x01
#define SPEAKER_DATA 0x02
#define SPEAKER_OUT2 0x20
/* channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count), binary */
#define PIT_CMD_CH2_MODE0 0xb0
#define PIT_MAX_SPINS 100000000ULL

bool pit_wait_ms(unsigned ms)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * ms / 1000);
	uint64_t spins;
	uint8_t v;

	if (ms == 0 || count > 0xffff)
		return false;
	/* gate low while programming; speaker data off so nothing beeps */
	v = inb(PORT_SPEAKER) & ~(SPEAKER_DATA | SPEAKER_GATE2);
	outb(PORT_SPEAKER, v);
	outb(PIT_COMMAND, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	/* a rising gate starts the count; OUT2 goes high at terminal count */
	outb(PORT_SPEAKER, v | SPEAKER_GATE2);
	for (spins = 0; spins < PIT_MAX_SPINS; spins++)
		if (inb(PORT_SPEAKER) & SPEAKER_OUT2)
			return true;
	return false;
}
