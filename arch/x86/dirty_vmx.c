/*
 * The CPU side of dirty logging: INVEPT after D flags were cleared or
 * write access removed, and page-modification logging (SDM Vol. 3C
 * 29.3.6). Each vCPU gets a 4 KiB log page while PML is on. The "enable
 * PML" control, PML address and PML index live in the VMCS, which is
 * current only while the run loop has the vCPU, so a switch asked for
 * from the console (pml_set) takes effect at the vCPU's next entry, and
 * the log is drained whenever the vCPU leaves the CPU and at log-full
 * exits. A harvest therefore finds every log already drained: the
 * hypervisor runs guests on its own CPU, never during a harvest.
 */
#include "arch/x86/dirty_vmx.h"
#include "arch/x86/paging.h"
#include "arch/x86/pml.h"
#include "arch/x86/vmx.h"
#include "kernel/dirty_guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"

void dirty_vmx_caps(struct dirty_caps *c)
{
	const struct vmx_caps *v = vmx_get_caps();

	/* guests' EPTPs enable A/D whenever the CPU has them (kernel/guest.c) */
	c->ept_ad = v->ept_ad;
	c->pml = v->pml;
}

static void hw_invept(void *ctx)
{
	struct vcpu *v = ctx;

	vmx_invept(v->arch.eptp);
}

static int hw_pml_set(void *ctx, bool on)
{
	struct vcpu_arch *a = &((struct vcpu *)ctx)->arch;

	if (on && !a->pml_page) {
		a->pml_page = physmem_alloc_page();
		if (!a->pml_page)
			return -ENOMEM;
	}
	a->pml_want = on;
	return 0;
}

/* Nothing left to drain: every exit path of the run loop drained already. */
static void hw_pml_flush(void *ctx, struct dirty_log *l)
{
}

void dirty_vmx_hw_ops(struct vcpu *v, struct dirty_hw_ops *hw)
{
	*hw = (struct dirty_hw_ops){ hw_invept, hw_pml_set, hw_pml_flush, v };
}

void dirty_vmx_vcpu_enter(struct vcpu *v)
{
	struct vcpu_arch *p = &v->arch;
	uint64_t proc2;

	if (p->pml_want == p->pml_live)
		return;
	proc2 = vmcs_read(VMCS_PROC_BASED_CTLS2);
	if (p->pml_want) {
		vmcs_write(VMCS_PML_ADDRESS, p->pml_page);
		vmcs_write(VMCS_GUEST_PML_INDEX, PML_INDEX_START);
		proc2 |= PROC2_ENABLE_PML;
	} else {
		proc2 &= ~(uint64_t)PROC2_ENABLE_PML;
	}
	vmcs_write(VMCS_PROC_BASED_CTLS2, proc2);
	p->pml_live = p->pml_want;
}

static void drain(struct vcpu *v, bool full)
{
	uint16_t idx = (uint16_t)vmcs_read(VMCS_GUEST_PML_INDEX);
	struct dirty_log *l = dirty_guest_log(v->guest);

	if (idx == PML_INDEX_START && !full)
		return;
	if (l)
		dirty_log_pml_drained(l, phys_to_virt(v->arch.pml_page), idx, full);
	vmcs_write(VMCS_GUEST_PML_INDEX, PML_INDEX_START);
}

void dirty_vmx_vcpu_leave(struct vcpu *v)
{
	if (v->arch.pml_live)
		drain(v, false);
}

/*
 * The access that found the log full has not happened (no A/D flag was
 * set): after the drain the guest repeats it. Qualification bit 12 (NMI
 * unblocking by IRET) needs no action: the guest repeats the access,
 * and the VMCS keeps its NMI blocking.
 */
enum exit_action dirty_vmx_pml_full(struct vcpu *v, uint64_t qual)
{
	if (!v->arch.pml_live) {
		vcpu_stop(v, "PML-full exit with PML off");
		return EXIT_STOP;
	}
	drain(v, true);
	return EXIT_RESUME;
}

void dirty_vmx_release(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;

	if (a->pml_page)
		physmem_free_pages(a->pml_page, 0);
	a->pml_page = 0;
	a->pml_want = a->pml_live = false;
}
