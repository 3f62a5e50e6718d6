/*
 * The VMX side of a vCPU: its VMCS, entering it, injecting events.
 * kernel/ code drives vCPUs only through this header.
 */
#ifndef ARCH_X86_VCPU_H
#define ARCH_X86_VCPU_H

#include "kernel/guest_state.h"
#include "lib/reply.h"
#include "lib/types.h"
#include "kernel/vcpu.h"

/*
 * Allocate the vCPU's VMCS and fill its controls, host state and EPT
 * pointer. The guest state comes after, from vcpu_arch_load_state. The
 * vCPU whose FPU was loaded keeps it (saved first). Returns 0, -ENOMEM,
 * or -ENODEV when the CPU lacks a required control (logged).
 */
int vcpu_arch_create(struct vcpu *v, uint64_t eptp);

/*
 * Make v's VMCS current with every piece of its state in struct vcpu (no
 * FPU or MSR left only in the CPU), for reading or replacing it.
 * Returns 0 or -EIO.
 */
int vcpu_arch_select(struct vcpu *v);

/*
 * Whether guests get RDTSCP, RDPID and IA32_TSC_AUX: the host has them
 * and its VMX offers "enable RDTSCP" (SDM Vol. 3C table 25-7).
 */
bool vcpu_arch_rdtscp(void);

/*
 * Save v's whole CPU state into c (the VMCS fields through one table,
 * the rest from struct vcpu); c->tsc is the guest's TSC now. The local
 * APIC is saved by vlapic_save, not here. Returns 0 or -EIO.
 */
int vcpu_arch_save_state(struct vcpu *v, struct gs_cpu *c);

/*
 * Whether c is a state this machine can run (arch/x86/cpu_check.h, with
 * this CPU's VMX fixed bits, the CPUID guests see and MAXPHYADDR).
 * Returns 0, or -EINVAL with the reason in err. Any context.
 */
int vcpu_arch_check_state(const struct gs_cpu *c, char *err, size_t errlen);

/*
 * Load c into v: the same path for booting and for restoring. The
 * guest's TSC continues from c->tsc. Returns 0 or -EIO.
 */
int vcpu_arch_load_state(struct vcpu *v, const struct gs_cpu *c);

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

/* Whether an interrupt for the halted vCPU has arrived by host TSC now_tsc (timer due, IRR set). */
bool vcpu_has_wakeup(struct vcpu *v, uint64_t now_tsc);

/* Host TSC at which v's local APIC timer or its guest's HPET fires next, or 0 for none. */
uint64_t vcpu_next_wakeup(const struct vcpu *v);

/* Read guest registers of v for diagnostics (its VMCS becomes current). */
struct vcpu_snapshot {
	uint64_t rip, rsp, rflags, cr0, cr3, cr4, efer;
	uint64_t gpr[16];
	uint32_t cs, interruptibility, activity;
	uint32_t pin, proc, proc2, entry, exit;
	uint64_t eptp;
	uint64_t tsc_offset; /* as the VMCS holds it */
};
void vcpu_snapshot(struct vcpu *v, struct vcpu_snapshot *s);

/* Console reports (arch/x86/vcpu_report.c): exit counts and handling
 * cycles by exit reason and injection counters; the guest's RIP; the
 * registers and VMX controls for `guest info`. */
void vcpu_report_stats(struct vcpu *v, struct reply *r);
void vcpu_report_rip(struct vcpu *v, struct reply *r);
void vcpu_report_registers(struct vcpu *v, struct reply *r);

#endif
