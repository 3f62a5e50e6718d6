/*
 * RDMSR/WRMSR emulation. Every MSR access exits (the MSR bitmap is all
 * ones except the few the CPU keeps in guest registers); the MSRs a PC
 * guest needs are emulated, the rest raise #GP as on a CPU that lacks
 * them, and are counted.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmx.h"
#include "kernel/log.h"

#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_TSC_ADJUST 0x3b /* SDM Vol. 3B 18.17.3 */
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_SYSENTER_CS 0x174
#define MSR_MCG_CAP 0x179    /* SDM Vol. 3B 16.3.1: no banks, no MCG_CTL */
#define MSR_MCG_STATUS 0x17a
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MISC_ENABLE 0x1a0
#define MSR_DEBUGCTL 0x1d9
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
/* IA32_MISC_ENABLE bits the guest cannot change: performance monitoring
 * available (7), BTS unavailable (11), PEBS unavailable (12), SDM Vol. 4 table 2-2 */
#define MISC_ENABLE_READ_ONLY ((1ULL << 7) | (1ULL << 11) | (1ULL << 12))
#define FEATURE_CONTROL_LOCKED_NO_VMX 0x1ULL
/* EFER: SCE (0), LME (8), LMA (10), NXE (11); the rest are reserved for our guests */
#define EFER_WRITABLE ((1ULL << 0) | (1ULL << 8) | (1ULL << 11))
#define EFER_LMA (1ULL << 10)

