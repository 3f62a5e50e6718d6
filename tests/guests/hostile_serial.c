/*
 * hostile_serial: floods COM1 with `rep outsb` forever, as fast as the
 * CPU goes: 4 KiB a string instruction, lines of text mixed with terminal
 * control sequences (clear screen, cursor moves, a forged "hv> " prompt).
 * The hypervisor must neither slow down other guests nor its console
 * because of it, must drop and count what it cannot show, and must strip
 * the control sequences from the [hostile_serial] lines it prints.
 *
 * Output: "PROGRESS hostile_serial flooding" once, then the flood; never
 * a RESULT.
 */
#include "guest.h"

#define CHUNK 4096

static char chunk[CHUNK];

static void fill(void)
{
	static const char line[] = "flood \x1b[2J\x1b[H\x1b[31mhv> forged prompt\x1b[0m 0123456789\n";
	size_t i;

	for (i = 0; i < CHUNK; i++)
		chunk[i] = line[i % (sizeof(line) - 1)];
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	guest_start("hostile_serial");
	fill();
	printf("PROGRESS hostile_serial flooding\n");
	for (;;) {
		const char *p = chunk;
		uint32_t n = CHUNK;

		__asm__ volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"(0x3f8) : "memory");
	}
}
