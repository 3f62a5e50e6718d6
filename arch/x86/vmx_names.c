/*
 * Exit reasons (SDM Vol. 3D appendix C) and VM-instruction errors
 * (Vol. 3C 31.4 table 31-1) by name.
 */
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_names.h"

struct exit_name {
	const char *id;
	const char *name;
};

static const struct exit_name exit_names[VMX_EXIT_REASON_MAX] = {
	[VMX_EXIT_EXCEPTION_NMI] = { "exception_nmi", "exception or NMI" },
	[VMX_EXIT_EXTERNAL_INTERRUPT] = { "external_interrupt", "external interrupt" },
	[VMX_EXIT_TRIPLE_FAULT] = { "triple_fault", "triple fault" },
	[VMX_EXIT_INIT] = { "init", "INIT signal" },
	[VMX_EXIT_SIPI] = { "sipi", "start-up IPI" },
	[VMX_EXIT_IO_SMI] = { "io_smi", "I/O SMI" },
	[VMX_EXIT_OTHER_SMI] = { "other_smi", "other SMI" },
	[VMX_EXIT_INTERRUPT_WINDOW] = { "interrupt_window", "interrupt window" },
	[VMX_EXIT_NMI_WINDOW] = { "nmi_window", "NMI window" },
	[VMX_EXIT_TASK_SWITCH] = { "task_switch", "task switch" },
	[VMX_EXIT_CPUID] = { "cpuid", "CPUID" },
	[VMX_EXIT_GETSEC] = { "getsec", "GETSEC" },
	[VMX_EXIT_HLT] = { "hlt", "HLT" },
	[VMX_EXIT_INVD] = { "invd", "INVD" },
	[VMX_EXIT_INVLPG] = { "invlpg", "INVLPG" },
	[VMX_EXIT_RDPMC] = { "rdpmc", "RDPMC" },
	[VMX_EXIT_RDTSC] = { "rdtsc", "RDTSC" },
	[VMX_EXIT_RSM] = { "rsm", "RSM" },
	[VMX_EXIT_VMCALL] = { "vmcall", "VMCALL" },
	[VMX_EXIT_VMCLEAR] = { "vmclear", "VMCLEAR" },
	[VMX_EXIT_VMLAUNCH] = { "vmlaunch", "VMLAUNCH" },
	[VMX_EXIT_VMPTRLD] = { "vmptrld", "VMPTRLD" },
	[VMX_EXIT_VMPTRST] = { "vmptrst", "VMPTRST" },
	[VMX_EXIT_VMREAD] = { "vmread", "VMREAD" },
	[VMX_EXIT_VMRESUME] = { "vmresume", "VMRESUME" },
	[VMX_EXIT_VMWRITE] = { "vmwrite", "VMWRITE" },
	[VMX_EXIT_VMXOFF] = { "vmxoff", "VMXOFF" },
	[VMX_EXIT_VMXON] = { "vmxon", "VMXON" },
	[VMX_EXIT_CR_ACCESS] = { "cr_access", "control-register access" },
	[VMX_EXIT_MOV_DR] = { "mov_dr", "MOV DR" },
	[VMX_EXIT_IO_INSTRUCTION] = { "io", "I/O instruction" },
	[VMX_EXIT_RDMSR] = { "rdmsr", "RDMSR" },
	[VMX_EXIT_WRMSR] = { "wrmsr", "WRMSR" },
	[VMX_EXIT_INVALID_GUEST_STATE] = { "invalid_guest_state", "VM-entry failure: invalid guest state" },
	[VMX_EXIT_MSR_LOADING] = { "msr_loading", "VM-entry failure: MSR loading" },
	[VMX_EXIT_MWAIT] = { "mwait", "MWAIT" },
	[VMX_EXIT_MONITOR_TRAP_FLAG] = { "monitor_trap_flag", "monitor trap flag" },
	[VMX_EXIT_MONITOR] = { "monitor", "MONITOR" },
	[VMX_EXIT_PAUSE] = { "pause", "PAUSE" },
	[VMX_EXIT_MACHINE_CHECK] = { "machine_check", "VM-entry failure: machine-check event" },
	[VMX_EXIT_TPR_BELOW_THRESHOLD] = { "tpr_below_threshold", "TPR below threshold" },
	[VMX_EXIT_APIC_ACCESS] = { "apic_access", "APIC access" },
	[VMX_EXIT_VIRTUALIZED_EOI] = { "virtualized_eoi", "virtualized EOI" },
	[VMX_EXIT_GDTR_IDTR] = { "gdtr_idtr", "access to GDTR or IDTR" },
	[VMX_EXIT_LDTR_TR] = { "ldtr_tr", "access to LDTR or TR" },
	[VMX_EXIT_EPT_VIOLATION] = { "ept_violation", "EPT violation" },
	[VMX_EXIT_EPT_MISCONFIG] = { "ept_misconfig", "EPT misconfiguration" },
	[VMX_EXIT_INVEPT] = { "invept", "INVEPT" },
	[VMX_EXIT_RDTSCP] = { "rdtscp", "RDTSCP" },
	[VMX_EXIT_PREEMPTION_TIMER] = { "preemption_timer", "VMX-preemption timer expired" },
	[VMX_EXIT_INVVPID] = { "invvpid", "INVVPID" },
	[VMX_EXIT_WBINVD] = { "wbinvd", "WBINVD" },
	[VMX_EXIT_XSETBV] = { "xsetbv", "XSETBV" },
	[VMX_EXIT_APIC_WRITE] = { "apic_write", "APIC write" },
	[VMX_EXIT_RDRAND] = { "rdrand", "RDRAND" },
	[VMX_EXIT_INVPCID] = { "invpcid", "INVPCID" },
	[VMX_EXIT_VMFUNC] = { "vmfunc", "VMFUNC" },
	[VMX_EXIT_ENCLS] = { "encls", "ENCLS" },
	[VMX_EXIT_RDSEED] = { "rdseed", "RDSEED" },
	[VMX_EXIT_PML_FULL] = { "pml_full", "page-modification log full" },
	[VMX_EXIT_XSAVES] = { "xsaves", "XSAVES" },
	[VMX_EXIT_XRSTORS] = { "xrstors", "XRSTORS" },
	[VMX_EXIT_SPP] = { "spp", "SPP-related event" },
	[VMX_EXIT_UMWAIT] = { "umwait", "UMWAIT" },
	[VMX_EXIT_TPAUSE] = { "tpause", "TPAUSE" },
	[VMX_EXIT_LOADIWKEY] = { "loadiwkey", "LOADIWKEY" },
};

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
	if (basic_reason >= VMX_EXIT_REASON_MAX || !exit_names[basic_reason].name)
		return "unknown";
	return exit_names[basic_reason].name;
}

const char *vmx_exit_reason_id(uint32_t basic_reason)
{
	if (basic_reason >= VMX_EXIT_REASON_MAX || !exit_names[basic_reason].id)
		return "unknown";
	return exit_names[basic_reason].id;
}

const char *vmx_insn_error_name(uint32_t error)
{
	if (error >= ARRAY_SIZE(insn_errors) || !insn_errors[error])
		return "unknown";
	return insn_errors[error];
}
