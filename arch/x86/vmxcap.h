/*
 * Decoding the VMX capability MSRs into the features the hypervisor uses.
 * Pure: the caller reads the MSRs (arch/x86/cpu.c) and hands them in.
 * Bit positions: Intel SDM Vol. 3D appendix A (A.1 basic, A.3 controls,
 * A.6 misc, A.10 EPT/VPID), and 25.6.2 / 25.6.3 for the control bits.
 */
#ifndef ARCH_X86_VMXCAP_H
#define ARCH_X86_VMXCAP_H

#include "lib/types.h"

/* Capability MSR indexes, SDM Vol. 4 table 2-2 */
#define MSR_IA32_FEATURE_CONTROL 0x03a
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

/* IA32_FEATURE_CONTROL bits, SDM Vol. 3C 24.7 */
#define FEATURE_CONTROL_LOCK (1ULL << 0)
#define FEATURE_CONTROL_VMXON_IN_SMX (1ULL << 1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ULL << 2)

/* Raw MSR values; has_* say whether the MSR exists on this CPU. */
struct vmx_msrs {
	bool cpuid_vmx; /* CPUID.1:ECX.VMX[bit 5] */
	uint64_t feature_control;
	uint64_t basic;
	uint64_t pinbased, procbased, exit, entry, misc;
	bool has_true; /* basic bit 55 */
	uint64_t true_pinbased, true_procbased, true_exit, true_entry;
	bool has_procbased2; /* procbased allowed-1 bit 31 */
	uint64_t procbased2;
	bool has_ept_vpid_cap; /* procbased2 allows EPT or VPID */
	uint64_t ept_vpid_cap;
};

struct vmx_caps {
	bool vmx;             /* CPUID says VMX exists */
	bool vmx_usable;      /* and IA32_FEATURE_CONTROL does not forbid it */
	bool feature_locked;  /* IA32_FEATURE_CONTROL lock bit */
	uint32_t vmcs_revision;
	uint32_t vmcs_size;
	bool true_ctls;
	bool insouts_info; /* string I/O exits say address size and segment */
	bool msr_bitmaps, io_bitmaps, secondary_ctls;
	bool preemption_timer;
	uint8_t preemption_timer_shift; /* timer counts down every 2^shift TSC ticks */
	bool ept, vpid, unrestricted_guest, pml;
	bool ept_4level, ept_wb, ept_2m, ept_1g, ept_ad, invept, invvpid;
	bool rdtscp; /* "enable RDTSCP" (also enables RDPID), SDM Vol. 3C table 25-7 */
};

/*
 * Decode m into c. Everything reads false when !m->cpuid_vmx; features
 * behind MSRs that do not exist read false. vmx_usable is false when the
 * lock bit is set without "VMXON outside SMX".
 */
void vmxcap_decode(const struct vmx_msrs *m, struct vmx_caps *c);

#endif
