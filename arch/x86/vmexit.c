/*
 * VM-exit dispatch. The handler table is indexed by the basic exit
 * reason (ACRN style); reasons without an entry stop the guest with a
 * diagnostic naming the reason, so nothing a guest does can reach a
 * panic of the hypervisor.
 */
#include "arch/x86/cpuid_filter.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dirty_vmx.h"
#include "arch/x86/trap.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_names.h"
#include "kernel/clock.h"
#include "kernel/log.h"

#define CR0_TS (1ULL << 3)
#define CR0_RESERVED_HIGH 0xffffffff00000000ULL
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define CR4_DE (1ULL << 3)
#define CR4_PAE_BIT (1ULL << 5)
#define CR4_PCIDE_BIT (1ULL << 17)
#define SEG_AR_L (1ULL << 13) /* 64-bit code segment, SDM Vol. 3C 25.4.1 */
#define RFLAGS_RF (1ULL << 16)
/* debug registers, SDM Vol. 3A 18.2 */
#define DR6_TRAP_BITS 0xfULL   /* B0-B3 */
#define DR6_BD (1ULL << 13)
#define DR7_GD (1ULL << 13)

typedef enum exit_action (*exit_handler_t)(struct vcpu *v, uint64_t qual);

void vmexit_skip_instruction(void)
{
	vmexit_skip_bytes((unsigned)vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
}

void vmexit_skip_bytes(unsigned len)
{
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
	/* an instruction completed: STI/MOV SS blocking ends with it, SDM Vol. 3C 25.4.2 */
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		   ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	/* single-stepping: the trap the CPU would raise after the instruction we
	 * emulated, delivered at VM entry as a pending BS (SDM Vol. 3C 27.7.3) */
	if (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_TF)
		vmcs_write(VMCS_GUEST_PENDING_DBG, vmcs_read(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
}

/*
 * CR0 and CR4 as the guest reads them: the bits it owns come from the
 * guest field, the bits in the guest/host mask from the read shadow (SDM
 * Vol. 3C 25.6.6). The shadow alone is stale for bits the guest changes
 * without an exit (CR4.PAE, CR0.TS ...).
 */
uint64_t vmexit_guest_cr0(void)
{
	uint64_t mask = vmcs_read(VMCS_CR0_GUEST_HOST_MASK);

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) | (vmcs_read(VMCS_CR0_READ_SHADOW) & mask);
}

uint64_t vmexit_guest_cr4(void)
{
	uint64_t mask = vmcs_read(VMCS_CR4_GUEST_HOST_MASK);

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) | (vmcs_read(VMCS_CR4_READ_SHADOW) & mask);
}

uint64_t vmexit_get_reg(struct vcpu *v, unsigned n)
{
	return n == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->gpr[n & 15];
}

void vmexit_set_reg(struct vcpu *v, unsigned n, uint64_t val)
{
	if (n == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->gpr[n & 15] = val;
}

/*
 * A fault reported for the exiting instruction pushes RFLAGS with RF set,
 * as the CPU does for faults (SDM Vol. 3A 18.3.1.1); VM entry pushes the
 * guest-state RFLAGS as it is, so set RF there.
 */
static void set_rf(void)
{
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_RF);
}

static enum exit_action inject_ud(struct vcpu *v, uint64_t qual)
{
	set_rf();
	vcpu_inject_exception(v, VEC_UD, false, 0);
	return EXIT_RESUME;
}

static enum exit_action inject_gp(struct vcpu *v, uint64_t qual)
{
	set_rf();
	vcpu_inject_exception(v, VEC_GP, true, 0);
	return EXIT_RESUME;
}

static enum exit_action skip(struct vcpu *v, uint64_t qual)
{
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action resume(struct vcpu *v, uint64_t qual)
{
	return EXIT_RESUME;
}

static enum exit_action yield(struct vcpu *v, uint64_t qual)
{
	return EXIT_YIELD;
}

static enum exit_action stop_named(struct vcpu *v, uint64_t qual)
{
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_BASIC_MASK;

	vcpu_stop(v, "%s (exit reason %u) at RIP 0x%lx, qualification 0x%lx",
		   vmx_exit_reason_name(reason), reason, vmcs_read(VMCS_GUEST_RIP), qual);
	return EXIT_STOP;
}

static enum exit_action exception_or_nmi(struct vcpu *v, uint64_t qual)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);

	/* an NMI for the host arrived while the guest ran; nothing of ours uses NMIs */
	if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
		log_warn("vmx: host NMI during guest %s ignored", vcpu_name(v));
		return EXIT_YIELD;
	}
	vcpu_stop(v, "exception %u (%s) intercepted at RIP 0x%lx", info & INTR_VECTOR_MASK,
		   trap_exception_name(info & INTR_VECTOR_MASK), vmcs_read(VMCS_GUEST_RIP));
	return EXIT_STOP;
}

