/* Tests for arch/x86/vmx_names.c: every number named, and as the SDM says. */
#include <string.h>
#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_names.h"

TEST exit_reasons_match_sdm(void)
{
	ASSERT_STR_EQ("EPT violation", vmx_exit_reason_name(48));
	ASSERT_STR_EQ("CPUID", vmx_exit_reason_name(VMX_EXIT_CPUID));
	ASSERT_STR_EQ("triple fault", vmx_exit_reason_name(2));
	ASSERT_STR_EQ("VMX-preemption timer expired", vmx_exit_reason_name(52));
	ASSERT_STR_EQ("XSETBV", vmx_exit_reason_name(55));
	ASSERT_STR_EQ("ept_violation", vmx_exit_reason_id(48));
	ASSERT_STR_EQ("io", vmx_exit_reason_id(30));
	PASS();
}

TEST unassigned_and_out_of_range_are_unknown(void)
{
	ASSERT_STR_EQ("unknown", vmx_exit_reason_name(35)); /* not assigned */
	ASSERT_STR_EQ("unknown", vmx_exit_reason_name(38));
	ASSERT_STR_EQ("unknown", vmx_exit_reason_name(VMX_EXIT_REASON_MAX));
	ASSERT_STR_EQ("unknown", vmx_exit_reason_name(0xffffffffU));
	ASSERT_STR_EQ("unknown", vmx_exit_reason_id(1000));
	PASS();
}

TEST every_architectural_reason_below_70_has_a_name(void)
{
	uint32_t r;
	int named = 0;

	for (r = 0; r < VMX_EXIT_REASON_MAX; r++)
		if (strcmp(vmx_exit_reason_name(r), "unknown"))
			named++;
	/* 0-69 less the unassigned 35, 38, 42, 65 */
	ASSERT_EQ(66, named);
	PASS();
}

TEST insn_errors_match_sdm(void)
{
	ASSERT_STR_EQ("VM entry with invalid control field(s)", vmx_insn_error_name(7));
	ASSERT_STR_EQ("VM entry with invalid host-state field(s)", vmx_insn_error_name(8));
	ASSERT_STR_EQ("VMPTRLD with incorrect VMCS revision identifier", vmx_insn_error_name(11));
	ASSERT_STR_EQ("unknown", vmx_insn_error_name(0));
	ASSERT_STR_EQ("unknown", vmx_insn_error_name(14));
	ASSERT_STR_EQ("unknown", vmx_insn_error_name(29));
	ASSERT_STR_EQ("unknown", vmx_insn_error_name(1u << 31));
	PASS();
}

SUITE(vmx_names)
{
	SHUFFLED_TESTS({
		RUN_TEST(exit_reasons_match_sdm);
		RUN_TEST(unassigned_and_out_of_range_are_unknown);
		RUN_TEST(every_architectural_reason_below_70_has_a_name);
		RUN_TEST(insn_errors_match_sdm);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vmx_names);
	});
	GREATEST_MAIN_END();
}
