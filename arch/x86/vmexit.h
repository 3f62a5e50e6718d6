/*
 * VM-exit handling: one handler per basic exit reason, each with a
 * deliberate outcome (emulate, inject a fault, or stop the guest with a
 * diagnostic). No exit falls through to a panic of the hypervisor.
 */
#ifndef ARCH_X86_VMEXIT_H
#define ARCH_X86_VMEXIT_H

#include "lib/types.h"
#include "kernel/vcpu.h"

enum exit_action {
	EXIT_RESUME, /* enter the guest again */
	EXIT_YIELD,  /* back to the scheduler (host interrupt, slice end) */
	EXIT_HALT,   /* the guest halted */
	EXIT_STOP,   /* the guest was stopped */
};

/*
 * CR4 bits guests may not set, because CPUID (arch/x86/cpuid_filter.c)
 * does not offer their features: UMIP (11), LA57 (12), VMXE (13, no
 * nested VMX), SMXE (14), OSXSAVE (18, XSAVE is not offered), KL (19),
 * PKE (22), CET (23), PKS (24), UINTR (25), LAM_SUP (28). SDM Vol. 3A 2.5:
 * setting a bit for an unsupported feature is #GP.
 */
#define VMEXIT_CR4_GUEST_FORBIDDEN ((1ULL << 11) | (1ULL << 12) | (1ULL << 13) | \
	(1ULL << 14) | (1ULL << 18) | (1ULL << 19) | (1ULL << 22) | (1ULL << 23) | \
	(1ULL << 24) | (1ULL << 25) | (1ULL << 28))

/*
 * The CR4 bits a guest may set: those of the features its CPUID offers
 * (arch/x86/cpuid_filter.c). Every other bit is in the CR4 guest/host
 * mask, so setting one exits and gets #GP.
 */
uint64_t vmexit_cr4_allowed(void);

/* Handle the exit that just happened on v (its VMCS is current). */
enum exit_action vmexit_handle(struct vcpu *v);

/* CR0 / CR4 as the guest reads them (guest-owned bits and read shadow), current VMCS. */
uint64_t vmexit_guest_cr0(void);
uint64_t vmexit_guest_cr4(void);

/* Advance the guest RIP past the exiting instruction; blocking by STI/MOV SS ends. */
void vmexit_skip_instruction(void);

/* The same for an instruction of len bytes the hypervisor decoded and emulated. */
void vmexit_skip_bytes(unsigned len);

/* Guest register n (RSP from the VMCS). */
uint64_t vmexit_get_reg(struct vcpu *v, unsigned n);
void vmexit_set_reg(struct vcpu *v, unsigned n, uint64_t val);

/* MSR and port I/O emulation (arch/x86/vmexit_msr.c, vmexit_io.c). */
enum exit_action vmexit_rdmsr(struct vcpu *v);
enum exit_action vmexit_wrmsr(struct vcpu *v);
enum exit_action vmexit_io(struct vcpu *v, uint64_t qual);
enum exit_action vmexit_ept_violation(struct vcpu *v, uint64_t qual);

#endif
