/*
 * vCPU set-up and the run loop: the VMCS of a multiboot guest, event
 * injection before each entry, and the entry itself.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/dirty_vmx.h"
#include "arch/x86/ept.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_names.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "kernel/vio.h"

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103

static struct vcpu *loaded; /* whose VMCS is current and whose FPU/MSRs are live */
static hpa_t io_bitmap_a, io_bitmap_b, msr_bitmap;
static uint16_t next_vpid = 1;

bool vcpu_arch_rdtscp(void)
{
	static int offered = -1;
	uint32_t a, b, c, d;

	if (offered < 0) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		/* the host has RDTSCP and IA32_TSC_AUX, and VMX lets guests use it */
		offered = vmx_get_caps()->rdtscp && (d & (1U << 27));
	}
	return offered;
}

static void msr_bitmap_pass(uint32_t msr)
{
	uint8_t *bm = phys_to_virt(msr_bitmap);
	/* read-high at 1024, write-high at 3072 for 0xC0000000-0xC0001FFF, SDM Vol. 3C 25.6.9 */
	uint32_t bit = msr & 0x1fff;

	bm[1024 + bit / 8] &= ~(1 << (bit % 8));
	bm[3072 + bit / 8] &= ~(1 << (bit % 8));
}

/* Every port and MSR exits, except the MSRs the CPU keeps in the guest's own registers. */
static int bitmaps_init(void)
{
	if (msr_bitmap)
		return 0;
	io_bitmap_a = physmem_alloc_page();
	io_bitmap_b = physmem_alloc_page();
	msr_bitmap = physmem_alloc_page();
	if (!io_bitmap_a || !io_bitmap_b || !msr_bitmap)
		return -ENOMEM;
	memset(phys_to_virt(io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(io_bitmap_b), 0xff, PAGE_SIZE);
	memset(phys_to_virt(msr_bitmap), 0xff, PAGE_SIZE);
	msr_bitmap_pass(0xc0000100); /* FS base: saved in the VMCS guest area */
	msr_bitmap_pass(0xc0000101); /* GS base: likewise */
	msr_bitmap_pass(MSR_STAR);
	msr_bitmap_pass(MSR_LSTAR);
	msr_bitmap_pass(MSR_CSTAR);
	msr_bitmap_pass(MSR_SFMASK);
	msr_bitmap_pass(MSR_KERNEL_GS_BASE);
	if (vcpu_arch_rdtscp())
		msr_bitmap_pass(MSR_TSC_AUX); /* switched with the vCPU like the syscall MSRs */
	return 0;
}

static int set_control(uint32_t field, uint32_t cap_msr, uint32_t wanted, uint32_t required)
{
	uint32_t value, missing;

	if (vmx_adjust_controls(cap_msr, wanted, required, &value, &missing)) {
		log_error("vmx: control field 0x%04x lacks required bits 0x%08x", field, missing);
		return -ENODEV;
	}
	vmcs_write(field, value);
	return 0;
}

static int setup_controls(struct vcpu *v, uint64_t eptp)
{
	const struct vmx_caps *c = vmx_get_caps();
	bool t = c->true_ctls;
	/* virtual NMIs: the CPU tracks the guest's NMI blocking until its IRET (SDM Vol. 3C 25.6.1) */
	uint32_t pin = PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER |
		       PIN_VIRTUAL_NMIS;
	uint32_t proc = PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_RDPMC_EXITING |
			PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING |
			PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_MONITOR_EXITING |
			PROC_USE_TSC_OFFSETTING | PROC_ACTIVATE_SECONDARY;
	uint32_t proc2 = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_WBINVD_EXITING;
	uint32_t exitc = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
			 EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | EXIT_SAVE_DEBUG_CONTROLS;
	/* DR7 and IA32_DEBUGCTL travel in the VMCS: a VM exit leaves the host
	 * DR7 = 0x400 and DEBUGCTL = 0 (SDM Vol. 3C 28.3.1, 28.5.1) */
	uint32_t entry = ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_DEBUG_CONTROLS;
	int err = 0;

	if (c->vpid)
		proc2 |= PROC2_ENABLE_VPID;
	if (vcpu_arch_rdtscp())
		proc2 |= PROC2_ENABLE_RDTSCP;
	err |= set_control(VMCS_PIN_BASED_CTLS, t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, pin, pin & ~PIN_VIRTUAL_NMIS);
	err |= set_control(VMCS_PROC_BASED_CTLS, t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, proc, proc);
	err |= set_control(VMCS_PROC_BASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2, proc2,
			   PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST);
	err |= set_control(VMCS_EXIT_CTLS, t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
			   exitc, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_DEBUG_CONTROLS);
	err |= set_control(VMCS_ENTRY_CTLS, t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS, entry, ENTRY_LOAD_DEBUG_CONTROLS);
	if (err)
		return -ENODEV;
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_IO_BITMAP_A, io_bitmap_a);
	vmcs_write(VMCS_IO_BITMAP_B, io_bitmap_b);
	vmcs_write(VMCS_MSR_BITMAP, msr_bitmap);
	vmcs_write(VMCS_EPT_POINTER, eptp);
	if (c->vpid)
		vmcs_write(VMCS_VPID, v->arch.vpid);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, vmx_cr0_forced_bits() | CR0_PG);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, vmx_cr4_forced_bits() | ~vmexit_cr4_allowed());
	return 0;
}

