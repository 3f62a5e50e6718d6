/* Unit tests for arch/x86/vmxcap.c: decoding the VMX capability MSRs. */
#include "arch/x86/vmxcap.h"
#include "greatest.h"
#include "unit_order.h"

/*
 * basic, procbased, procbased2 and ept_vpid_cap are what a Bochs 2.7
 * corei7_skylake_x CPU reports. Pin-based and misc are typical values
 * (pin-based allowed-1 0x7f has the preemption timer, bit 6).
 */
#define BOCHS_BASIC 0x00D810000000002BULL
#define BOCHS_PROCBASED 0xF7F9FFFE0401E172ULL
#define BOCHS_PROCBASED2 0x02177FFF00000000ULL
#define BOCHS_EPT_VPID_CAP 0x00000F0106334141ULL
#define TYPICAL_PINBASED 0x0000007F00000016ULL
#define TYPICAL_MISC 0x00000000000401E5ULL

#define BIT(n) (1ULL << (n))
#define ALLOW1(n) (BIT(n) << 32) /* allowed-1 bit n of a control MSR */

static struct vmx_msrs bochs_msrs(void)
{
	struct vmx_msrs m = {
		.cpuid_vmx = true,
		.feature_control = 0,
		.basic = BOCHS_BASIC,
		.pinbased = TYPICAL_PINBASED,
		.procbased = BOCHS_PROCBASED,
		.misc = TYPICAL_MISC,
		.has_true = true,
		.true_pinbased = TYPICAL_PINBASED & ~0x16ULL,
		.true_procbased = BOCHS_PROCBASED & ~0x6172ULL,
		.has_procbased2 = true,
		.procbased2 = BOCHS_PROCBASED2,
		.has_ept_vpid_cap = true,
		.ept_vpid_cap = BOCHS_EPT_VPID_CAP,
	};

	return m;
}

TEST bochs_skylake_has_everything(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	vmxcap_decode(&m, &c);
	ASSERT(c.vmx);
	ASSERT(c.vmx_usable);
	ASSERT_FALSE(c.feature_locked);
	ASSERT_EQ_FMT(0x2Bu, c.vmcs_revision, "0x%x");
	ASSERT_EQ_FMT((uint32_t)(BOCHS_BASIC & 0x7fffffff), c.vmcs_revision, "0x%x");
	ASSERT_EQ_FMT(0x1000u, c.vmcs_size, "0x%x");
	ASSERT(c.true_ctls);
	ASSERT(c.insouts_info); /* Bochs sets IA32_VMX_BASIC bit 54 */
	ASSERT(c.msr_bitmaps);
	ASSERT(c.io_bitmaps);
	ASSERT(c.secondary_ctls);
	ASSERT(c.preemption_timer);
	ASSERT_EQ(5, c.preemption_timer_shift);
	ASSERT(c.ept);
	ASSERT(c.vpid);
	ASSERT(c.unrestricted_guest);
	ASSERT(c.pml);
	ASSERT(c.rdtscp);
	ASSERT(c.ept_4level);
	ASSERT(c.ept_wb);
	ASSERT(c.ept_2m);
	ASSERT(c.ept_1g);
	ASSERT(c.ept_ad);
	ASSERT(c.invept);
	ASSERT(c.invvpid);
	PASS();
}

TEST no_vmx_reads_all_false(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&c, 0xff, sizeof(c));
	m.cpuid_vmx = false;
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.vmx);
	ASSERT_FALSE(c.vmx_usable);
	ASSERT_FALSE(c.ept);
	ASSERT_EQ(0, c.vmcs_revision);
	ASSERT_MEM_EQ(&zero, &c, sizeof(c));
	PASS();
}

