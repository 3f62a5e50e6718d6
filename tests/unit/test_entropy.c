/*
 * Unit tests for arch/x86/entropy.c: which source the CPUID bits choose,
 * and, on this host's own CPU, that the chosen source gives bytes that
 * are not all the same. Runs on x86-64 hosts only (the file is the
 * hardware shell, compiled as it is).
 */
#include <stdarg.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/cpu.h"
#include "arch/x86/entropy.h"
#include "kernel/log.h"

static char last_log[256];

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

TEST rdseed_first_then_rdrand_then_jitter(void)
{
	ASSERT_EQ(ENTROPY_RDSEED, entropy_pick(7, CPUID_1_ECX_RDRAND, CPUID_7_EBX_RDSEED));
	ASSERT_EQ(ENTROPY_RDSEED, entropy_pick(0x20, 0, CPUID_7_EBX_RDSEED));
	ASSERT_EQ(ENTROPY_RDRAND, entropy_pick(7, CPUID_1_ECX_RDRAND, 0));
	ASSERT_EQ(ENTROPY_RDRAND, entropy_pick(7, CPUID_1_ECX_RDRAND, ~CPUID_7_EBX_RDSEED));
	ASSERT_EQ(ENTROPY_TSC_JITTER, entropy_pick(7, ~CPUID_1_ECX_RDRAND, ~CPUID_7_EBX_RDSEED));
	PASS();
}

/* Leaf 7 is only meaningful when CPUID reports it (SDM Vol. 2A CPUID). */
TEST leaf7_ignored_when_not_reported(void)
{
	ASSERT_EQ(ENTROPY_TSC_JITTER, entropy_pick(6, 0, CPUID_7_EBX_RDSEED));
	ASSERT_EQ(ENTROPY_RDRAND, entropy_pick(1, CPUID_1_ECX_RDRAND, CPUID_7_EBX_RDSEED));
	PASS();
}

TEST this_cpu_gives_varied_bytes(void)
{
	uint8_t a[64], b[64];
	const char *name = entropy_source_name();
	size_t i, same = 0;

	ASSERT(!strcmp(name, "rdseed") || !strcmp(name, "rdrand") || !strcmp(name, "tsc-jitter"));
	ASSERT_EQ(0, entropy_read(a, sizeof(a)));
	ASSERT_EQ(0, entropy_read(b, 13)); /* not a multiple of 8 */
	for (i = 1; i < sizeof(a); i++)
		same += a[i] == a[0];
	ASSERT(same < 16);
	ASSERT(memcmp(a, b, 13));
	PASS();
}

SUITE(entropy)
{
	SHUFFLED_TESTS({
		RUN_TEST(rdseed_first_then_rdrand_then_jitter);
		RUN_TEST(leaf7_ignored_when_not_reported);
		RUN_TEST(this_cpu_gives_varied_bytes);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(entropy);
	});
	GREATEST_MAIN_END();
}
