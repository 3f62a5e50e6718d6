/*
 * A vCPU's state in and out of the guest-state record. The VMCS part
 * goes through the field table of vmcs_state.c; what the VMCS does not
 * hold (general registers, CR2, DR0-3/6, the syscall MSRs, the FPU,
 * pending events, guest time) comes from struct vcpu. Booting and
 * restoring both load through vcpu_arch_load_state.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_check.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmcs_state.h"
#include "arch/x86/vmx.h"

#define EFER_LMA (1ULL << 10)

static uint64_t hw_read(void *ctx, uint32_t field)
{
	return vmcs_read(field);
}

static void hw_write(void *ctx, uint32_t field, uint64_t value)
{
	vmcs_write(field, value);
}

static const struct vmcs_access hw_vmcs = { hw_read, hw_write, NULL };

static void save_events(const struct vcpu *v, struct gs_cpu *c)
{
	c->exception_pending = v->exception_pending;
	c->exception_vector = v->exception_vector;
	c->exception_has_error = v->exception_has_error;
	c->exception_error = v->exception_error;
	c->reinject_info = v->reinject_info;
	c->reinject_error = v->reinject_error;
	c->reinject_len = v->reinject_len;
	c->halted = v->halted;
	c->halted_with_if = v->halted_with_if;
}

static void load_events(struct vcpu *v, const struct gs_cpu *c)
{
	v->exception_pending = c->exception_pending;
	v->exception_vector = c->exception_vector;
	v->exception_has_error = c->exception_has_error;
	v->exception_error = c->exception_error;
	v->reinject_info = c->reinject_info;
	v->reinject_error = c->reinject_error;
	v->reinject_len = c->reinject_len;
	v->halted = c->halted;
	v->halted_with_if = c->halted_with_if;
}

int vcpu_arch_save_state(struct vcpu *v, struct gs_cpu *c)
{
	if (vcpu_arch_select(v))
		return -EIO;
	memset(c, 0, sizeof(*c));
	vmcs_state_save(&hw_vmcs, c);
	memcpy(c->gpr, v->gpr, sizeof(c->gpr));
	c->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	c->cr0 = vmexit_guest_cr0();
	c->cr4 = vmexit_guest_cr4();
	c->cr2 = v->cr2;
	c->cr8 = v->lapic.tpr >> 4;
	memcpy(c->dr, v->dr, sizeof(c->dr));
	c->dr6 = v->dr6;
	c->star = v->star;
	c->lstar = v->lstar;
	c->cstar = v->cstar;
	c->sfmask = v->sfmask;
	c->kernel_gs_base = v->kernel_gs_base;
	c->mtrr_def_type = v->mtrr_def_type;
	c->misc_enable = v->misc_enable;
	c->tsc_aux = v->tsc_aux;
	c->tsc = vcpu_guest_tsc(v, rdtsc());
	c->tsc_adjust = v->tsc_adjust;
	memcpy(c->fxsave, v->fpu, sizeof(c->fxsave));
	save_events(v, c);
	return 0;
}

/* MAXPHYADDR, CPUID 0x80000008 EAX[7:0] (36 when the leaf is missing, SDM Vol. 3A 4.1.4). */
static unsigned phys_bits(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000008)
		return 36;
	cpuid(0x80000008, 0, &a, &b, &c, &d);
	return a & 0xff;
}

int vcpu_arch_check_state(const struct gs_cpu *c, char *err, size_t errlen)
{
	struct cpu_check_policy p = {
		.cr0_fixed1 = vmx_fixed_cr0(~0ULL), /* every bit VMX lets stay set */
		.cr4_allowed = vmexit_cr4_allowed() & vmx_fixed_cr4(~0ULL),
		.phys_bits = phys_bits(),
	};

	return cpu_check_state(c, &p, err, errlen);
}

int vcpu_arch_load_state(struct vcpu *v, const struct gs_cpu *c)
{
	uint64_t entry;

	if (vcpu_arch_select(v))
		return -EIO;
	vmcs_state_load(&hw_vmcs, c);
	vmcs_write(VMCS_CR0_READ_SHADOW, c->cr0);
	vmcs_write(VMCS_GUEST_CR0, vmx_fixed_cr0(c->cr0));
	vmcs_write(VMCS_CR4_READ_SHADOW, c->cr4);
	vmcs_write(VMCS_GUEST_CR4, vmx_fixed_cr4(c->cr4));
	/* the IA-32e mode guest entry control must match EFER.LMA, SDM Vol. 3C 27.3.1.1 */
	entry = vmcs_read(VMCS_ENTRY_CTLS) & ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
	vmcs_write(VMCS_ENTRY_CTLS, entry | (c->efer & EFER_LMA ? ENTRY_IA32E_MODE_GUEST : 0));
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0); /* an injection half-prepared belongs to the old state */
	memcpy(v->gpr, c->gpr, sizeof(v->gpr));
	v->cr2 = c->cr2;
	memcpy(v->dr, c->dr, sizeof(v->dr));
	v->dr6 = c->dr6;
	v->star = c->star;
	v->lstar = c->lstar;
	v->cstar = c->cstar;
	v->sfmask = c->sfmask;
	v->kernel_gs_base = c->kernel_gs_base;
	v->mtrr_def_type = c->mtrr_def_type;
	v->misc_enable = c->misc_enable;
	v->tsc_aux = c->tsc_aux;
	v->tsc_adjust = c->tsc_adjust;
	/* the guest's TSC continues from the record's value, SDM Vol. 3C 26.6.5 */
	v->tsc_offset = c->tsc - rdtsc();
	vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
	memcpy(v->fpu, c->fxsave, sizeof(v->fpu));
	load_events(v, c);
	return 0;
}