static enum exit_action cpuid_exit(struct vcpu *v, uint64_t qual)
{
	struct cpuid_guest_info info = {
		.apic_id = v->lapic.id,
		.tsc_khz = v->lapic.tsc_hz / 1000,
		.apic_bus_khz = v->lapic.bus_hz / 1000,
		.rdtscp = vcpu_arch_rdtscp(),
		.apic_enabled = vlapic_hw_enabled(&v->lapic),
	};
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX], sub = (uint32_t)v->gpr[GPR_RCX];
	uint32_t r[4];

	cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
	cpuid_filter(leaf, sub, &info, r);
	v->gpr[GPR_RAX] = r[0];
	v->gpr[GPR_RBX] = r[1];
	v->gpr[GPR_RCX] = r[2];
	v->gpr[GPR_RDX] = r[3];
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action hlt_exit(struct vcpu *v, uint64_t qual)
{
	vmexit_skip_instruction();
	/* single-stepped, the HLT's own #DB trap is an event that ends the
	 * halt at once (as KVM does); halting here would deliver the trap
	 * only with the wake-up interrupt, whose injection drops it */
	if (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_TF)
		return EXIT_RESUME;
	v->halted = true;
	v->halted_with_if = vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
	return EXIT_HALT;
}

static enum exit_action rdtsc_exit(struct vcpu *v, uint64_t qual)
{
	uint64_t t = vcpu_guest_tsc(v, rdtsc());

	v->gpr[GPR_RAX] = (uint32_t)t;
	v->gpr[GPR_RDX] = t >> 32;
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action preemption(struct vcpu *v, uint64_t qual)
{
	/* either the slice ended or the guest's APIC timer is due: the run loop decides */
	return EXIT_RESUME;
}

/*
 * Turning paging on in PAE mode (not IA-32e) loads the four PDPTEs from
 * CR3; with EPT, VM entry takes them from the VMCS, so an emulated
 * MOV to CR0 must load them there (SDM Vol. 3A 4.4.1, Vol. 3C 28.3.2.4).
 * Returns false when they are not in guest RAM.
 */
static bool load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4];
	gpa_t at = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0ULL;
	int i;

	if (v->ram->read(v->ram->ctx, at, pdpte, sizeof(pdpte)))
		return false;
	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	return true;
}

/* MOV to CR0: the guest sees what it wrote; the CPU gets the VMX-required bits too. */
static enum exit_action guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint64_t entry = vmcs_read(VMCS_ENTRY_CTLS);

	if ((val & CR0_RESERVED_HIGH) || ((val & CR0_PG) && !(val & CR0_PE)))
		return inject_gp(v, 0);
	/* clearing PG with CR4.PCIDE=1 or from 64-bit code is #GP, SDM Vol. 2B MOV CR */
	if (!(val & CR0_PG) && ((vmexit_guest_cr4() & CR4_PCIDE_BIT) ||
	    ((efer & EFER_LMA) && (vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L))))
		return inject_gp(v, 0);
	/* turning paging on with EFER.LME enters IA-32e mode, SDM Vol. 3A 10.8.5 */
	if ((val & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmexit_guest_cr4() & CR4_PAE_BIT))
			return inject_gp(v, 0);
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
		if ((val & CR0_PG) && (vmexit_guest_cr4() & CR4_PAE_BIT) && !load_pdptes(v))
			return inject_gp(v, 0);
	}
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CTLS, entry);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmx_fixed_cr0(val));
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

