/*
 * VMX bring-up and VMCS access. The required feature set is checked once
 * against the capability MSRs, so a missing feature is reported by name
 * at boot instead of surfacing later as an obscure VM-entry failure.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_names.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/physmem.h"

#define MSR_IA32_PAT 0x277
#define MSR_IA32_EFER 0xc0000080
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2

/* CR0 bits unrestricted guests may clear despite IA32_VMX_CR0_FIXED0, SDM Vol. 3D A.7 */
#define CR0_PE_PG (CR0_PE | CR0_PG)

static struct vmx_caps caps;
static struct vmx_msrs msrs;
static int init_result = 1; /* 1: not tried yet */
static char failure[160];
static uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;

extern char vmx_exit_entry[];

/* Record why VMX is unavailable; the caller reports it (once). */
static int fail(const char *why)
{
	fmt_snprintf(failure, sizeof(failure), "%s", why);
	return -ENODEV;
}

static bool vmx_insn_failed(void)
{
	uint64_t rflags = read_rflags();

	/* VMfailInvalid sets CF, VMfailValid sets ZF, SDM Vol. 3C 31.2 */
	return rflags & ((1ULL << 0) | (1ULL << 6));
}

static int vmxon(hpa_t region)
{
	uint8_t failed;

	__asm__ volatile("vmxon %1; setbe %0" : "=q"(failed) : "m"(region) : "cc", "memory");
	return failed ? -EIO : 0;
}

uint64_t vmcs_read(uint32_t field)
{
	uint64_t value = 0;
	uint8_t failed;

	__asm__ volatile("vmread %2, %1; setbe %0"
			 : "=q"(failed), "=r"(value) : "r"((uint64_t)field) : "cc");
	if (failed)
		log_error("vmx: VMREAD of field 0x%04x failed", field);
	return value;
}

void vmcs_write(uint32_t field, uint64_t value)
{
	uint8_t failed;

	__asm__ volatile("vmwrite %1, %2; setbe %0"
			 : "=q"(failed) : "r"(value), "r"((uint64_t)field) : "cc");
	if (failed)
		log_error("vmx: VMWRITE of 0x%lx to field 0x%04x failed: %s", value, field,
			  vmx_insn_error_name((uint32_t)vmcs_read(VMCS_VM_INSTRUCTION_ERROR)));
}

static int check_required(void)
{
	if (!caps.vmx)
		return fail("the CPU has no VMX (CPUID.1:ECX.VMX = 0)");
	if (!caps.vmx_usable)
		return fail("the firmware locked VMX off (IA32_FEATURE_CONTROL); enable it in set-up");
	if (!caps.secondary_ctls || !caps.ept || !caps.ept_4level || !caps.ept_wb)
		return fail("EPT with 4-level walks and write-back memory is required");
	if (!caps.unrestricted_guest)
		return fail("unrestricted guest is required");
	if (!caps.io_bitmaps || !caps.msr_bitmaps)
		return fail("I/O and MSR bitmaps are required");
	if (!caps.preemption_timer)
		return fail("the VMX-preemption timer is required");
	/* without INVEPT, stale guest-physical translations could outlive an EPT change */
	if (!caps.invept)
		return fail("INVEPT is required");
	return 0;
}

static int enable_feature_control(void)
{
	uint64_t fc = msrs.feature_control;

	if (fc & FEATURE_CONTROL_LOCK)
		return 0; /* check_required already refused a lock without VMXON */
	/* unlocked (as Bochs leaves it): allow VMXON outside SMX and lock, SDM Vol. 3C 24.7 */
	wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMXON_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
	log_info("vmx: IA32_FEATURE_CONTROL was unlocked; enabled VMXON and locked it");
	return 0;
}

static int enter_vmx_operation(void)
{
	hpa_t region = physmem_alloc_page();

	if (!region)
		return fail("no memory for the VMXON region");
	*(uint32_t *)phys_to_virt(region) = caps.vmcs_revision;
	cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* VMXON requires the fixed CR0/CR4 bits, SDM Vol. 3C 24.8 */
	write_cr0((read_cr0() | cr0_fixed0) & cr0_fixed1);
	write_cr4(((read_cr4() | CR4_VMXE) | cr4_fixed0) & cr4_fixed1);
	if (vmxon(region))
		return fail("VMXON failed");
	return 0;
}

