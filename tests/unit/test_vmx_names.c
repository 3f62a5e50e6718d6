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

/* SDM Vol. 3C, 31.4 "VM Instruction Error Numbers", the whole table:
 * each number has its own text, the unassigned ones (14, 21, 27) none. */
static const struct {
	uint32_t num;
	const char *text;
} sdm_insn_errors[] = {
	{ 1, "VMCALL executed in VMX root operation" },
	{ 2, "VMCLEAR with invalid physical address" },
	{ 3, "VMCLEAR with VMXON pointer" },
	{ 4, "VMLAUNCH with non-clear VMCS" },
	{ 5, "VMRESUME with non-launched VMCS" },
	{ 6, "VMRESUME after VMXOFF" },
	{ 7, "VM entry with invalid control field(s)" },
	{ 8, "VM entry with invalid host-state field(s)" },
	{ 9, "VMPTRLD with invalid physical address" },
	{ 10, "VMPTRLD with VMXON pointer" },
	{ 11, "VMPTRLD with incorrect VMCS revision identifier" },
	{ 12, "VMREAD/VMWRITE from/to unsupported VMCS component" },
	{ 13, "VMWRITE to read-only VMCS component" },
	{ 15, "VMXON executed in VMX root operation" },
	{ 16, "VM entry with invalid executive-VMCS pointer" },
	{ 17, "VM entry with non-launched executive VMCS" },
	{ 18, "VM entry with executive-VMCS pointer not VMXON pointer" },
	{ 19, "VMCALL with non-clear VMCS" },
	{ 20, "VMCALL with invalid VM-exit control fields" },
	{ 22, "VMCALL with incorrect MSEG revision identifier" },
	{ 23, "VMXOFF under dual-monitor treatment of SMIs and SMM" },
	{ 24, "VMCALL with invalid SMM-monitor features" },
	{ 25, "VM entry with invalid VM-execution control fields in executive VMCS" },
	{ 26, "VM entry with events blocked by MOV SS" },
	{ 28, "invalid operand to INVEPT/INVVPID" },
};

TEST every_insn_error_number_as_the_sdm(void)
{
	uint32_t n, i;

	for (i = 0; i < ARRAY_SIZE(sdm_insn_errors); i++)
		ASSERT_STR_EQ(sdm_insn_errors[i].text, vmx_insn_error_name(sdm_insn_errors[i].num));
	for (n = 0; n < 64; n++) {
		bool listed = false;

		for (i = 0; i < ARRAY_SIZE(sdm_insn_errors); i++)
			listed |= sdm_insn_errors[i].num == n;
		if (!listed)
			ASSERT_STR_EQ("unknown", vmx_insn_error_name(n));
	}
	PASS();
}

/* The last exit reason is named, the one past the table is not. */
TEST exit_reason_table_edges(void)
{
	ASSERT(strcmp(vmx_exit_reason_name(VMX_EXIT_REASON_MAX - 1), "unknown"));
	ASSERT(strcmp(vmx_exit_reason_id(VMX_EXIT_REASON_MAX - 1), "unknown"));
	ASSERT_STR_EQ("unknown", vmx_exit_reason_name(VMX_EXIT_REASON_MAX));
	ASSERT_STR_EQ("unknown", vmx_exit_reason_id(VMX_EXIT_REASON_MAX));
	ASSERT_STR_EQ("exception_nmi", vmx_exit_reason_id(0));
	PASS();
}

SUITE(vmx_names)
{
	SHUFFLED_TESTS({
		RUN_TEST(exit_reasons_match_sdm);
		RUN_TEST(unassigned_and_out_of_range_are_unknown);
		RUN_TEST(every_architectural_reason_below_70_has_a_name);
		RUN_TEST(insn_errors_match_sdm);
		RUN_TEST(every_insn_error_number_as_the_sdm);
		RUN_TEST(exit_reason_table_edges);
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