uint64_t vmexit_cr4_allowed(void)
{
	struct cpuid_guest_info info = { 0 };
	uint32_t l1[4], l7[4];

	cpuid(1, 0, &l1[0], &l1[1], &l1[2], &l1[3]);
	cpuid_filter(1, 0, &info, l1);
	cpuid(7, 0, &l7[0], &l7[1], &l7[2], &l7[3]);
	cpuid_filter(7, 0, &info, l7);
	return cpuid_guest_cr4_allowed(l1, l7) & ~VMEXIT_CR4_GUEST_FORBIDDEN;
}

static enum exit_action guest_write_cr4(struct vcpu *v, uint64_t val)
{
	/* leaving PAE in IA-32e mode is #GP, SDM Vol. 3A 10.8.5.4 */
	bool lma = vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA;

	/* a bit for a feature the guest was not offered is reserved: #GP (SDM Vol. 3A 2.5) */
	if ((val & ~vmexit_cr4_allowed()) || (lma && !(val & CR4_PAE_BIT)))
		return inject_gp(v, 0);
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmx_fixed_cr4(val));
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action cr_access(struct vcpu *v, uint64_t qual)
{
	unsigned cr = CR_QUAL_NUMBER(qual), reg = CR_QUAL_REG(qual);
	uint64_t shadow = vmexit_guest_cr0();

	switch (CR_QUAL_TYPE(qual)) {
	case 0: /* MOV to CR */
		if (cr == 0)
			return guest_write_cr0(v, vmexit_get_reg(v, reg));
		if (cr == 4)
			return guest_write_cr4(v, vmexit_get_reg(v, reg));
		if (cr == 8) {
			v->lapic.tpr = (vmexit_get_reg(v, reg) & 0xf) << 4;
			vmexit_skip_instruction();
			return EXIT_RESUME;
		}
		break;
	case 1: /* MOV from CR: only CR8 exits here (CR3 exiting is off) */
		if (cr == 8) {
			vmexit_set_reg(v, reg, v->lapic.tpr >> 4);
			vmexit_skip_instruction();
			return EXIT_RESUME;
		}
		break;
	case 2: /* CLTS */
		return guest_write_cr0(v, shadow & ~CR0_TS);
	case 3: /* LMSW: bits 3:0 only, and PE cannot be cleared */
		return guest_write_cr0(v, (shadow & ~0xeULL) | (CR_QUAL_LMSW_SOURCE(qual) & 0xf) | (shadow & 1));
	}
	return stop_named(v, qual);
}

/* The exiting vCPU is the loaded one: its DR0-3 and DR6 are live in the CPU. */
static uint64_t dr_read(unsigned dr)
{
	switch (dr) {
	case 0: return read_dr0();
	case 1: return read_dr1();
	case 2: return read_dr2();
	case 3: return read_dr3();
	case 6: return read_dr6();
	}
	return vmcs_read(VMCS_GUEST_DR7);
}

static void dr_write(struct vcpu *v, unsigned dr, uint64_t val)
{
	switch (dr) {
	case 0: write_dr0(val); break;
	case 1: write_dr1(val); break;
	case 2: write_dr2(val); break;
	case 3: write_dr3(val); break;
	case 6: write_dr6(val); v->dr6 = read_dr6(); return;
	default: vmcs_write(VMCS_GUEST_DR7, val); return;
	}
	v->dr[dr] = val;
}

static enum exit_action mov_dr(struct vcpu *v, uint64_t qual)
{
	/* qualification: DR number 2:0, direction bit 4 (1 = from DR), register 11:8 (table 28-4) */
	unsigned dr = qual & 7, reg = (qual >> 8) & 0xf;
	bool from = qual & (1 << 4);
	uint64_t val, dr7 = vmcs_read(VMCS_GUEST_DR7);

