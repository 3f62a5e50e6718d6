/*
 * What the console shows of a vCPU's VMX side: exit counts by reason,
 * the time each kind of exit took to handle, and (for `guest info`) the
 * registers and VMX controls. Generic code asks for these through
 * vcpu.h and never names a VMCS field.
 */
#include "arch/x86/vcpu.h"
#include "arch/x86/vmx_names.h"

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

void vcpu_report_stats(struct vcpu *v, struct reply *r)
{
	const struct vcpu_arch *a = &v->arch;
	uint32_t i;

	reply_u64(r, "exits_total", a->exits_total);
	reply_obj_begin(r, "exits");
	for (i = 0; i < VMX_EXIT_REASON_MAX; i++)
		if (a->exits[i])
			reply_u64(r, vmx_exit_reason_id(i), a->exits[i]);
	reply_obj_end(r);
	reply_u64(r, "unknown_msr", v->unknown_msr);
	reply_u64(r, "exceptions_injected", v->exceptions_injected);
	reply_u64(r, "interrupts_injected", v->interrupts_injected);
	reply_obj_begin(r, "exit_cycles");
	for (i = 0; i < VMX_EXIT_REASON_MAX; i++)
		if (a->handled_exits[i])
			reply_u64(r, vmx_exit_reason_id(i), a->handling_tsc[i] / a->handled_exits[i]);
	reply_obj_end(r);
}

void vcpu_report_rip(struct vcpu *v, struct reply *r)
{
	struct vcpu_snapshot s;

	vcpu_snapshot(v, &s);
	reply_hex(r, "rip", s.rip);
}

void vcpu_report_registers(struct vcpu *v, struct reply *r)
{
	struct vcpu_snapshot s;
	int i;

	vcpu_snapshot(v, &s);
	reply_obj_begin(r, "registers");
	for (i = 0; i < 16; i++)
		reply_hex(r, gpr_names[i], s.gpr[i]);
	reply_hex(r, "rflags", s.rflags);
	reply_hex(r, "cr0", s.cr0);
	reply_hex(r, "cr3", s.cr3);
	reply_hex(r, "cr4", s.cr4);
	reply_hex(r, "efer", s.efer);
	reply_hex(r, "cs", s.cs);
	reply_obj_end(r);
	reply_obj_begin(r, "controls");
	reply_hex(r, "pin_based", s.pin);
	reply_hex(r, "proc_based", s.proc);
	reply_hex(r, "proc_based2", s.proc2);
	reply_hex(r, "entry", s.entry);
	reply_hex(r, "exit", s.exit);
	reply_hex(r, "eptp", s.eptp);
	reply_hex(r, "tsc_offset", s.tsc_offset);
	reply_hex(r, "interruptibility", s.interruptibility);
	reply_obj_end(r);
}
