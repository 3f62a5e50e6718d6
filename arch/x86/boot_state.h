/*
 * Initial CPU states a guest can start in, as state records: booting is
 * one producer of a struct gs_cpu, restoring a snapshot another, and both
 * are loaded the same way (arch/x86/vcpu_state.c). Pure.
 */
#ifndef ARCH_X86_BOOT_STATE_H
#define ARCH_X86_BOOT_STATE_H

#include "kernel/guest_state.h"

/*
 * The machine state a multiboot kernel starts in (Multiboot 0.6.96 section
 * 3.2): 32-bit flat protected mode, paging off, interrupts off, EAX = the
 * loader magic, EBX = the information structure, EIP = the entry point.
 * Everything else is the power-on state (SDM Vol. 3A 10.1.1 table 10-1);
 * tsc is the guest's starting TSC.
 */
void boot_state_multiboot(struct gs_cpu *c, uint32_t eip, uint32_t eax, uint32_t ebx,
			  uint64_t tsc);

/*
 * The machine state of Linux's 64-bit boot protocol (boot.rst "64-bit
 * BOOT PROTOCOL"): long mode with paging (CR3 = cr3, identity-mapped),
 * the GDT at gdt_base/gdt_limit with CS = __BOOT_CS (0x10, 64-bit code)
 * and DS/ES/SS = __BOOT_DS (0x18), interrupts off, RSI = the zero page,
 * RIP = the kernel's load address + 0x200, RSP = rsp. Otherwise the
 * power-on state, as boot_state_multiboot.
 */
void boot_state_linux64(struct gs_cpu *c, uint64_t rip, uint64_t rsi, uint64_t rsp,
			uint64_t cr3, uint64_t gdt_base, uint16_t gdt_limit, uint64_t tsc);

#endif
