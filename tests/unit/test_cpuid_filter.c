/* Tests for arch/x86/cpuid_filter.c: what guests may and may not see. */
#include <string.h>
#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/cpuid_filter.h"

static const struct cpuid_guest_info info = { 3, 2000000, 100000, false, false, true };

static void run(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		uint32_t out[4])
{
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
	cpuid_filter(leaf, sub, &info, out);
}

TEST leaf1_hides_vmx_and_xsave_and_sets_hypervisor(void)
{
	uint32_t r[4];

	run(1, 0, 0x000906ea, 0x05100800, 0xffffffff, 0xffffffff, r);
	ASSERT_EQ(0x000906eaU, r[0]);
	ASSERT_EQ(0U, r[2] & (1U << 5));          /* VMX */
	ASSERT_EQ(0U, r[2] & (1U << 6));          /* SMX */
	ASSERT_EQ(0U, r[2] & (1U << 26));         /* XSAVE */
	ASSERT_EQ(0U, r[2] & (1U << 27));         /* OSXSAVE */
	ASSERT_EQ(0U, r[2] & (1U << 28));         /* AVX */
	ASSERT_EQ(0U, r[2] & (1U << 12));         /* FMA: AVX state, hidden */
	ASSERT_EQ(0U, r[2] & (1U << 29));         /* F16C: likewise */
	ASSERT_EQ(0U, r[2] & (1U << 3));          /* MONITOR */
	ASSERT(r[2] & (1U << 31));                /* hypervisor present */
	ASSERT(r[2] & (1U << 21));                /* x2APIC, emulated */
	ASSERT(r[2] & (1U << 24));                /* TSC deadline, emulated */
	ASSERT_EQ(0U, r[3] & (1U << 12));         /* MTRR */
	ASSERT_EQ(0U, r[3] & (1U << 28));         /* HTT */
	ASSERT_EQ(0U, r[3] & (1U << 21));         /* DS: IA32_DS_AREA is #GP */
	ASSERT_EQ(0U, r[2] & ((1U << 2) | (1U << 4))); /* DTES64, DS-CPL */
	ASSERT(r[3] & (1U << 9));                 /* APIC */
	ASSERT_EQ(3U, r[1] >> 24);                /* APIC ID */
	ASSERT_EQ(1U, (r[1] >> 16) & 0xff);       /* one logical processor */
	ASSERT_EQ(0x0800U, r[1] & 0xffff);        /* brand index and CLFLUSH size kept */
	PASS();
}

TEST leaf1_keeps_every_bit_of_ebx_low_half(void)
{
	uint32_t r[4];

	run(1, 0, 0x000906ea, 0xffffffff, 0, 0, r);
	ASSERT_EQ_FMT(0x0301ffffU, r[1], "0x%08x"); /* APIC ID 3, one processor, [15:0] kept */
	PASS();
}

TEST leaf1_adds_x2apic_even_when_host_lacks_it(void)
{
	uint32_t r[4];

	run(1, 0, 0, 0, 0, 0, r);
	ASSERT_EQ((1U << 21) | (1U << 24) | (1U << 31), r[2]);
	PASS();
}