static bool is_lapic_msr(uint32_t msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

/* Every PAT entry must be a valid memory type (0, 1, 4, 5, 6, 7), SDM Vol. 3A 12.12.2 */
static bool pat_valid(uint64_t pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		uint8_t t = (pat >> (i * 8)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static int read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (is_lapic_msr(msr))
		return vlapic_msr_read(&v->lapic, msr, vcpu_guest_tsc(v, rdtsc()), val);
	switch (msr) {
	case MSR_TSC: *val = vcpu_guest_tsc(v, rdtsc()); return 0;
	case MSR_TSC_ADJUST: *val = v->tsc_adjust; return 0;
	case MSR_PLATFORM_ID: *val = 0; return 0;
	case MSR_BIOS_SIGN_ID: *val = 0; return 0;
	case MSR_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED_NO_VMX; return 0;
	case MSR_SYSENTER_CS: *val = vmcs_read(VMCS_GUEST_SYSENTER_CS); return 0;
	case MSR_SYSENTER_ESP: *val = vmcs_read(VMCS_GUEST_SYSENTER_ESP); return 0;
	case MSR_SYSENTER_EIP: *val = vmcs_read(VMCS_GUEST_SYSENTER_EIP); return 0;
	case MSR_MISC_ENABLE: *val = v->misc_enable; return 0;
	/* no reporting banks and no MCG_CTL: the bank MSRs stay #GP */
	case MSR_MCG_CAP: *val = 0; return 0;
	case MSR_MCG_STATUS: *val = 0; return 0;
	case MSR_DEBUGCTL: *val = vmcs_read(VMCS_GUEST_IA32_DEBUGCTL); return 0;
	case MSR_PAT: *val = vmcs_read(VMCS_GUEST_IA32_PAT); return 0;
	case MSR_EFER: *val = vmcs_read(VMCS_GUEST_IA32_EFER); return 0;
	}
	return -EINVAL;
}

static int write_efer(uint64_t val)
{
	uint64_t old = vmcs_read(VMCS_GUEST_IA32_EFER);

	if (val & ~(EFER_WRITABLE | EFER_LMA))
		return -EINVAL;
	/* LMA is the CPU's to set (on CR0.PG); the guest's write of it is ignored */
	vmcs_write(VMCS_GUEST_IA32_EFER, (val & EFER_WRITABLE) | (old & EFER_LMA));
	return 0;
}

/*
 * Writing IA32_TSC moves the guest's TSC to val and IA32_TSC_ADJUST by
 * the same amount; writing IA32_TSC_ADJUST moves the TSC by the change
 * (SDM Vol. 3B 18.17.3). Both only change the guest's TSC offset.
 */
static void write_tsc(struct vcpu *v, uint64_t val)
{
	uint64_t now = rdtsc();

	v->tsc_adjust += val - vcpu_guest_tsc(v, now);
	v->tsc_offset = val - now;
	vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
}

static void write_tsc_adjust(struct vcpu *v, uint64_t val)
{
	v->tsc_offset += val - v->tsc_adjust;
	v->tsc_adjust = val;
	vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
}

/* Physical-address bits at and above MAXPHYADDR (CPUID 0x80000008 EAX[7:0],
 * which guests see unedited), reserved in IA32_APIC_BASE, SDM Vol. 3A 11.4.4 */
static uint64_t above_maxphyaddr(void)
{
	static uint64_t mask;
	uint32_t a, b, c, d, bits = 36;

	if (!mask) {
		cpuid(0x80000000, 0, &a, &b, &c, &d);
		if (a >= 0x80000008) {
			cpuid(0x80000008, 0, &a, &b, &c, &d);
			bits = a & 0xff;
		}
		mask = ~0ULL << bits;
	}
	return mask;
}

static int write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_APIC_BASE && (val & above_maxphyaddr()))
		return -EINVAL;
	if (is_lapic_msr(msr))
		return vlapic_msr_write(&v->lapic, msr, val, vcpu_guest_tsc(v, rdtsc()));
	switch (msr) {
	case MSR_TSC:
		write_tsc(v, val);
		return 0;
	case MSR_TSC_ADJUST:
		write_tsc_adjust(v, val);
		return 0;
	case MSR_BIOS_SIGN_ID:
		return 0; /* accepted without effect */
	case MSR_MISC_ENABLE:
		/* kept as written (as KVM does): the bits that would change CPUID or
		 * enable monitoring have no effect on the virtual CPU */
		v->misc_enable = (val & ~MISC_ENABLE_READ_ONLY) |
				 (v->misc_enable & MISC_ENABLE_READ_ONLY);
		return 0;
	case MSR_MCG_STATUS:
		return val ? -EINVAL : 0; /* writable only with 0, SDM Vol. 3B 16.3.1.2 */
	case MSR_SYSENTER_CS: vmcs_write(VMCS_GUEST_SYSENTER_CS, val); return 0;
	case MSR_SYSENTER_ESP: vmcs_write(VMCS_GUEST_SYSENTER_ESP, val); return 0;
	case MSR_SYSENTER_EIP: vmcs_write(VMCS_GUEST_SYSENTER_EIP, val); return 0;
	case MSR_DEBUGCTL:
		if (val)
			return -EINVAL; /* no branch tracing for guests */
		return 0;
	case MSR_PAT:
		if (!pat_valid(val))
			return -EINVAL;
		vmcs_write(VMCS_GUEST_IA32_PAT, val);
		return 0;
	case MSR_EFER:
		return write_efer(val);
	}
	return -EINVAL;
}

static enum exit_action msr_fault(struct vcpu *v, const char *op, uint32_t msr)
{
	v->unknown_msr++;
	log_debug("guest %s: %s of MSR 0x%x: #GP", vcpu_name(v), op, msr);
	/* a fault: the pushed RFLAGS has RF set, SDM Vol. 3A 18.3.1.1 */
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | (1ULL << 16));
	vcpu_inject_exception(v, VEC_GP, true, 0);
	return EXIT_RESUME;
}

enum exit_action vmexit_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->gpr[GPR_RCX];
	uint64_t val;

	if (read_msr(v, msr, &val))
		return msr_fault(v, "RDMSR", msr);
	v->gpr[GPR_RAX] = (uint32_t)val;
	v->gpr[GPR_RDX] = val >> 32;
	vmexit_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action vmexit_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->gpr[GPR_RCX];
	uint64_t val = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];

	if (write_msr(v, msr, val))
		return msr_fault(v, "WRMSR", msr);
	vmexit_skip_instruction();
	return EXIT_RESUME;
}
