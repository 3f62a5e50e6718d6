/*
 * The CPUID policy for guests. Bit positions: SDM Vol. 2A, CPUID
 * instruction, tables 3-8 (basic leaves), 3-10/3-11 (leaf 1 ECX/EDX),
 * leaf 7 and extended leaves as listed there.
 */
#include <string.h>
#include "arch/x86/cpuid_filter.h"

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

/* leaf 1 ECX */
#define L1C_DTES64 (1U << 2)
#define L1C_MONITOR (1U << 3)
#define L1C_DS_CPL (1U << 4)
#define L1C_VMX (1U << 5)
#define L1C_SMX (1U << 6)
#define L1C_FMA (1U << 12)
#define L1C_PDCM (1U << 15)
#define L1C_PCID (1U << 17)
#define L1C_X2APIC (1U << 21)
#define L1C_TSC_DEADLINE (1U << 24)
#define L1C_XSAVE (1U << 26)
#define L1C_OSXSAVE (1U << 27)
#define L1C_AVX (1U << 28)
#define L1C_F16C (1U << 29)
#define L1C_HYPERVISOR (1U << 31)
/* leaf 1 EDX */
#define L1D_VME (1U << 1)
#define L1D_DE (1U << 2)
#define L1D_PSE (1U << 3)
#define L1D_TSC (1U << 4)
#define L1D_PAE (1U << 6)
#define L1D_PGE (1U << 13)
#define L1D_FXSR (1U << 24)
#define L1D_SSE (1U << 25)
#define L1D_MCE (1U << 7)
#define L1D_DS (1U << 21) /* debug store: IA32_DS_AREA is #GP for guests */
#define L1D_APIC (1U << 9)
#define L1D_MTRR (1U << 12)
#define L1D_MCA (1U << 14)
#define L1D_ACPI (1U << 22)
#define L1D_HTT (1U << 28)
/* leaf 7 subleaf 0 EBX: what guests may see (no AVX2/AVX-512, INVPCID, RDT, SGX, PT) */
#define L7B_ALLOWED ((1U << 0) | (1U << 3) | (1U << 7) | (1U << 8) | (1U << 9) | \
		     (1U << 18) | (1U << 19) | (1U << 20) | (1U << 23) | (1U << 24) | (1U << 29))
#define L7B_FSGSBASE (1U << 0)
#define L7B_SMEP (1U << 7)
#define L7B_SMAP (1U << 20)
#define L7C_UMIP (1U << 2)
#define L7C_RDPID (1U << 22)
/* CR4 bits, SDM Vol. 3A 2.5 */
#define CR4_VME (1ULL << 0)
#define CR4_PVI (1ULL << 1)
#define CR4_TSD (1ULL << 2)
#define CR4_DE (1ULL << 3)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_MCE (1ULL << 6)
#define CR4_PGE (1ULL << 7)
#define CR4_PCE (1ULL << 8)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_UMIP (1ULL << 11)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_PCIDE (1ULL << 17)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
/* leaf 6 EAX: always-running APIC timer, SDM Vol. 2A CPUID table 3-8 */
#define L6A_ARAT (1U << 2)

/* extended leaf 0x80000001 */
#define E1C_SVM (1U << 2)
#define E1D_RDTSCP (1U << 27)

static void basic_leaf1(const struct cpuid_guest_info *g, uint32_t *r)
{
	/* FMA and F16C operate on AVX state, which is hidden with XSAVE; the
	 * debug store is hidden too (its MSRs #GP) */
	r[ECX] &= ~(L1C_DTES64 | L1C_MONITOR | L1C_DS_CPL | L1C_VMX | L1C_SMX | L1C_PDCM |
		    L1C_XSAVE | L1C_OSXSAVE | L1C_AVX | L1C_FMA | L1C_F16C);
	r[ECX] |= L1C_X2APIC | L1C_TSC_DEADLINE | L1C_HYPERVISOR;
	r[EDX] &= ~(L1D_MCE | L1D_MTRR | L1D_DS | L1D_MCA | L1D_ACPI | L1D_HTT);
	if (g->apic_enabled)
		r[EDX] |= L1D_APIC;
	else
		r[EDX] &= ~L1D_APIC;
	/* EBX[31:24] initial APIC ID, [23:16] logical processors (1) */
	r[EBX] = (r[EBX] & 0x0000ffff) | (g->apic_id << 24) | (1U << 16);
}

static void hypervisor_leaf(uint32_t leaf, const struct cpuid_guest_info *g, uint32_t *r)
{
	memset(r, 0, 4 * sizeof(*r));
	if (leaf == HV_CPUID_BASE) {
		r[EAX] = HV_CPUID_TIMING;
		memcpy(&r[EBX], HV_CPUID_SIGNATURE, 4);
		memcpy(&r[ECX], &HV_CPUID_SIGNATURE[4], 4);
		memcpy(&r[EDX], &HV_CPUID_SIGNATURE[8], 4);
	} else if (leaf == HV_CPUID_TIMING) {
		/* the VMware/KVM timing leaf: TSC and APIC bus frequency in kHz */
		r[EAX] = (uint32_t)g->tsc_khz;
		r[EBX] = (uint32_t)g->apic_bus_khz;
	}
}

/*
 * Leaf 15H (SDM Vol. 2A CPUID, "Time Stamp Counter and Nominal Core
 * Crystal Clock"): TSC = crystal * EBX / EAX. The crystal is the guest
 * APIC timer's input (apic_bus_khz), as on Intel parts since Skylake, so
 * a kernel that takes its APIC timer rate from ECX (Linux does) is right
 * too. The ratio is in MHz (TSC MHz over crystal MHz, rounded): Linux
 * multiplies crystal kHz by EBX in 32 bits, so EBX must stay small; the
 * TSC rate it derives is then within 0.5 MHz.
 */
