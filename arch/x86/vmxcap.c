/*
 * Decoding the VMX capability MSRs. Pure: see vmxcap.h.
 *
 * A control MSR holds the allowed-0 settings in its low 32 bits and the
 * allowed-1 settings in its high 32 bits (SDM Vol. 3D A.3); a feature is
 * available when its allowed-1 bit is set. When IA32_VMX_BASIC bit 55 is
 * set, the TRUE_* MSRs are authoritative (SDM Vol. 3D A.1, A.3.1).
 */
#include <string.h>

#include "arch/x86/vmxcap.h"

/* IA32_VMX_BASIC, SDM Vol. 3D A.1 */
#define VMX_BASIC_REVISION_MASK 0x7fffffffULL /* bits 30:0 */
#define VMX_BASIC_SIZE_SHIFT 32               /* bits 44:32 */
#define VMX_BASIC_SIZE_MASK 0x1fffULL
#define VMX_BASIC_TRUE_CTLS (1ULL << 55)
/* INS/OUTS exits report instruction information, SDM Vol. 3D A.1 */
#define VMX_BASIC_INSOUTS_INFO (1ULL << 54)

/* Pin-based VM-execution controls, SDM Vol. 3C table 24-5 */
#define PIN_BASED_VMX_PREEMPTION_TIMER (1U << 6)

/* Primary processor-based VM-execution controls, SDM Vol. 3C table 24-6 */
#define CPU_BASED_USE_IO_BITMAPS (1U << 25)
#define CPU_BASED_USE_MSR_BITMAPS (1U << 28)
#define CPU_BASED_ACTIVATE_SECONDARY_CONTROLS (1U << 31)

/* Secondary processor-based VM-execution controls, SDM Vol. 3C table 24-7 */
#define SECONDARY_EXEC_ENABLE_EPT (1U << 1)
#define SECONDARY_EXEC_ENABLE_RDTSCP (1U << 3)
#define SECONDARY_EXEC_ENABLE_VPID (1U << 5)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST (1U << 7)
#define SECONDARY_EXEC_ENABLE_PML (1U << 17)

/* IA32_VMX_MISC, SDM Vol. 3D A.6: TSC bit X ticks the preemption timer */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1fULL /* bits 4:0 */

/* IA32_VMX_EPT_VPID_CAP, SDM Vol. 3D A.10 */
#define VMX_EPT_PAGE_WALK_4 (1ULL << 6)
#define VMX_EPT_MEMTYPE_WB (1ULL << 14)
#define VMX_EPT_2MB_PAGE (1ULL << 16)
#define VMX_EPT_1GB_PAGE (1ULL << 17)
#define VMX_EPT_INVEPT (1ULL << 20)
#define VMX_EPT_AD (1ULL << 21)
#define VMX_VPID_INVVPID (1ULL << 32)

/* The allowed-1 half of a control MSR. */
static uint32_t vmxcap_allowed1(uint64_t msr)
{
	return (uint32_t)(msr >> 32);
}

static void vmxcap_decode_basic(const struct vmx_msrs *m, struct vmx_caps *c)
{
	uint32_t pin, proc;

	c->vmcs_revision = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK);
	c->vmcs_size = (uint32_t)((m->basic >> VMX_BASIC_SIZE_SHIFT) &
				  VMX_BASIC_SIZE_MASK);
	/* The TRUE MSRs can only be trusted if the caller read them. */
	c->true_ctls = m->has_true && (m->basic & VMX_BASIC_TRUE_CTLS);
	c->insouts_info = m->basic & VMX_BASIC_INSOUTS_INFO;
	pin = vmxcap_allowed1(c->true_ctls ? m->true_pinbased : m->pinbased);
	proc = vmxcap_allowed1(c->true_ctls ? m->true_procbased : m->procbased);

	c->preemption_timer = pin & PIN_BASED_VMX_PREEMPTION_TIMER;
	c->preemption_timer_shift =
		(uint8_t)(m->misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	c->io_bitmaps = proc & CPU_BASED_USE_IO_BITMAPS;
	c->msr_bitmaps = proc & CPU_BASED_USE_MSR_BITMAPS;
	c->secondary_ctls = m->has_procbased2 &&
			    (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
}

static void vmxcap_decode_ept(const struct vmx_msrs *m, struct vmx_caps *c)
{
	uint64_t cap = m->ept_vpid_cap;

	if (!m->has_ept_vpid_cap) {
		/* Without the MSR nothing about EPT's shape is known. */
		c->ept = false;
		c->vpid = false;
		return;
	}
	if (c->ept) {
		c->ept_4level = cap & VMX_EPT_PAGE_WALK_4;
		c->ept_wb = cap & VMX_EPT_MEMTYPE_WB;
		c->ept_2m = cap & VMX_EPT_2MB_PAGE;
		c->ept_1g = cap & VMX_EPT_1GB_PAGE;
		c->ept_ad = cap & VMX_EPT_AD;
		c->invept = cap & VMX_EPT_INVEPT;
	}
	if (c->vpid)
		c->invvpid = cap & VMX_VPID_INVVPID;
	/* tagged translations that cannot be flushed are not safe to use (SDM Vol. 3C 29.4.3) */
	if (!c->invvpid)
		c->vpid = false;
}

static void vmxcap_decode_secondary(const struct vmx_msrs *m, struct vmx_caps *c)
{
	uint32_t sec;

	if (!c->secondary_ctls)
		return;
	sec = vmxcap_allowed1(m->procbased2);
	c->ept = sec & SECONDARY_EXEC_ENABLE_EPT;
	c->vpid = sec & SECONDARY_EXEC_ENABLE_VPID;
	c->rdtscp = sec & SECONDARY_EXEC_ENABLE_RDTSCP;
	c->unrestricted_guest = sec & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	vmxcap_decode_ept(m, c);
	/* VM entry requires EPT with unrestricted guest, SDM Vol. 3C 26.2.1.1. */
	if (!c->ept)
		c->unrestricted_guest = false;
	/* PML logs EPT dirty flags, so it is useless without EPT A/D. */
	c->pml = (sec & SECONDARY_EXEC_ENABLE_PML) && c->ept && c->ept_ad;
}

void vmxcap_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
	memset(c, 0, sizeof(*c));
	if (!m->cpuid_vmx)
		return;
	c->vmx = true;
	c->feature_locked = m->feature_control & FEATURE_CONTROL_LOCK;
	c->vmx_usable = !c->feature_locked ||
			(m->feature_control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	vmxcap_decode_basic(m, c);
	vmxcap_decode_secondary(m, c);
}