TEST hypervisor_leaves(void)
{
	uint32_t r[4];
	char sig[13];

	run(0x40000000, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(0x40000010U, r[0]);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	ASSERT_STR_EQ("HVmicrovisor", sig);
	run(0x40000010, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(2000000U, r[0]);
	ASSERT_EQ(100000U, r[1]);
	ASSERT_EQ(0U, r[2] | r[3]);
	run(0x40000005, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(0U, r[0] | r[1] | r[2] | r[3]);
	/* the hypervisor range ends at 0x4000ffff: the next leaf is the host's */
	run(0x4000ffff, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(0U, r[0] | r[1] | r[2] | r[3]);
	run(0x40010000, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(1U, r[0]);
	ASSERT_EQ(4U, r[3]);
	PASS();
}

TEST leaf7_keeps_only_allowed_features(void)
{
	uint32_t r[4];

	run(7, 0, 2, 0xffffffff, 0xffffffff, 0xffffffff, r);
	ASSERT_EQ(0U, r[0]);
	ASSERT_EQ(0U, r[1] & (1U << 5));   /* AVX2 */
	ASSERT_EQ(0U, r[1] & (1U << 16));  /* AVX-512F */
	ASSERT_EQ(0U, r[1] & (1U << 10));  /* INVPCID */
	ASSERT(r[1] & (1U << 7));          /* SMEP */
	ASSERT(r[1] & (1U << 20));         /* SMAP */
	ASSERT_EQ(0U, r[2]);
	ASSERT_EQ(0U, r[3]);
	run(7, 1, 5, 5, 5, 5, r);
	ASSERT_EQ(0U, r[0] | r[1] | r[2] | r[3]);
	PASS();
}

TEST hidden_leaves_are_zero(void)
{
	static const uint32_t leaves[] = { 5, 0xa, 0xd, 0x12, 0x14 };
	uint32_t r[4];
	size_t i;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		run(leaves[i], 0, 7, 7, 7, 7, r);
		ASSERT_EQ(0U, r[0] | r[1] | r[2] | r[3]);
	}
	PASS();
}

TEST topology_is_one_thread(void)
{
	uint32_t r[4], r1f[4], sub;

	run(0xb, 0, 9, 9, 9, 9, r);
	ASSERT_EQ(1U, r[1]);
	ASSERT_EQ(1U << 8, r[2]);
	ASSERT_EQ(3U, r[3]);
	run(0xb, 1, 9, 9, 9, 9, r);
	ASSERT_EQ(1U | (2U << 8), r[2]);
	run(0xb, 2, 9, 9, 9, 9, r);
	ASSERT_EQ(0U, r[1]);
	ASSERT_EQ(2U, r[2]);
	/* leaf 0x1f (V2 extended topology) says the same as 0xb */
	for (sub = 0; sub < 3; sub++) {
		run(0xb, sub, 9, 9, 9, 9, r);
		run(0x1f, sub, 9, 9, 9, 9, r1f);
		ASSERT_MEM_EQ(r, r1f, sizeof(r));
	}
	PASS();
}

TEST extended_leaf_hides_svm_and_rdtscp(void)
{
	uint32_t r[4];

	run(0x80000001, 0, 0, 0, 0xffffffff, 0xffffffff, r);
	ASSERT_EQ(0U, r[2] & (1U << 2));
	ASSERT_EQ(0U, r[3] & (1U << 27));
	ASSERT(r[3] & (1U << 29)); /* long mode kept */
	PASS();
}

/* With "enable RDTSCP" the host's RDTSCP and RDPID bits pass, and nothing else of leaf 7 ECX. */
TEST rdtscp_and_rdpid_offered_with_their_control(void)
{
	struct cpuid_guest_info g = info;
	uint32_t r[4] = { 0, 0, 0xffffffff, 0xffffffff };

	g.rdtscp = true;
	cpuid_filter(0x80000001, 0, &g, r);
	ASSERT(r[3] & (1U << 27));
	ASSERT_EQ(0U, r[2] & (1U << 2));
	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_filter(7, 0, &g, r);
	ASSERT_EQ(1U << 22, r[2]);
	r[0] = r[1] = r[3] = 0;
	r[2] = ~(1U << 22); /* a host without RDPID */
	cpuid_filter(7, 0, &g, r);
	ASSERT_EQ(0U, r[2]);
	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	cpuid_filter(7, 0, &info, r);
	ASSERT_EQ(0U, r[2]);
	PASS();
}

/* A globally disabled APIC is absent from CPUID (SDM Vol. 3A 11.4.3). */
TEST apic_bit_follows_apic_base_enable(void)
{
	struct cpuid_guest_info g = info;
	uint32_t r[4] = { 0x906ea, 0, 0, 0xffffffff };

	g.apic_enabled = false;
	cpuid_filter(1, 0, &g, r);
	ASSERT_EQ(0U, r[3] & (1U << 9));
	ASSERT(r[3] & (1U << 0)); /* FPU and the rest untouched */
	r[3] = 0;
	g.apic_enabled = true;
	cpuid_filter(1, 0, &g, r);
	ASSERT_EQ(1U << 9, r[3]);
	PASS();
}

TEST power_leaf_keeps_only_arat(void)
{
	uint32_t r[4];

	run(6, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, r);
	ASSERT_EQ(1U << 2, r[0]);
	ASSERT_EQ(0U, r[1]);
	ASSERT_EQ(0U, r[2]);                      /* no APERF/MPERF, no EPB */
	ASSERT_EQ(0U, r[3]);
	run(6, 0, 0x3, 0, 0x9, 0, r);
	ASSERT_EQ(0U, r[0]);
	PASS();
}

TEST tsc_leaves_give_the_frequencies(void)
{
	static const struct cpuid_guest_info odd = { 0, 1999600, 100000, false, false, true };
	static const struct cpuid_guest_info none = { 0, 0, 100000, false, false, true };
	uint32_t r[4];

	run(0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69, r);
	ASSERT_EQ(0x16U, r[0]);                   /* raised to 0x16 */
	run(0, 0, 0x20, 1, 2, 3, r);
	ASSERT_EQ(0x20U, r[0]);                   /* never lowered */
	ASSERT_EQ(1U, r[1]);
	run(0x15, 0, 9, 9, 9, 9, r);
	ASSERT_EQ(100U, r[0]);                    /* crystal MHz */
	ASSERT_EQ(2000U, r[1]);                   /* TSC MHz */
	ASSERT_EQ(100000000U, r[2]);              /* crystal Hz: the APIC timer's input */
	ASSERT_EQ(0U, r[3]);
	/* Linux: crystal kHz * EBX must fit 32 bits */
	ASSERT((uint64_t)(r[2] / 1000) * r[1] < (1ULL << 32));
	run(0x16, 0, 9, 9, 9, 9, r);
	ASSERT_EQ(2000U, r[0]);
	ASSERT_EQ(2000U, r[1]);
	ASSERT_EQ(100U, r[2]);
	ASSERT_EQ(0U, r[3]);
	r[0] = r[1] = r[2] = r[3] = 9;
	cpuid_filter(0x15, 0, &odd, r);
	ASSERT_EQ(2000U, r[1]);                   /* 1999.6 MHz rounds to 2000 */
	r[0] = r[1] = r[2] = r[3] = 9;
	cpuid_filter(0x15, 0, &none, r);
	ASSERT_EQ(0U, r[1]);                      /* unknown TSC rate: not enumerated */
	ASSERT_EQ(0U, r[0]);
	PASS();
}

TEST other_leaves_pass_through(void)
{
	uint32_t r[4];

	run(0, 0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69, r);
	ASSERT_EQ(0x16U, r[0]);
	ASSERT_EQ(0x756e6547U, r[1]);
	run(0x80000002, 0, 1, 2, 3, 4, r);
	ASSERT_EQ(4U, r[3]);
	PASS();
}

/* CR4 bits follow the features offered, after filtering. */
TEST cr4_allowed_follows_the_offered_features(void)
{
	uint32_t l1[4], l7[4];
	uint64_t allowed;

	run(1, 0, 0x000906ea, 0x05100800, 0xffffffff, 0xffffffff, l1);
	run(7, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, l7);
	allowed = cpuid_guest_cr4_allowed(l1, l7);
	ASSERT_EQ(0x7bfULL, allowed & 0x7ff); /* VME..OSXMMEXCPT but MCE, PCE */
	ASSERT_EQ(0ULL, allowed & (1ULL << 6));    /* MCE: CPUID hides MCE */
	ASSERT_EQ(0ULL, allowed & (1ULL << 11));   /* UMIP: leaf 7 ECX is hidden */
	ASSERT_EQ(0ULL, allowed & (1ULL << 12));   /* LA57 */
	ASSERT_EQ(0ULL, allowed & (1ULL << 13));   /* VMXE */
	ASSERT_EQ(0ULL, allowed & (1ULL << 14));   /* SMXE */
	ASSERT(allowed & (1ULL << 16));            /* FSGSBASE offered */
	ASSERT(allowed & (1ULL << 17));            /* PCIDE offered */
	ASSERT_EQ(0ULL, allowed & (1ULL << 18));   /* OSXSAVE: XSAVE hidden */
	ASSERT(allowed & (1ULL << 20));            /* SMEP */
	ASSERT(allowed & (1ULL << 21));            /* SMAP */
	ASSERT_EQ(0ULL, allowed & (1ULL << 22));   /* PKE */
	ASSERT_EQ(0ULL, allowed >> 23);
	/* a host without a feature: the bit goes */
	run(1, 0, 0x000906ea, 0x05100800, 0, 0, l1);
	run(7, 0, 0, 0, 0, 0, l7);
	ASSERT_EQ(1ULL << 8, cpuid_guest_cr4_allowed(l1, l7)); /* PCE only */
	PASS();
}

TEST cr4_mce_follows_the_mce_bit_of_leaf_1(void)
{
	const uint32_t none[4] = { 0, 0, 0, 0 }, mce[4] = { 0, 0, 0, 1U << 7 };

	/* should a filter offer MCE one day, CR4.MCE goes with it; the same
	 * bit of leaf 7 EDX is another feature */
	ASSERT_EQ((1ULL << 8) | (1ULL << 6), cpuid_guest_cr4_allowed(mce, none));
	ASSERT_EQ(1ULL << 8, cpuid_guest_cr4_allowed(none, mce));
	PASS();
}

SUITE(cpuid_filter_suite)
{
	SHUFFLED_TESTS({
		RUN_TEST(leaf1_hides_vmx_and_xsave_and_sets_hypervisor);
		RUN_TEST(leaf1_adds_x2apic_even_when_host_lacks_it);
		RUN_TEST(hypervisor_leaves);
		RUN_TEST(leaf7_keeps_only_allowed_features);
		RUN_TEST(hidden_leaves_are_zero);
		RUN_TEST(topology_is_one_thread);
		RUN_TEST(extended_leaf_hides_svm_and_rdtscp);
		RUN_TEST(rdtscp_and_rdpid_offered_with_their_control);
		RUN_TEST(apic_bit_follows_apic_base_enable);
		RUN_TEST(other_leaves_pass_through);
		RUN_TEST(tsc_leaves_give_the_frequencies);
		RUN_TEST(power_leaf_keeps_only_arat);
		RUN_TEST(cr4_allowed_follows_the_offered_features);
		RUN_TEST(cr4_mce_follows_the_mce_bit_of_leaf_1);
		RUN_TEST(leaf1_keeps_every_bit_of_ebx_low_half);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(cpuid_filter_suite);
	});
	GREATEST_MAIN_END();
}