int vmx_init(void)
{
	if (init_result != 1)
		return init_result;
	cpu_read_vmx_msrs(&msrs);
	vmxcap_decode(&msrs, &caps);
	init_result = check_required();
	if (!init_result)
		init_result = enable_feature_control();
	if (!init_result)
		init_result = enter_vmx_operation();
	if (!init_result)
		log_info("vmx: on (VMCS revision 0x%x, EPT A/D %s, PML %s, VPID %s)",
			 caps.vmcs_revision, caps.ept_ad ? "yes" : "no",
			 caps.pml ? "yes" : "no", caps.vpid ? "yes" : "no");
	return init_result;
}

void vmx_off(void)
{
	if (init_result != 0)
		return;
	__asm__ volatile("vmxoff" ::: "cc", "memory");
	write_cr4(read_cr4() & ~CR4_VMXE);
	init_result = -ENODEV;
	fmt_snprintf(failure, sizeof(failure), "VMX was turned off for a reset");
}

bool vmx_ready(void)
{
	return init_result == 0;
}

const struct vmx_caps *vmx_get_caps(void)
{
	return &caps;
}

const char *vmx_failure(void)
{
	return failure;
}

hpa_t vmx_vmcs_alloc(void)
{
	hpa_t vmcs = physmem_alloc_page();

	if (vmcs)
		*(uint32_t *)phys_to_virt(vmcs) = caps.vmcs_revision;
	return vmcs;
}

int vmx_vmcs_load(hpa_t vmcs, bool clear_first)
{
	if (clear_first) {
		__asm__ volatile("vmclear %0" : : "m"(vmcs) : "cc", "memory");
		if (vmx_insn_failed()) {
			log_error("vmx: VMCLEAR of 0x%lx failed", vmcs);
			return -EIO;
		}
	}
	__asm__ volatile("vmptrld %0" : : "m"(vmcs) : "cc", "memory");
	if (vmx_insn_failed()) {
		log_error("vmx: VMPTRLD of 0x%lx failed", vmcs);
		return -EIO;
	}
	return 0;
}

int vmx_adjust_controls(uint32_t msr, uint32_t wanted, uint32_t required, uint32_t *out,
			uint32_t *missing)
{
	uint64_t cap = rdmsr(msr);
	uint32_t allowed0 = (uint32_t)cap, allowed1 = (uint32_t)(cap >> 32);

	/* bits 31:0 must-be-one, bits 63:32 may-be-one, SDM Vol. 3D A.3 */
	*out = (wanted | allowed0) & allowed1;
	*missing = required & ~allowed1;
	return *missing ? -ENODEV : 0;
}

uint64_t vmx_fixed_cr0(uint64_t cr0)
{
	return (cr0 | (cr0_fixed0 & ~CR0_PE_PG)) & cr0_fixed1;
}

uint64_t vmx_fixed_cr4(uint64_t cr4)
{
	return (cr4 | cr4_fixed0) & cr4_fixed1;
}

uint64_t vmx_cr0_forced_bits(void)
{
	return (cr0_fixed0 & ~CR0_PE_PG) | ~cr0_fixed1;
}

uint64_t vmx_cr4_forced_bits(void)
{
	return cr4_fixed0 | ~cr4_fixed1;
}

void vmx_setup_host_state(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, GDT_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, 0);
	vmcs_write(VMCS_HOST_TR_BASE, gdt_tss_base());
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

int vmx_run_guest(uint64_t *gpr, int launched);

int vmx_enter(uint64_t *gpr, bool launched)
{
	int r = vmx_run_guest(gpr, launched);

	if (r == 1)
		return -1;
	if (r == 2)
		return (int)vmcs_read(VMCS_VM_INSTRUCTION_ERROR);
	return 0;
}

void vmx_invept(uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = { eptp, 0 };
	/* single-context INVEPT is supported when bit 25 of EPT_VPID_CAP is set, SDM Vol. 3D A.10 */
	uint64_t type = (msrs.ept_vpid_cap & (1ULL << 25)) ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXTS;

	if (!caps.invept)
		return;
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

void vmx_invvpid_all(void)
{
	struct {
		uint64_t vpid, linear;
	} desc = { 0, 0 };
	uint64_t type = 2; /* all-context, SDM Vol. 3C 31.3 INVVPID */

	if (!caps.invvpid)
		return;
	__asm__ volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}
