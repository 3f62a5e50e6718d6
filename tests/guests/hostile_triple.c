/*
 * hostile_triple: loads an empty IDT (limit 0) and raises an exception.
 * Delivery fails (#GP), the #GP cannot be delivered (#DF), the #DF cannot
 * either: a triple fault, which the hypervisor must catch as a VM exit
 * and report. No RESULT line should ever appear; if execution continues
 * the guest prints RESULT hostile_triple fail.
 *
 * Command line (optional):
 *   insn=int3   the first exception source: int3 (default) or ud2; the
 *               other one is tried next if the first one returns
 */
#include "guest.h"
#include "idt.h"

static void trigger(const char *insn)
{
	printf("PROGRESS hostile_triple executing %s with an empty IDT\n", insn);
	if (!strcmp(insn, "ud2"))
		asm volatile("ud2" : : : "memory");
	else
		asm volatile("int3" : : : "memory");
	printf("PROGRESS hostile_triple %s returned\n", insn);
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	char arg[8];
	int ud2_first;

	(void)magic;
	(void)mbi;
	guest_start("hostile_triple");
	ud2_first = cmdline_get("insn", arg, sizeof(arg)) && !strcmp(arg, "ud2");
	cli();
	idt_load(0, 0);
	trigger(ud2_first ? "ud2" : "int3");
	trigger(ud2_first ? "int3" : "ud2");
	guest_fail("reason=no-triple-fault");
}
