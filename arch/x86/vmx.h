/*
 * VMX operation on this CPU: bring-up (VMXON), VMCS access, and running
 * a guest until its next VM exit. SDM Vol. 3C chapters 24-31.
 */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include "arch/x86/vmcs.h"
#include "arch/x86/vmxcap.h"
#include "lib/types.h"

/* Guest general registers by x86 register number; [4] (RSP) lives in the VMCS. */
#define GPR_RAX 0
#define GPR_RCX 1
#define GPR_RDX 2
#define GPR_RBX 3
#define GPR_RSP 4
#define GPR_RBP 5
#define GPR_RSI 6
#define GPR_RDI 7
#define GPR_COUNT 16

/*
 * Enable VMX on this CPU: check CPUID and the capability MSRs for what
 * the hypervisor requires (EPT with WB and 4-level walks, unrestricted
 * guest, I/O and MSR bitmaps, VMX-preemption timer), set and lock
 * IA32_FEATURE_CONTROL if the firmware left it unlocked, apply the CR0/CR4
 * fixed bits and execute VMXON. Returns 0, or -ENODEV with the reason
 * logged. Safe to call again (returns the first result).
 */
int vmx_init(void);

/*
 * Leave VMX operation (VMXOFF, CR4.VMXE cleared) before a reset: INIT is
 * blocked in VMX root operation (SDM Vol. 3C 24.8), and firmware that
 * starts with the CPU still in it does not come back up.
 */
void vmx_off(void);

/* Whether vmx_init succeeded, and the capabilities it found. */
bool vmx_ready(void);
const struct vmx_caps *vmx_get_caps(void);
/* Why vmx_init failed ("" when it did not). */
const char *vmx_failure(void);

/* Allocate a VMCS region with this CPU's revision id; 0 when out of memory. */
hpa_t vmx_vmcs_alloc(void);
/* VMCLEAR and VMPTRLD: make vmcs current. Returns 0 or -EIO (error logged). */
int vmx_vmcs_load(hpa_t vmcs, bool clear_first);

/* VMREAD / VMWRITE of the current VMCS; a failure is logged with the field. */
uint64_t vmcs_read(uint32_t field);
void vmcs_write(uint32_t field, uint64_t value);

/*
 * Adjust a control value to what the CPU allows (allowed-0 bits forced on,
 * allowed-1 bits forced off), from the capability MSR for that control
 * (use the TRUE_* one when available). Returns -ENODEV if a bit in
 * required is not allowed, and reports it via *missing.
 */
int vmx_adjust_controls(uint32_t msr, uint32_t wanted, uint32_t required, uint32_t *out,
			uint32_t *missing);

/* Guest CR0/CR4 with the VMX fixed bits applied (PE/PG free with unrestricted guest). */
uint64_t vmx_fixed_cr0(uint64_t cr0);
uint64_t vmx_fixed_cr4(uint64_t cr4);
/* Bits the guest may not choose: they go in the guest/host masks. */
uint64_t vmx_cr0_forced_bits(void);
uint64_t vmx_cr4_forced_bits(void);

/* Fill the host-state area of the current VMCS from this CPU's state. */
void vmx_setup_host_state(void);

/*
 * Enter the guest of the current VMCS with gpr loaded (VMLAUNCH when
 * !launched, else VMRESUME) and come back at its next VM exit with gpr
 * saved. Returns 0 after a VM exit, or the VM-instruction error number
 * (>0) / -1 (VMfailInvalid) when the entry itself failed.
 */
int vmx_enter(uint64_t *gpr, bool launched);

/* INVEPT single-context for eptp (all-context when unsupported). */
void vmx_invept(uint64_t eptp);

/* INVVPID all-context: forget every VPID-tagged translation (before VPIDs are reused). */
void vmx_invvpid_all(void);

#endif
