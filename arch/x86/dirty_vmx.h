/*
 * The CPU side of dirty logging (kernel/dirty_log.h): INVEPT, the PML
 * control and a PML log page per vCPU, the PML-full exit. Context: the
 * CPU that runs the guests, with the vCPU's VMCS current where a
 * function takes a vcpu.
 */
#ifndef ARCH_X86_DIRTY_VMX_H
#define ARCH_X86_DIRTY_VMX_H

#include "arch/x86/vmexit.h"
#include "kernel/dirty_log.h"
#include "kernel/vcpu.h"

/* What this CPU offers dirty logging. */
void dirty_vmx_caps(struct dirty_caps *c);

/* The hardware operations for the dirty log of v's guest (ctx is v). */
void dirty_vmx_hw_ops(struct vcpu *v, struct dirty_hw_ops *hw);

/* Before v's next entries: apply a PML switch asked for meanwhile (run-loop hook). */
void dirty_vmx_vcpu_enter(struct vcpu *v);

/* v just left the CPU: drain its PML log into the guest's dirty log (scheduler hook). */
void dirty_vmx_vcpu_leave(struct vcpu *v);

/* Exit handler for VMX_EXIT_PML_FULL (SDM Vol. 3C 29.3.6): drain, reset, resume. */
enum exit_action dirty_vmx_pml_full(struct vcpu *v, uint64_t qual);

/* Forget v's PML state and free its log page (the guest is going away). */
void dirty_vmx_release(struct vcpu *v);

#endif
