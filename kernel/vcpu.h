/*
 * A virtual CPU: the register state the VMCS does not hold, the local
 * APIC model, the event waiting to be injected, and its arch part.
 *
 * This header is also the narrow interface through which arch/x86/
 * reports to the generic guest code: the few functions at the end are
 * all an exit handler may call outside arch/ and the device models, and
 * arch/ never includes kernel/guest.h.
 */
#ifndef KERNEL_VCPU_H
#define KERNEL_VCPU_H

#include "arch/x86/vcpu_arch.h"
#include "kernel/guest_ram.h"
#include "lib/types.h"
#include "kernel/vlapic.h"

struct guest;

struct vcpu {
	struct guest *guest;          /* opaque to arch/: handed back to vio and vcpu_stop */
	const struct guest_ram *ram;  /* the guest's RAM, for string I/O and page walks */
	bool halted;     /* executed HLT; waits for an interrupt */
	uint64_t gpr[16]; /* by register number; [4] unused (RSP is in the VMCS) */
	uint64_t cr2;
	uint64_t dr[4], dr6; /* debug registers as the guest sees them */
	/* syscall MSRs: not in the VMCS, switched when another vCPU runs */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t mtrr_def_type;
	uint64_t misc_enable; /* IA32_MISC_ENABLE as the guest wrote it */
	uint64_t tsc_aux;     /* IA32_TSC_AUX: live in the MSR while the vCPU is loaded */
	/* guest time: the guest's TSC is the host's plus tsc_offset (wrapping),
	 * SDM Vol. 3C 26.6.5; tsc_adjust is IA32_TSC_ADJUST as the guest sees it */
	uint64_t tsc_offset, tsc_adjust;
	uint8_t fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
	struct vlapic lapic;
	/* an exception to inject at the next entry */
	bool exception_pending;
	uint8_t exception_vector;
	bool exception_has_error;
	uint32_t exception_error;
	/* an event whose delivery a VM exit interrupted: delivered again first (SDM 28.2.4) */
	uint32_t reinject_info, reinject_error, reinject_len;
	bool halted_with_if; /* RFLAGS.IF when it halted: only then can an interrupt wake it */
	uint64_t interrupts_injected, exceptions_injected, unknown_msr;
	struct vcpu_arch arch;
};

/* The guest's TSC at host TSC value host_tsc. */
static inline uint64_t vcpu_guest_tsc(const struct vcpu *v, uint64_t host_tsc)
{
	return host_tsc + v->tsc_offset;
}

/* The host TSC at which the guest's TSC reads guest_tsc. */
static inline uint64_t vcpu_host_tsc(const struct vcpu *v, uint64_t guest_tsc)
{
	return guest_tsc - v->tsc_offset;
}

/*
 * Stop v's guest with a reason (printf-style): it only marks the guest,
 * which is torn down from the run loop later (kernel/guest.c). Safe in an
 * exit handler; the handler then returns EXIT_STOP.
 */
void vcpu_stop(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * The board around v (kernel/vio.c), for the run loop. Times are guest
 * TSC values. vcpu_board_update raises the interrupts whose time has
 * come (the PIT's IRQ0); vcpu_board_deadline is when the next one is
 * due, 0 for none. vcpu_extint_pending is the vector the 8259 would give
 * if its INTR reaches v (through LINT0 in ExtINT mode, or with the APIC
 * globally disabled), else -1; vcpu_extint_ack is the INTA cycle.
 */
void vcpu_board_update(struct vcpu *v, uint64_t now);
uint64_t vcpu_board_deadline(const struct vcpu *v);
int vcpu_extint_pending(const struct vcpu *v);
uint8_t vcpu_extint_ack(struct vcpu *v);

/* The name of v's guest, for log lines. */
const char *vcpu_name(const struct vcpu *v);

#endif