/* Give the CPU's FPU and syscall MSRs back to the vCPU that had them loaded. */
static void save_loaded(void)
{
	if (!loaded)
		return;
	__asm__ volatile("fxsave64 %0" : "=m"(loaded->fpu));
	loaded->star = rdmsr(MSR_STAR);
	loaded->lstar = rdmsr(MSR_LSTAR);
	loaded->cstar = rdmsr(MSR_CSTAR);
	loaded->sfmask = rdmsr(MSR_SFMASK);
	loaded->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	if (vcpu_arch_rdtscp())
		loaded->tsc_aux = rdmsr(MSR_TSC_AUX);
	/* the CPU sets DR6 bits on the guest's #DBs; DR0-3 change only by MOV DR, which exits */
	loaded->dr6 = read_dr6();
	loaded = NULL;
}

int vcpu_arch_select(struct vcpu *v)
{
	save_loaded();
	return v->arch.vmcs && !vmx_vmcs_load(v->arch.vmcs, false) ? 0 : -EIO;
}

int vcpu_arch_create(struct vcpu *v, uint64_t eptp)
{
	int err;

	if (bitmaps_init())
		return -ENOMEM;
	save_loaded(); /* the vCPU that had the FPU keeps its state */
	v->arch.vmcs = vmx_vmcs_alloc();
	if (!v->arch.vmcs)
		return -ENOMEM;
	if (next_vpid == 0) {
		/* 16-bit VPIDs wrapped (0 is the host's): drop every tagged translation first */
		vmx_invvpid_all();
		next_vpid = 1;
	}
	v->arch.vpid = next_vpid++;
	if (vmx_vmcs_load(v->arch.vmcs, true))
		return -ENODEV;
	v->arch.eptp = eptp;
	err = setup_controls(v, eptp);
	if (err)
		return err;
	vmx_setup_host_state();
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	v->arch.launched = false;
	return 0;
}

void vcpu_arch_destroy(struct vcpu *v)
{
	if (!v->arch.vmcs)
		return;
	__asm__ volatile("vmclear %0" : : "m"(v->arch.vmcs) : "cc", "memory");
	if (loaded == v)
		loaded = NULL;
	physmem_free_pages(v->arch.vmcs, 0);
	v->arch.vmcs = 0;
}

/* Make v's VMCS current and its FPU and syscall MSRs live. */
static int switch_to(struct vcpu *v)
{
	if (loaded == v)
		return 0;
	save_loaded();
	if (vmx_vmcs_load(v->arch.vmcs, false))
		return -EIO;
	__asm__ volatile("fxrstor64 %0" : : "m"(v->fpu));
	wrmsr(MSR_STAR, v->star);
	wrmsr(MSR_LSTAR, v->lstar);
	wrmsr(MSR_CSTAR, v->cstar);
	wrmsr(MSR_SFMASK, v->sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	if (vcpu_arch_rdtscp())
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
	/* the host uses no breakpoints: the guest's DR0-3 and DR6 stay live
	 * while it is loaded, armed by its DR7 from the VMCS */
	write_dr0(v->dr[0]);
	write_dr1(v->dr[1]);
	write_dr2(v->dr[2]);
	write_dr3(v->dr[3]);
	write_dr6(v->dr6);
	loaded = v;
	return 0;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	v->exception_pending = true;
	v->exception_vector = vector;
	v->exception_has_error = has_error;
	v->exception_error = error;
	v->exceptions_injected++;
}

static void set_window(uint32_t bit, bool on)
{
	uint64_t proc = vmcs_read(VMCS_PROC_BASED_CTLS);
	uint64_t want = on ? proc | bit : proc & ~(uint64_t)bit;

	if (want != proc)
		vmcs_write(VMCS_PROC_BASED_CTLS, want);
}

static void set_interrupt_window(bool on)
{
	set_window(PROC_INTERRUPT_WINDOW_EXITING, on);
}

static void inject(uint32_t info, uint32_t error, uint32_t len)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	if (info & INTR_INFO_DELIVER_ERROR)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error);
	vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, len);
}