	/* the exit comes before the CPL check (SDM Vol. 3C 26.1.3): CPL is SS.DPL */
	if ((vmcs_read(VMCS_GUEST_SS_AR) >> 5) & 3)
		return inject_gp(v, qual);
	if (dr7 & DR7_GD) {
		/* general detect: a fault-like #DB that the exit also precedes; an
		 * injected #DB updates neither DR6 nor DR7, so do what the CPU
		 * would, SDM Vol. 3A 18.2.4 and 18.3.1.2 */
		write_dr6((read_dr6() & ~DR6_TRAP_BITS) | DR6_BD);
		vmcs_write(VMCS_GUEST_DR7, dr7 & ~DR7_GD);
		set_rf();
		vcpu_inject_exception(v, VEC_DB, false, 0);
		return EXIT_RESUME;
	}
	if (dr == 4 || dr == 5) {
		/* aliases of DR6 and DR7, reserved (#UD) with CR4.DE, SDM Vol. 3A 18.2.2 */
		if (vmexit_guest_cr4() & CR4_DE)
			return inject_ud(v, qual);
		dr += 2;
	}
	if (from) {
		vmexit_set_reg(v, reg, dr_read(dr));
	} else {
		val = vmexit_get_reg(v, reg);
		/* DR6/DR7 bits 63:32 are reserved: #GP (SDM Vol. 2B, MOV to DR) */
		if (dr >= 6 && (val >> 32))
			return inject_gp(v, qual);
		dr_write(v, dr, val);
	}
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action io_exit(struct vcpu *v, uint64_t qual)
{
	return vmexit_io(v, qual);
}

static enum exit_action rdmsr_exit(struct vcpu *v, uint64_t qual)
{
	return vmexit_rdmsr(v);
}

static enum exit_action wrmsr_exit(struct vcpu *v, uint64_t qual)
{
	return vmexit_wrmsr(v);
}

static enum exit_action ept_violation(struct vcpu *v, uint64_t qual)
{
	return vmexit_ept_violation(v, qual);
}

static enum exit_action ept_misconfig(struct vcpu *v, uint64_t qual)
{
	vcpu_stop(v, "EPT misconfiguration at GPA 0x%lx, RIP 0x%lx",
		   vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS), vmcs_read(VMCS_GUEST_RIP));
	return EXIT_STOP;
}

static enum exit_action triple_fault(struct vcpu *v, uint64_t qual)
{
	vcpu_stop(v, "triple fault at RIP 0x%lx", vmcs_read(VMCS_GUEST_RIP));
	return EXIT_STOP;
}

static enum exit_action entry_failure(struct vcpu *v, uint64_t qual)
{
	uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_BASIC_MASK;

	/* qualification 2: PDPTE loading, 3: NMI injection, 4: VMCS link pointer (28.8) */
	vcpu_stop(v, "%s, qualification %lu, RIP 0x%lx CR0 0x%lx CR4 0x%lx EFER 0x%lx",
		   vmx_exit_reason_name(reason), qual, vmcs_read(VMCS_GUEST_RIP),
		   vmcs_read(VMCS_GUEST_CR0), vmcs_read(VMCS_GUEST_CR4),
		   vmcs_read(VMCS_GUEST_IA32_EFER));
	return EXIT_STOP;
}

