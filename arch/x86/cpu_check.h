/*
 * Whether a vCPU state (struct gs_cpu, as a snapshot or a migration
 * stream carries it) is one this machine can run: the checks VM entry
 * makes on the guest-state area (SDM Vol. 3C 27.3.1) and the
 * architectural rules the guest's own MOV to CR0/CR4 and WRMSR EFER
 * enforce here (arch/x86/vmexit.c, vmexit_msr.c), applied before the
 * state is loaded, so a bad record is refused with a reason instead of
 * failing VM entry (or confusing the guest) after it was accepted.
 *
 * Pure: the machine's side comes in as a policy (arch/x86/vcpu_state.c
 * builds it from the VMX capability MSRs and the CPUID the guest sees).
 */
#ifndef ARCH_X86_CPU_CHECK_H
#define ARCH_X86_CPU_CHECK_H

#include "kernel/guest_state.h"
#include "lib/types.h"

struct cpu_check_policy {
	uint64_t cr0_fixed1;  /* CR0 bits the CPU can hold in VMX operation (IA32_VMX_CR0_FIXED1) */
	uint64_t cr4_allowed; /* CR4 bits a guest may set: its CPUID, within IA32_VMX_CR4_FIXED1 */
	unsigned phys_bits;   /* MAXPHYADDR (CPUID 0x80000008 EAX[7:0]) */
};

/*
 * 0 when c may be loaded, else -EINVAL with what is wrong in err
 * ("cpu: RIP 0x... not canonical in 64-bit mode").
 */
int cpu_check_state(const struct gs_cpu *c, const struct cpu_check_policy *p, char *err,
		    size_t errlen);

#endif
