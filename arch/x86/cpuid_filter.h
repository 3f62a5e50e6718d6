/*
 * What CPUID tells a guest: the host's answer, edited. Pure, so the
 * policy is unit-tested on the host.
 */
#ifndef ARCH_X86_CPUID_FILTER_H
#define ARCH_X86_CPUID_FILTER_H

#include "lib/types.h"

#define HV_CPUID_BASE 0x40000000
#define HV_CPUID_TIMING 0x40000010
#define CPUID_LEAF_TSC 0x15  /* TSC / crystal clock ratio, SDM Vol. 2A CPUID */
#define CPUID_LEAF_FREQ 0x16 /* processor frequency information */
#define HV_CPUID_SIGNATURE "HVmicrovisor" /* 12 bytes in EBX, ECX, EDX */

struct cpuid_guest_info {
	uint32_t apic_id;
	uint64_t tsc_khz;
	uint64_t apic_bus_khz;
	bool osxsave; /* guest CR4.OSXSAVE (never set: XSAVE is hidden) */
	bool rdtscp;  /* the vCPU runs with "enable RDTSCP": RDTSCP and RDPID work */
	bool apic_enabled; /* IA32_APIC_BASE.EN: CPUID.1:EDX.APIC follows it (SDM Vol. 3A 11.4.3) */
};

/*
 * Edit regs[4] (EAX, EBX, ECX, EDX as the host CPU returned them for
 * leaf/subleaf) into what the guest sees: no VMX/SMX/SVM, no XSAVE/AVX
 * (nor FMA and F16C, which need AVX state),
 * MONITOR, MTRR, MCE/MCA, PMU, INVPCID, and RDTSCP and RDPID unless
 * g->rdtscp; x2APIC and TSC-deadline
 * offered (emulated); the hypervisor bit set; one logical processor with
 * the guest's APIC ID; leaf 6 only ARAT; leaves 0x15/0x16 give the TSC and APIC timer
 * frequencies (the maximum basic leaf raised to 0x16 when lower); hypervisor leaves 0x40000000 (signature) and
 * 0x40000010 (TSC and APIC bus kHz).
 */
void cpuid_filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_guest_info *g,
		  uint32_t regs[4]);

/*
 * The CR4 bits a guest may set, given the leaf 1 and leaf 7 (subleaf 0)
 * answers it sees (after cpuid_filter): each feature bit of CR4 only
 * when CPUID offers the feature (SDM Vol. 3A 2.5, table 2-2 footnotes).
 * VMXE, SMXE, OSXSAVE and the rest of what is hidden are never allowed.
 */
uint64_t cpuid_guest_cr4_allowed(const uint32_t leaf1[4], const uint32_t leaf7[4]);

#endif
