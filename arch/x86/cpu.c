/*
 * CPU identification and reading of the VMX capability MSRs.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmxcap.h"
#include <string.h>

static void copy_regs(char *out, const uint32_t *regs, int n)
{
	memcpy(out, regs, (size_t)n * 4);
}

static void read_brand(struct cpu_info *info)
{
	uint32_t r[12];
	int i;

	if (info->max_ext_leaf < 0x80000004) {
		info->brand[0] = 0;
		return;
	}
	/* the brand string is 48 bytes from leaves 0x80000002-4, SDM Vol. 2A CPUID */
	for (i = 0; i < 3; i++)
		cpuid(0x80000002 + i, 0, &r[i * 4], &r[i * 4 + 1], &r[i * 4 + 2], &r[i * 4 + 3]);
	copy_regs(info->brand, r, 12);
	info->brand[48] = 0;
	/* trim the padding some CPUs put in front */
	for (i = 0; info->brand[i] == ' '; i++)
		;
	memmove(info->brand, info->brand + i, 49 - i);
}

void cpu_identify(struct cpu_info *info)
{
	uint32_t a, b, c, d, vendor[3];
	uint32_t family, model;

	memset(info, 0, sizeof(*info));
	cpuid(0, 0, &a, &vendor[0], &vendor[2], &vendor[1]);
	info->max_leaf = a;
	copy_regs(info->vendor, vendor, 3);
	info->vendor[12] = 0;

	cpuid(1, 0, &a, &b, &c, &d);
	/* display family/model per SDM Vol. 2A CPUID, figure 3-6 */
	family = (a >> 8) & 0xf;
	model = (a >> 4) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family == 0x6 || family == 0xf)
		model |= ((a >> 16) & 0xf) << 4;
	info->family = family;
	info->model = model;
	info->stepping = a & 0xf;
	info->hypervisor = c & CPUID_1_ECX_HYPERVISOR;
	info->x2apic = c & (1U << 21);

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	info->max_ext_leaf = a;
	if (info->max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		info->pdpe1gb = d & CPUID_80000001_EDX_PDPE1GB;
	}
	if (info->max_ext_leaf >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		info->invariant_tsc = d & (1U << 8);
	}
	read_brand(info);
}

void cpu_read_vmx_msrs(struct vmx_msrs *m)
{
	uint32_t a, b, c, d;

	memset(m, 0, sizeof(*m));
	cpuid(1, 0, &a, &b, &c, &d);
	m->cpuid_vmx = c & CPUID_1_ECX_VMX;
	if (!m->cpuid_vmx)
		return;
	m->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	/* the TRUE_* MSRs exist when IA32_VMX_BASIC bit 55 is set, SDM Vol. 3D A.1 */
	m->has_true = m->basic & (1ULL << 55);
	if (m->has_true) {
		m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	/* PROCBASED_CTLS2 exists when "activate secondary controls" may be 1, SDM Vol. 3D A.3.3 */
	m->has_procbased2 = m->procbased & (1ULL << (32 + 31));
	if (!m->has_procbased2)
		return;
	m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	/* EPT_VPID_CAP exists when EPT or VPID may be enabled, SDM Vol. 3D A.10 */
	m->has_ept_vpid_cap = m->procbased2 & ((1ULL << (32 + 1)) | (1ULL << (32 + 5)));
	if (m->has_ept_vpid_cap)
		m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}
