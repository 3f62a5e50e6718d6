/*
 * Hidden "debug" command: deliberate failures, so tests can check that a
 * fault in the hypervisor is reported with a register dump and halts the
 * machine instead of resetting it.
 */
#include <string.h>
#include "arch/x86/paging.h"
#include "kernel/commands.h"
#include "kernel/panic.h"

/* An address no identity map covers: past 2^47, it is non-canonical and raises #GP. */
#define NONCANONICAL_ADDR 0x0000800000000000ULL
/* Mapped only up to the top of memory: 1 TiB is beyond what the emulators give. */
#define UNMAPPED_ADDR GiB(1024)

static void fault(const char *kind, struct reply *r)
{
	if (!strcmp(kind, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(kind, "pf"))
		*(volatile uint64_t *)phys_to_virt(UNMAPPED_ADDR) = 1;
	else if (!strcmp(kind, "gp"))
		*(volatile uint64_t *)phys_to_virt(NONCANONICAL_ADDR) = 1;
	else if (!strcmp(kind, "de"))
		/* in assembly: the compiler may fold a C division by zero away */
		__asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; div %%ecx"
				 ::: "eax", "ecx", "edx");
	else if (!strcmp(kind, "bp"))
		__asm__ volatile("int3");
	else
		reply_error(r, "unknown fault '%s' (ud, pf, gp, de, bp)", kind);
}

void cmd_debug(struct reply *r, int argc, char **argv)
{
	if (!strcmp(argv[1], "fault") && argc == 3)
		fault(argv[2], r);
	else if (!strcmp(argv[1], "panic") && argc == 2)
		panic("requested from the console");
	else
		reply_error(r, "usage: debug fault ud|pf|gp|de|bp | debug panic");
}