TEST feature_control_lock(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.feature_control = FEATURE_CONTROL_LOCK;
	vmxcap_decode(&m, &c);
	ASSERT(c.vmx);
	ASSERT(c.feature_locked);
	ASSERT_FALSE(c.vmx_usable);

	m.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_IN_SMX;
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.vmx_usable);

	m.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
	vmxcap_decode(&m, &c);
	ASSERT(c.feature_locked);
	ASSERT(c.vmx_usable);

	/* Unlocked: the hypervisor may still set the enable bit itself. */
	m.feature_control = FEATURE_CONTROL_VMXON_IN_SMX;
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.feature_locked);
	ASSERT(c.vmx_usable);
	PASS();
}

TEST no_secondary_controls(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.procbased &= ~ALLOW1(31);
	m.true_procbased &= ~ALLOW1(31);
	vmxcap_decode(&m, &c);
	ASSERT(c.vmx_usable);
	ASSERT(c.msr_bitmaps);
	ASSERT_FALSE(c.secondary_ctls);
	ASSERT_FALSE(c.ept);
	ASSERT_FALSE(c.vpid);
	ASSERT_FALSE(c.unrestricted_guest);
	ASSERT_FALSE(c.pml);
	ASSERT_FALSE(c.ept_ad);
	ASSERT_FALSE(c.invvpid);
	ASSERT_FALSE(c.rdtscp);

	/* Bit 31 allowed but the MSR was not read: still nothing. */
	m = bochs_msrs();
	m.has_procbased2 = false;
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.secondary_ctls);
	ASSERT_FALSE(c.ept);
	PASS();
}

TEST ept_without_ad_means_no_pml(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.ept_vpid_cap &= ~BIT(21);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept);
	ASSERT_FALSE(c.ept_ad);
	ASSERT_FALSE(c.pml);
	ASSERT(c.ept_2m);
	ASSERT(c.unrestricted_guest);
	PASS();
}

/* "Enable RDTSCP" is its own allowed-1 bit: nothing else implies it. */
TEST rdtscp_only_with_its_control(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.procbased2 &= ~ALLOW1(3);
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.rdtscp);
	ASSERT(c.ept);
	ASSERT(c.vpid);
	PASS();
}

/* VPID without INVVPID could leave stale tagged translations: not used. */
TEST vpid_needs_invvpid(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.ept_vpid_cap &= ~(1ULL << 32); /* INVVPID, SDM Vol. 3D A.10 */
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.invvpid);
	ASSERT_FALSE(c.vpid);
	ASSERT(c.ept);
	ASSERT(c.invept);
	PASS();
}

/* INVVPID counts only with VPID: the capability bit alone (SDM A.10,
 * bit 32) means nothing when the VPID control is not allowed. */
TEST invvpid_needs_vpid(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.procbased2 &= ~ALLOW1(5);
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.vpid);
	ASSERT_FALSE(c.invvpid);
	ASSERT(m.ept_vpid_cap & BIT(32)); /* the bit itself is still set */
	ASSERT(c.ept && c.invept);
	PASS();
}

TEST pml_and_ug_need_ept(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.procbased2 &= ~ALLOW1(1);
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.ept);
	ASSERT_FALSE(c.pml);
	ASSERT_FALSE(c.unrestricted_guest);
	ASSERT_FALSE(c.ept_ad);
	ASSERT_FALSE(c.ept_1g);
	ASSERT_FALSE(c.invept);
	ASSERT(c.vpid);
	ASSERT(c.invvpid);

	m = bochs_msrs();
	m.procbased2 &= ~ALLOW1(17);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept);
	ASSERT(c.ept_ad);
	ASSERT_FALSE(c.pml);
	PASS();
}

TEST ept_vpid_cap_missing(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.has_ept_vpid_cap = false;
	vmxcap_decode(&m, &c);
	ASSERT(c.secondary_ctls);
	ASSERT_FALSE(c.ept);
	ASSERT_FALSE(c.vpid);
	ASSERT_FALSE(c.pml);
	ASSERT_FALSE(c.invept);
	PASS();
}