/*
 * A pending NMI: injected when the guest is not blocking NMIs (after an
 * NMI until its IRET, or in the STI/MOV SS shadow), else an NMI-window
 * exit is asked for (SDM Vol. 3C 26.3.1.5, 25.6.2). Without virtual NMIs
 * the CPU cannot track the blocking: the NMI then waits for the window.
 * Returns true when it injected.
 */
static bool deliver_nmi(struct vcpu *v)
{
	uint32_t block = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI;
	bool vnmi = vmcs_read(VMCS_PIN_BASED_CTLS) & PIN_VIRTUAL_NMIS;

	if (!v->lapic.nmi_pending) {
		set_window(PROC_NMI_WINDOW_EXITING, false);
		return false;
	}
	if (!vnmi || (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & block)) {
		set_window(PROC_NMI_WINDOW_EXITING, vnmi);
		return false;
	}
	vlapic_take_nmi(&v->lapic);
	inject(INTR_INFO_VALID | INTR_TYPE_NMI | VEC_NMI, 0, 0);
	v->halted = false;
	set_window(PROC_NMI_WINDOW_EXITING, false);
	return true;
}


static bool interrupts_open(void)
{
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* Whether an external interrupt waits: the APIC's fixed ones or the 8259's ExtINT. */
static bool interrupt_waiting(const struct vcpu *v)
{
	return vlapic_pending(&v->lapic) >= 0 || vcpu_extint_pending(v) >= 0;
}

/*
 * Inject the APIC's highest-priority interrupt, or else the 8259's
 * vector through LINT0 (ExtINT): its INTA cycle happens now, as the CPU
 * would run it when it takes the interrupt (SDM Vol. 3A 11.5.1: ExtINT
 * bypasses the APIC's IRR and priorities). Returns false when neither waits.
 */
static bool inject_interrupt(struct vcpu *v)
{
	int vec = vlapic_pending(&v->lapic);

	if (vec >= 0) {
		vlapic_ack(&v->lapic, (uint8_t)vec);
	} else if (vcpu_extint_pending(v) >= 0) {
		vec = vcpu_extint_ack(v);
	} else {
		return false;
	}
	inject(INTR_INFO_VALID | INTR_TYPE_EXTERNAL | (uint32_t)vec, 0, 0);
	v->interrupts_injected++;
	v->halted = false;
	return true;
}

/*
 * Choose the one event to inject at this entry, in the order the CPU
 * would: an interrupted delivery first, then a pending exception, then
 * an NMI, then an external interrupt (the APIC's, then the 8259's) if
 * the guest accepts interrupts now; otherwise ask for an exit when it
 * does (interrupt-window exiting).
 */
static void deliver_events(struct vcpu *v)
{
	if (v->reinject_info & INTR_INFO_VALID) {
		inject(v->reinject_info, v->reinject_error, v->reinject_len);
		v->reinject_info = 0;
		return;
	}
	if (v->exception_pending) {
		/* real mode delivers no error codes, and VM entry refuses one there (SDM Vol. 3C 27.2.1.3) */
		bool error = v->exception_has_error && (vmexit_guest_cr0() & CR0_PE);

		inject(INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | v->exception_vector |
		       (error ? INTR_INFO_DELIVER_ERROR : 0), v->exception_error, 0);
		v->exception_pending = false;
		return;
	}
	if (deliver_nmi(v))
		return;
	if (!interrupt_waiting(v)) {
		set_interrupt_window(false);
		return;
	}
	if (!interrupts_open()) {
		set_interrupt_window(true);
		return;
	}
	inject_interrupt(v);
	set_interrupt_window(false);
}

/* Bring the APIC timer and the board's timers (the PIT, the HPET) up to host TSC now. */
static void update_timers(struct vcpu *v, uint64_t now)
{
	uint64_t guest_now = vcpu_guest_tsc(v, now);

	vlapic_update_timer(&v->lapic, guest_now);
	vcpu_board_update(v, guest_now);
}

bool vcpu_has_wakeup(struct vcpu *v, uint64_t now)
{
	update_timers(v, now);
	/* an NMI wakes HLT whatever IF says, SDM Vol. 3A 10.1 / 6.7.1 */
	return v->exception_pending || v->lapic.nmi_pending ||
	       (v->halted_with_if && interrupt_waiting(v));
}

/* The earlier of two guest TSC deadlines, 0 meaning none. */
static uint64_t earlier(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : MIN(a, b);
}

uint64_t vcpu_next_wakeup(const struct vcpu *v)
{
	uint64_t deadline = earlier(vlapic_next_deadline(&v->lapic), vcpu_board_deadline(v));

	return deadline ? vcpu_host_tsc(v, deadline) : 0;
}

static void arm_preemption_timer(struct vcpu *v, uint64_t now, uint64_t end)
{
	uint64_t deadline = vcpu_next_wakeup(v);
	uint64_t until = end;

	if (deadline && deadline < until)
		until = deadline;
	until = until > now ? until - now : 0;
	/* the timer counts down at TSC >> IA32_VMX_MISC[4:0], SDM Vol. 3C 26.5.1 */
	until >>= vmx_get_caps()->preemption_timer_shift;
	vmcs_write(VMCS_PREEMPTION_TIMER, MIN(until, 0xffffffffULL));
}

static enum vcpu_run_result entry_failed(struct vcpu *v, int err)
{
	if (err < 0)
		vcpu_stop(v, "VM entry failed: VMfailInvalid (no current VMCS)");
	else
		vcpu_stop(v, "VM entry failed: %s (VM-instruction error %d)",
			   vmx_insn_error_name((uint32_t)err), err);
	return VCPU_STOPPED;
}

enum vcpu_run_result vcpu_run(struct vcpu *v, uint64_t slice_tsc)
{
	uint64_t start = rdtsc(), end = start + slice_tsc, now, exited_at = 0;
	enum exit_action action;
	int err;

	if (switch_to(v))
		return entry_failed(v, -1);
	dirty_vmx_vcpu_enter(v); /* dirty logging: PML switched on or off meanwhile */
	for (;;) {
		now = rdtsc();
		if (now >= end)
			return VCPU_PREEMPTED;
		update_timers(v, now);
		if (v->halted && !vcpu_has_wakeup(v, now))
			return VCPU_HALTED;
		deliver_events(v);
		arm_preemption_timer(v, now, end);
		if (read_cr2() != v->cr2)
			write_cr2(v->cr2);
		if (exited_at && v->arch.last_exit_reason < VMX_EXIT_REASON_MAX) {
			/* time in the hypervisor from a VM exit to the next entry, for bench/ */
			v->arch.handling_tsc[v->arch.last_exit_reason] += rdtsc() - exited_at;
			v->arch.handled_exits[v->arch.last_exit_reason]++;
		}
		err = vmx_enter(v->gpr, v->arch.launched);
		exited_at = rdtsc();
		if (err)
			return entry_failed(v, err);
		v->arch.launched = true;
		v->cr2 = read_cr2();
		action = vmexit_handle(v);
		if (action == EXIT_STOP)
			return VCPU_STOPPED;
		if (action == EXIT_YIELD)
			return VCPU_PREEMPTED;
		if (action == EXIT_HALT && !vcpu_has_wakeup(v, rdtsc()))
			return VCPU_HALTED;
	}
}

void vcpu_snapshot(struct vcpu *v, struct vcpu_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->gpr, v->gpr, sizeof(s->gpr));
	if (!v->arch.vmcs || switch_to(v))
		return;
	s->rip = vmcs_read(VMCS_GUEST_RIP);
	s->rsp = vmcs_read(VMCS_GUEST_RSP);
	s->gpr[GPR_RSP] = s->rsp;
	s->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	s->cr0 = vmexit_guest_cr0();
	s->cr3 = vmcs_read(VMCS_GUEST_CR3);
	s->cr4 = vmexit_guest_cr4();
	s->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	s->cs = (uint32_t)vmcs_read(VMCS_GUEST_CS_SELECTOR);
	s->interruptibility = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	s->activity = (uint32_t)vmcs_read(VMCS_GUEST_ACTIVITY_STATE);
	s->pin = (uint32_t)vmcs_read(VMCS_PIN_BASED_CTLS);
	s->proc = (uint32_t)vmcs_read(VMCS_PROC_BASED_CTLS);
	s->proc2 = (uint32_t)vmcs_read(VMCS_PROC_BASED_CTLS2);
	s->entry = (uint32_t)vmcs_read(VMCS_ENTRY_CTLS);
	s->tsc_offset = vmcs_read(VMCS_TSC_OFFSET);
	s->exit = (uint32_t)vmcs_read(VMCS_EXIT_CTLS);
	s->eptp = vmcs_read(VMCS_EPT_POINTER);
}
