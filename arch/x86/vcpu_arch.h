/*
 * The VMX part of a vCPU, embedded in the generic struct vcpu
 * (kernel/vcpu.h) as ACRN embeds acrn_vcpu_arch: only arch/x86/ reads or
 * writes it. Host resources and statistics, no guest state: the guest's
 * registers live in the VMCS and struct vcpu, and leave through the
 * guest-state record.
 */
#ifndef ARCH_X86_VCPU_ARCH_H
#define ARCH_X86_VCPU_ARCH_H

#include "arch/x86/vmcs.h"
#include "lib/types.h"

struct vcpu_arch {
	hpa_t vmcs;
	uint64_t eptp;             /* its guest's EPT pointer, for INVEPT */
	uint16_t vpid;
	bool launched;
	uint32_t last_exit_reason; /* basic reason of the latest VM exit */
	uint64_t exits[VMX_EXIT_REASON_MAX], exits_total;
	/* TSC ticks from VM exit to the next entry, over exits handled without leaving the run loop */
	uint64_t handling_tsc[VMX_EXIT_REASON_MAX], handled_exits[VMX_EXIT_REASON_MAX];
	/* page-modification logging (arch/x86/dirty_vmx.c) */
	hpa_t pml_page;            /* the 512-entry log while PML was ever on */
	bool pml_want, pml_live;   /* asked for / enabled in the VMCS */
};

#endif