static void tsc_leaf(const struct cpuid_guest_info *g, uint32_t *r)
{
	memset(r, 0, 4 * sizeof(*r));
	if (g->tsc_khz < 1000 || g->apic_bus_khz < 1000)
		return; /* EBX = 0: "not enumerated" */
	r[EAX] = (uint32_t)(g->apic_bus_khz / 1000);
	r[EBX] = (uint32_t)((g->tsc_khz + 500) / 1000);
	r[ECX] = (uint32_t)(g->apic_bus_khz * 1000);
}

/* Leaf 16H: base and maximum frequency and bus (reference) frequency, in MHz. */
static void freq_leaf(const struct cpuid_guest_info *g, uint32_t *r)
{
	memset(r, 0, 4 * sizeof(*r));
	r[EAX] = (uint32_t)(g->tsc_khz / 1000);
	r[EBX] = r[EAX];
	r[ECX] = (uint32_t)(g->apic_bus_khz / 1000);
}

void cpuid_filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_guest_info *g,
		  uint32_t regs[4])
{
	if (leaf >= HV_CPUID_BASE && leaf < HV_CPUID_BASE + 0x10000) {
		hypervisor_leaf(leaf, g, regs);
		return;
	}
	switch (leaf) {
	case 0:
		/* leaves 15H and 16H are the hypervisor's own answers, so always offered */
		regs[EAX] = MAX(regs[EAX], CPUID_LEAF_FREQ);
		break;
	case 1:
		basic_leaf1(g, regs);
		break;
	case 6:
		/*
		 * Thermal and power management: only ARAT (the APIC timer runs in
		 * deep C-states), which the emulated APIC timer honours. APERF/MPERF
		 * (ECX bit 0), the energy bias (ECX bit 3) and HWP name MSRs the
		 * guest cannot have (Linux read MSR 0xE8 on every tick).
		 */
		regs[EAX] &= L6A_ARAT;
		regs[EBX] = regs[ECX] = regs[EDX] = 0;
		break;
	case CPUID_LEAF_TSC:
		tsc_leaf(g, regs);
		break;
	case CPUID_LEAF_FREQ:
		freq_leaf(g, regs);
		break;
	case 5:   /* MONITOR/MWAIT */
	case 0xa: /* performance monitoring */
	case 0xd: /* XSAVE state */
	case 0x12: /* SGX */
	case 0x14: /* processor trace */
		memset(regs, 0, 4 * sizeof(*regs));
		break;
	case 7:
		if (subleaf == 0) {
			regs[EBX] &= L7B_ALLOWED;
			/* RDPID needs "enable RDTSCP" too, SDM Vol. 3C 26.3 */
			regs[ECX] &= g->rdtscp ? L7C_RDPID : 0;
			regs[EDX] = 0;
			regs[EAX] = 0; /* no further subleaves */
		} else {
			memset(regs, 0, 4 * sizeof(*regs));
		}
		break;
	case 0xb:
	case 0x1f:
		/* one thread in one core: x2APIC ID in EDX, SDM Vol. 2A leaf 0BH */
		regs[EAX] = 0;
		regs[EBX] = subleaf < 2 ? 1 : 0;
		/* level type in ECX[15:8]: 1 SMT at subleaf 0, 2 core at 1, 0 (invalid) after */
		regs[ECX] = (subleaf & 0xff) | (subleaf < 2 ? (subleaf + 1) << 8 : 0);
		regs[EDX] = g->apic_id;
		break;
	case 0x80000001:
		regs[ECX] &= ~E1C_SVM;
		if (!g->rdtscp)
			regs[EDX] &= ~E1D_RDTSCP;
		break;
	default:
		break;
	}
}

struct cr4_feature {
	uint64_t cr4;
	int leaf; /* 1 or 7 */
	int reg;
	uint32_t bit;
};

static const struct cr4_feature cr4_features[] = {
	{ CR4_VME | CR4_PVI, 1, EDX, L1D_VME },
	{ CR4_TSD, 1, EDX, L1D_TSC },
	{ CR4_DE, 1, EDX, L1D_DE },
	{ CR4_PSE, 1, EDX, L1D_PSE },
	{ CR4_PAE, 1, EDX, L1D_PAE },
	{ CR4_MCE, 1, EDX, L1D_MCE },
	{ CR4_PGE, 1, EDX, L1D_PGE },
	{ CR4_OSFXSR, 1, EDX, L1D_FXSR },
	{ CR4_OSXMMEXCPT, 1, EDX, L1D_SSE },
	{ CR4_PCIDE, 1, ECX, L1C_PCID },
	{ CR4_UMIP, 7, ECX, L7C_UMIP },
	{ CR4_FSGSBASE, 7, EBX, L7B_FSGSBASE },
	{ CR4_SMEP, 7, EBX, L7B_SMEP },
	{ CR4_SMAP, 7, EBX, L7B_SMAP },
};

uint64_t cpuid_guest_cr4_allowed(const uint32_t leaf1[4], const uint32_t leaf7[4])
{
	uint64_t allowed = CR4_PCE; /* RDPMC at CPL > 0: allowed, RDPMC itself exits to #GP */
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cr4_features); i++) {
		const struct cr4_feature *f = &cr4_features[i];
		const uint32_t *r = f->leaf == 1 ? leaf1 : leaf7;

		if (r[f->reg] & f->bit)
			allowed |= f->cr4;
	}
	return allowed;
}
