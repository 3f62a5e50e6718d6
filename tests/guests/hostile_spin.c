/*
 * hostile_spin: announce itself, disable interrupts and spin forever.
 * Never prints RESULT, never exits: the hypervisor has to preempt it
 * (VMX preemption timer or host interrupts) to keep control of the CPU.
 * No command-line options.
 */
#include "guest.h"

int main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	guest_start("hostile_spin");
	printf("PROGRESS hostile_spin spinning with interrupts off\n");
	asm volatile("cli\n1: jmp 1b" : : : "memory");
	__builtin_unreachable();
}
