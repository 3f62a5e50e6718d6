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
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"

struct pml_vcpu {
	hpa_t page; /* the log, 512 entries */
	bool want;  /* PML asked for */
	bool live;  /* PML enabled in the VMCS */
};

static struct pml_vcpu pml_vcpus[GUEST_MAX]; /* one vCPU per guest, by guest slot */

static struct pml_vcpu *pml_of(struct guest *g)
{
	return &pml_vcpus[g - guest_at(0)];
}

void dirty_vmx_caps(struct dirty_caps *c)
{
	const struct vmx_caps *v = vmx_get_caps();

	/* guests' EPTPs enable A/D whenever the CPU has them (kernel/guest.c) */
	c->ept_ad = v->ept_ad;
	c->pml = v->pml;
}

static void hw_invept(void *ctx)
{
	struct guest *g = ctx;

	vmx_invept(ept_eptp(&g->ept, vmx_get_caps()->ept_ad));
}

static int hw_pml_set(void *ctx, bool on)
{
	struct pml_vcpu *p = pml_of(ctx);

	if (on && !p->page) {
		p->page = physmem_alloc_page();
		if (!p->page)
			return -ENOMEM;
	}
	p->want = on;
	return 0;
}

/* Nothing left to drain: every exit path of the run loop drained already. */
static void hw_pml_flush(void *ctx, struct dirty_log *l)
{
}

void dirty_vmx_hw_ops(struct guest *g, struct dirty_hw_ops *hw)
{
	*hw = (struct dirty_hw_ops){ hw_invept, hw_pml_set, hw_pml_flush, g };
}

void dirty_vmx_vcpu_enter(struct vcpu *v)
{
	struct pml_vcpu *p = pml_of(v->guest);
	uint64_t proc2;

	if (p->want == p->live)
		return;
	proc2 = vmcs_read(VMCS_PROC_BASED_CTLS2);
	if (p->want) {
		vmcs_write(VMCS_PML_ADDRESS, p->page);
		vmcs_write(VMCS_GUEST_PML_INDEX, PML_INDEX_START);
		proc2 |= PROC2_ENABLE_PML;
	} else {
		proc2 &= ~(uint64_t)PROC2_ENABLE_PML;
	}
	vmcs_write(VMCS_PROC_BASED_CTLS2, proc2);
	p->live = p->want;
}

static void drain(struct vcpu *v, bool full)
{
	struct pml_vcpu *p = pml_of(v->guest);
	uint16_t idx = (uint16_t)vmcs_read(VMCS_GUEST_PML_INDEX);
	struct dirty_log *l = dirty_guest_log(v->guest);

	if (idx == PML_INDEX_START && !full)
		return;
	if (l)
		dirty_log_pml_drained(l, phys_to_virt(p->page), idx, full);
	vmcs_write(VMCS_GUEST_PML_INDEX, PML_INDEX_START);
}

void dirty_vmx_vcpu_leave(struct vcpu *v)
{
	if (v->guest && pml_of(v->guest)->live)
		drain(v, false);
}

/*
 * The access that found the log full has not happened (no A/D flag was
 * set): after the drain the guest repeats it. Qualification bit 12 (NMI
 * unblocking by IRET) matters only with virtual NMIs, which guests here
 * do not get.
 */
enum exit_action dirty_vmx_pml_full(struct vcpu *v, uint64_t qual)
{
	if (!pml_of(v->guest)->live) {
		guest_stop(v->guest, "PML-full exit with PML off");
		return EXIT_STOP;
	}
	drain(v, true);
	return EXIT_RESUME;
}

void dirty_vmx_release(struct guest *g)
{
	struct pml_vcpu *p = pml_of(g);

	if (p->page)
		physmem_free_pages(p->page, 0);
	*p = (struct pml_vcpu){ 0 };
}