static const exit_handler_t handlers[VMX_EXIT_REASON_MAX] = {
	[VMX_EXIT_EXCEPTION_NMI] = exception_or_nmi,
	[VMX_EXIT_EXTERNAL_INTERRUPT] = yield,
	[VMX_EXIT_TRIPLE_FAULT] = triple_fault,
	[VMX_EXIT_INIT] = stop_named,
	[VMX_EXIT_SIPI] = resume,
	[VMX_EXIT_IO_SMI] = resume,
	[VMX_EXIT_OTHER_SMI] = resume,
	[VMX_EXIT_INTERRUPT_WINDOW] = resume, /* deliver_events injects and closes the window */
	[VMX_EXIT_NMI_WINDOW] = resume,
	[VMX_EXIT_TASK_SWITCH] = stop_named,
	[VMX_EXIT_CPUID] = cpuid_exit,
	[VMX_EXIT_GETSEC] = inject_ud,
	[VMX_EXIT_HLT] = hlt_exit,
	[VMX_EXIT_INVD] = inject_ud,
	[VMX_EXIT_INVLPG] = skip,
	[VMX_EXIT_RDPMC] = inject_gp,
	[VMX_EXIT_RDTSC] = rdtsc_exit,
	[VMX_EXIT_RSM] = inject_ud,
	[VMX_EXIT_VMCALL] = inject_ud,
	[VMX_EXIT_VMCLEAR] = inject_ud,
	[VMX_EXIT_VMLAUNCH] = inject_ud,
	[VMX_EXIT_VMPTRLD] = inject_ud,
	[VMX_EXIT_VMPTRST] = inject_ud,
	[VMX_EXIT_VMREAD] = inject_ud,
	[VMX_EXIT_VMRESUME] = inject_ud,
	[VMX_EXIT_VMWRITE] = inject_ud,
	[VMX_EXIT_VMXOFF] = inject_ud,
	[VMX_EXIT_VMXON] = inject_ud,
	[VMX_EXIT_CR_ACCESS] = cr_access,
	[VMX_EXIT_MOV_DR] = mov_dr,
	[VMX_EXIT_IO_INSTRUCTION] = io_exit,
	[VMX_EXIT_RDMSR] = rdmsr_exit,
	[VMX_EXIT_WRMSR] = wrmsr_exit,
	[VMX_EXIT_INVALID_GUEST_STATE] = entry_failure,
	[VMX_EXIT_MSR_LOADING] = entry_failure,
	[VMX_EXIT_MWAIT] = inject_ud,
	[VMX_EXIT_MONITOR] = inject_ud,
	[VMX_EXIT_PAUSE] = skip,
	[VMX_EXIT_MACHINE_CHECK] = entry_failure,
	[VMX_EXIT_EPT_VIOLATION] = ept_violation,
	[VMX_EXIT_EPT_MISCONFIG] = ept_misconfig,
	[VMX_EXIT_INVEPT] = inject_ud,
	[VMX_EXIT_RDTSCP] = inject_ud,
	[VMX_EXIT_PREEMPTION_TIMER] = preemption,
	[VMX_EXIT_INVVPID] = inject_ud,
	[VMX_EXIT_WBINVD] = skip,
	[VMX_EXIT_XSETBV] = inject_ud, /* CR4.OSXSAVE is never set: XSETBV is #UD, SDM Vol. 2D */
	[VMX_EXIT_RDRAND] = inject_ud,
	[VMX_EXIT_INVPCID] = inject_ud,
	[VMX_EXIT_VMFUNC] = inject_ud,
	[VMX_EXIT_ENCLS] = inject_ud,
	[VMX_EXIT_RDSEED] = inject_ud,
	[VMX_EXIT_XSAVES] = inject_ud,
	[VMX_EXIT_XRSTORS] = inject_ud,
	[VMX_EXIT_PML_FULL] = dirty_vmx_pml_full, /* dirty logging */
	[VMX_EXIT_UMWAIT] = inject_ud,
	[VMX_EXIT_TPAUSE] = inject_ud,
	[VMX_EXIT_LOADIWKEY] = inject_ud,
	/* the rest (MTF, TPR threshold, APIC virtualization, descriptor-table exits,
	 * SPP) need controls we never enable: stop_named reports them */
};

/* Remember an event whose delivery the exit interrupted, to deliver it again. */
static void save_interrupted_event(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	v->reinject_info = info & ~(uint32_t)INTR_INFO_NMI_UNBLOCKING;
	v->reinject_error = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR);
	v->reinject_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_LEN);
	/* an interrupted external interrupt was already taken from the vLAPIC's IRR */
}

enum exit_action vmexit_handle(struct vcpu *v)
{
	uint32_t raw = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	uint32_t reason = raw & EXIT_REASON_BASIC_MASK;
	uint64_t qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	exit_handler_t h;

	v->arch.last_exit_reason = reason;
	if (reason < VMX_EXIT_REASON_MAX)
		v->arch.exits[reason]++;
	v->arch.exits_total++;
	if (raw & EXIT_REASON_ENTRY_FAILURE)
		return entry_failure(v, qual);
	save_interrupted_event(v);
	h = reason < VMX_EXIT_REASON_MAX ? handlers[reason] : NULL;
	return h ? h(v, qual) : stop_named(v, qual);
}
