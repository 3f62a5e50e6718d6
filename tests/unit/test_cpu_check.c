/*
 * Unit tests for arch/x86/cpu_check.c: the states a multiboot boot and a
 * 64-bit guest in ring 3 are in pass; each rule, broken alone, is refused
 * with a message naming what is wrong.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/boot_state.h"
#include "arch/x86/cpu_check.h"

/* A typical VMX machine: CR0 bits 31:0 holdable, CR4 features of a modern CPU, 39-bit physical. */
static const struct cpu_check_policy pol = { 0xffffffffULL, 0x3727ffULL & ~(1ULL << 13), 39 };
static struct gs_cpu cpu;
static char err[160];

static void boot32(void)
{
	memset(&cpu, 0, sizeof(cpu));
	boot_state_multiboot(&cpu, 0x100000, 0x2badb002, 0x9000, 0);
}

/* Long mode, paging, ring 3 64-bit code as long64 runs (SYSRET's selectors). */
static void user64(void)
{
	boot32();
	cpu.cr0 |= (1ULL << 31) | (1ULL << 16);
	cpu.cr4 |= 1ULL << 5;
	cpu.cr3 = 0x1000;
	cpu.efer = (1ULL << 8) | (1ULL << 10) | 1;
	cpu.seg[GS_CS] = (struct gs_segment){ 0x2b, 0xffffffff, 0xa0fb, 0 }; /* L, G, DPL 3 */
	cpu.seg[GS_SS] = (struct gs_segment){ 0x23, 0xffffffff, 0xc0f3, 0 };
	cpu.seg[GS_FS].ar = 1u << 16; /* null selectors leave segments unusable */
	cpu.rip = 0xffff800000001000ULL;
	cpu.rflags = 0x202;
}

static enum greatest_test_res refused(const char *what)
{
	err[0] = 0;
	ASSERT_EQ(-EINVAL, cpu_check_state(&cpu, &pol, err, sizeof(err)));
	ASSERT_EQ(0, strncmp(err, "cpu: ", 5));
	if (!strstr(err, what))
		FAILm(err);
	PASS();
}

TEST boot_and_64bit_states_pass(void)
{
	boot32();
	ASSERT_EQ_FMT(0, cpu_check_state(&cpu, &pol, err, sizeof(err)), "%d");
	user64();
	ASSERT_EQ_FMT(0, cpu_check_state(&cpu, &pol, err, sizeof(err)), "%d");
	PASS();
}

TEST real_mode_may_hold_a_data_cs(void)
{
	boot32();
	cpu.cr0 &= ~1ULL;
	cpu.seg[GS_CS] = (struct gs_segment){ 0xf000, 0xffff, 0x93, 0xf0000 };
	cpu.rip = 0xfff0;
	ASSERT_EQ_FMT(0, cpu_check_state(&cpu, &pol, err, sizeof(err)), "%d");
	PASS();
}

TEST control_registers(void)
{
	boot32();
	cpu.cr0 |= 1ULL << 32;
	CHECK_CALL(refused("CR0"));
	boot32();
	cpu.cr0 = (cpu.cr0 | (1ULL << 31)) & ~1ULL;
	CHECK_CALL(refused("paging without protection"));
	boot32();
	cpu.cr0 |= 1ULL << 29;
	cpu.cr0 &= ~(1ULL << 30);
	CHECK_CALL(refused("NW without CD"));
	boot32();
	cpu.cr4 |= 1ULL << 13; /* VMXE: never offered */
	CHECK_CALL(refused("CR4"));
	boot32();
	cpu.dr7 = 1ULL << 40;
	CHECK_CALL(refused("DR7"));
	PASS();
}

TEST efer_and_long_mode(void)
{
	user64();
	cpu.efer |= 1ULL << 9;
	CHECK_CALL(refused("EFER 0x"));
	user64();
	cpu.efer &= ~(1ULL << 10); /* LME and PG without LMA */
	CHECK_CALL(refused("LMA"));
	user64();
	cpu.cr4 &= ~(1ULL << 5);
	CHECK_CALL(refused("PAE"));
	user64();
	cpu.cr3 = 1ULL << 39;
	CHECK_CALL(refused("CR3"));
	boot32();
	cpu.cr3 = 1ULL << 32; /* no PAE, no long mode: 32 bits */
	CHECK_CALL(refused("CR3"));
	PASS();
}

TEST rip_and_rflags(void)
{
	user64();
	cpu.rip = 0x0000800000000000ULL;
	CHECK_CALL(refused("RIP"));
	boot32();
	cpu.rip = 1ULL << 32;
	CHECK_CALL(refused("RIP"));
	boot32();
	cpu.rflags = 0;
	CHECK_CALL(refused("RFLAGS"));
	boot32();
	cpu.rflags = 0x2 | (1ULL << 22);
	CHECK_CALL(refused("RFLAGS"));
	user64();
	cpu.rflags |= 1ULL << 17;
	CHECK_CALL(refused("RFLAGS.VM"));
	PASS();
}

TEST segments(void)
{
	boot32();
	cpu.seg[GS_CS].ar |= 1u << 16;
	CHECK_CALL(refused("CS is unusable"));
	boot32();
	cpu.seg[GS_CS].ar = 0xc093;
	CHECK_CALL(refused("not a code segment"));
	user64();
	cpu.seg[GS_CS].ar |= 1u << 14;
	CHECK_CALL(refused("both L and D/B"));
	boot32();
	cpu.seg[GS_TR].ar = 0x89; /* an available TSS cannot be in TR */
	CHECK_CALL(refused("busy TSS"));
	user64();
	cpu.seg[GS_TR].ar = 0x83; /* a 16-bit TSS has no place in IA-32e mode */
	CHECK_CALL(refused("busy TSS"));
	boot32();
	cpu.seg[GS_LDTR].ar = 0x8b;
	CHECK_CALL(refused("not an LDT"));
	boot32();
	cpu.seg[GS_DS].limit = 0xfffff000;
	CHECK_CALL(refused("granularity"));
	boot32();
	cpu.seg[GS_DS].ar &= ~(1u << 15); /* 4 GiB limit in bytes */
	CHECK_CALL(refused("granularity"));
	boot32();
	cpu.seg[GS_SS].ar &= ~(1u << 7);
	CHECK_CALL(refused("not present"));
	boot32();
	cpu.seg[GS_DS].base = 1ULL << 32;
	CHECK_CALL(refused("DS base"));
	boot32();
	cpu.seg[GS_FS].base = 0x0000800000000000ULL;
	CHECK_CALL(refused("FS base"));
	boot32();
	cpu.gdtr_limit = 0x10000;
	CHECK_CALL(refused("GDTR"));
	PASS();
}

TEST non_register_state(void)
{
	boot32();
	cpu.activity = 4;
	CHECK_CALL(refused("activity"));
	boot32();
	cpu.interruptibility = 3; /* blocking by STI and by MOV SS at once */
	CHECK_CALL(refused("interruptibility"));
	boot32();
	cpu.interruptibility = 1u << 5;
	CHECK_CALL(refused("interruptibility"));
	PASS();
}

SUITE(cpu_check)
{
	SHUFFLED_TESTS({
		RUN_TEST(boot_and_64bit_states_pass);
		RUN_TEST(real_mode_may_hold_a_data_cs);
		RUN_TEST(control_registers);
		RUN_TEST(efer_and_long_mode);
		RUN_TEST(rip_and_rflags);
		RUN_TEST(segments);
		RUN_TEST(non_register_state);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(cpu_check);
	});
	GREATEST_MAIN_END();
}
