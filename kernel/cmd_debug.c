/*
 * Hidden "debug" command: deliberate failures, so tests can check that a
 * fault in the hypervisor is reported with a register dump and halts the
 * machine instead of resetting it.
 */
#include <string.h>
#include "arch/x86/paging.h"
#include "kernel/commands.h"
#include "kernel/panic.h"
#include "net/nic.h"

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

/* debug nic-fault IF: the NIC reports an error; its driver must reset it and carry on. */
static void nic_fault(const char *name, struct reply *r)
{
	struct nic *nic = NULL;
	int i;

	for (i = 0; i < nic_count(); i++)
		if (!strcmp(nic_get(i)->name, name))
			nic = nic_get(i);
	if (!nic)
		reply_error(r, "no interface '%s'", name);
	else if (!nic->ops->inject_fault)
		reply_error(r, "%s (%s) cannot inject a fault", name, nic->model);
	else if (nic->ops->inject_fault(nic))
		reply_error(r, "%s: fault injection failed", name);
	else
		reply_str(r, "injected", name);
}

static void cmd_debug(struct reply *r, int argc, char **argv)
{
	if (!strcmp(argv[1], "fault") && argc == 3)
		fault(argv[2], r);
	else if (!strcmp(argv[1], "nic-fault") && argc == 3)
		nic_fault(argv[2], r);
	else if (!strcmp(argv[1], "panic") && argc == 2)
		panic("requested from the console");
	else
		reply_error(r, "usage: debug fault ud|pf|gp|de|bp | debug nic-fault IF | debug panic");
}

COMMAND(debug, "fault ud|pf|gp|de|bp | nic-fault IF | panic", "deliberate failures, for tests", 1, 2, true, cmd_debug);