TEST ept_cap_bits_one_at_a_time(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.ept_vpid_cap = BIT(6);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept_4level);
	ASSERT_FALSE(c.ept_wb || c.ept_2m || c.ept_1g || c.ept_ad || c.invept || c.invvpid);
	m.ept_vpid_cap = BIT(14);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept_wb && !c.ept_4level);
	m.ept_vpid_cap = BIT(16);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept_2m && !c.ept_1g);
	m.ept_vpid_cap = BIT(17);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept_1g && !c.ept_2m);
	m.ept_vpid_cap = BIT(20);
	vmxcap_decode(&m, &c);
	ASSERT(c.invept && !c.ept_ad);
	m.ept_vpid_cap = BIT(21);
	vmxcap_decode(&m, &c);
	ASSERT(c.ept_ad && c.pml && !c.invept);
	m.ept_vpid_cap = BIT(32);
	vmxcap_decode(&m, &c);
	ASSERT(c.invvpid && !c.invept);
	PASS();
}

TEST true_msrs_used_only_when_present(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	/* The TRUE MSR is authoritative when bit 55 says it exists. */
	m.procbased &= ~ALLOW1(28);
	vmxcap_decode(&m, &c);
	ASSERT(c.true_ctls);
	ASSERT(c.msr_bitmaps);

	m = bochs_msrs();
	m.true_procbased &= ~ALLOW1(25);
	m.true_pinbased &= ~ALLOW1(6);
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.io_bitmaps);
	ASSERT_FALSE(c.preemption_timer);

	/* Without bit 55 the TRUE values are ignored. */
	m.basic &= ~(BIT(55) | BIT(54));
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.true_ctls);
	ASSERT_FALSE(c.insouts_info);
	ASSERT(c.io_bitmaps);
	ASSERT(c.preemption_timer);

	/* Nor are they used when the caller did not read them. */
	m = bochs_msrs();
	m.has_true = false;
	m.true_procbased = 0;
	vmxcap_decode(&m, &c);
	ASSERT_FALSE(c.true_ctls);
	ASSERT(c.secondary_ctls);
	ASSERT(c.ept);
	PASS();
}

TEST basic_fields_and_timer_rate(void)
{
	struct vmx_msrs m = bochs_msrs();
	struct vmx_caps c;

	m.basic = (0x1fffULL << 32) | 0xffffffffULL | BIT(55);
	m.misc = 0xffffffe0ULL | 0x1f;
	vmxcap_decode(&m, &c);
	ASSERT_EQ_FMT(0x7fffffffu, c.vmcs_revision, "0x%x");
	ASSERT_EQ_FMT(0x1fffu, c.vmcs_size, "0x%x");
	ASSERT_EQ(31, c.preemption_timer_shift);

	m.basic = 0x0000040000000001ULL; /* bit 42 is inside 44:32 */
	m.misc = 0;
	vmxcap_decode(&m, &c);
	ASSERT_EQ(1, c.vmcs_revision);
	ASSERT_EQ(0x400, c.vmcs_size);
	ASSERT_EQ(0, c.preemption_timer_shift);
	ASSERT_FALSE(c.true_ctls);
	PASS();
}

SUITE(vmxcap)
{
	SHUFFLED_TESTS({
		RUN_TEST(bochs_skylake_has_everything);
		RUN_TEST(no_vmx_reads_all_false);
		RUN_TEST(feature_control_lock);
		RUN_TEST(no_secondary_controls);
		RUN_TEST(ept_without_ad_means_no_pml);
		RUN_TEST(pml_and_ug_need_ept);
		RUN_TEST(invvpid_needs_vpid);
		RUN_TEST(ept_vpid_cap_missing);
		RUN_TEST(ept_cap_bits_one_at_a_time);
		RUN_TEST(true_msrs_used_only_when_present);
		RUN_TEST(basic_fields_and_timer_rate);
		RUN_TEST(vpid_needs_invvpid);
		RUN_TEST(rdtscp_only_with_its_control);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vmxcap);
	});
	GREATEST_MAIN_END();
}
