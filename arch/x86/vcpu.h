/*
 * The VMX side of a vCPU: its VMCS, entering it, injecting events.
 * kernel/ code drives vCPUs only through this header.
 */
#ifndef ARCH_X86_VCPU_H
#define ARCH_X86_VCPU_H

#include "kernel/types.h"
#include "kernel/vcpu.h"

/* Multiboot machine state: 32-bit flat protected mode, paging off (spec 3.2). */
struct vcpu_boot_state {
	uint32_t eip, eax, ebx;
};

/*
 * Allocate and fill the vCPU's VMCS: controls, host state, the guest
 * state for boot, EPT pointer. Returns 0, -ENOMEM, or -ENODEV when the
 * CPU lacks a required control (logged).
 */
int vcpu_arch_init(struct vcpu *v, const struct vcpu_boot_state *boot, uint64_t eptp);

/* Release the VMCS (VMCLEAR first). */
void vcpu_arch_destroy(struct vcpu *v);

enum vcpu_run_result {
	VCPU_PREEMPTED, /* slice used up, or a host interrupt is waiting */
	VCPU_HALTED,    /* the guest waits in HLT for an interrupt */
	VCPU_STOPPED,   /* the guest was stopped (see its reason) */
};

/*
 * Run v until the slice (in TSC ticks) ends, it halts, or it is stopped.
 * Exits are handled inside (arch/x86/vmexit.c). Called with interrupts
 * disabled; returns with them disabled.
 */
enum vcpu_run_result vcpu_run(struct vcpu *v, uint64_t slice_tsc);

/* Queue a hardware exception (e.g. #GP with error code 0) for the next entry. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);

/* Whether an interrupt for the halted vCPU has arrived (timer due, IRR set). */
bool vcpu_has_wakeup(struct vcpu *v, uint64_t now_tsc);

/* Read guest registers of v for diagnostics (its VMCS becomes current). */
struct vcpu_snapshot {
	uint64_t rip, rsp, rflags, cr0, cr3, cr4, efer;
	uint64_t gpr[16];
	uint32_t cs, interruptibility, activity;
	uint32_t pin, proc, proc2, entry, exit;
	uint64_t eptp;
};
void vcpu_snapshot(struct vcpu *v, struct vcpu_snapshot *s);

#endif
