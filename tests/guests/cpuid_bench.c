/*
 * cpuid_bench: the cost of a CPUID round trip (a guest exit under the
 * hypervisor).
 *
 * Command line (multiboot cmdline words, all optional):
 *   n=1000     timed CPUID (leaf 0) executions, 1..65536
 *   warmup=16  untimed CPUID executions before the timed ones
 *
 * Output:
 *   BENCH cpuid n=.. min_cycles=.. median_cycles=.. mean_cycles=.. max_cycles=..
 *         rdtsc_overhead_cycles=..   (TSC cycles per CPUID, rdtsc pair included)
 *   COUNT cpuid=..   every CPUID instruction this guest executed, detection
 *                    and warm-up included, to compare with the exit counter
 *   RESULT cpuid_bench ok n=..
 */
#include "guest.h"
#include "timing.h"

#define N_DEFAULT 1000
#define N_MAX 65536
#define WARMUP_DEFAULT 16

static uint32_t samples[N_MAX];

/* Shell sort: no recursion, fine for 64 Ki samples. */
static void sort_u32(uint32_t *a, uint32_t n)
{
	uint32_t gap, i, j, v;

	for (gap = n / 2; gap; gap /= 2) {
		for (i = gap; i < n; i++) {
			v = a[i];
			for (j = i; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

static uint32_t rdtsc_overhead(void)
{
	uint32_t best = ~0u, i;

	for (i = 0; i < 64; i++) {
		uint64_t t0 = rdtsc();
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best)
			best = (uint32_t)(t1 - t0);
	}
	return best;
}

static void bench_run(uint32_t n)
{
	struct cpuid_regs r;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();
		uint64_t t1;

		cpuid_raw(0, 0, &r);
		t1 = rdtsc();
		samples[i] = (t1 - t0) > 0xffffffffu ? 0xffffffffu : (uint32_t)(t1 - t0);
	}
	cpuid_count += n;
}

static void print_vendor(void)
{
	struct cpuid_regs r;
	char v[13];

	cpuid(0, 0, &r);
	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = 0;
	printf("PROGRESS cpuid_bench vendor=%s max_leaf=0x%x hypervisor=%s\n", v,
	       r.eax, hv_present() ? "HVmicrovisor" : "other");
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t n = (uint32_t)cmdline_u64("n", N_DEFAULT);
	uint32_t warmup = (uint32_t)cmdline_u64("warmup", WARMUP_DEFAULT);
	struct cpuid_regs r;
	uint64_t sum = 0;
	uint32_t i;

	(void)magic;
	(void)mbi;
	guest_start("cpuid_bench");
	if (n < 1 || n > N_MAX)
		guest_fail("reason=bad-n n=%u max=%u", n, N_MAX);
	print_vendor();
	for (i = 0; i < warmup; i++)
		cpuid(0, 0, &r);
	bench_run(n);
	for (i = 0; i < n; i++)
		sum += samples[i];
	sort_u32(samples, n);
	printf("BENCH cpuid n=%u min_cycles=%u median_cycles=%u mean_cycles=%llu "
	       "max_cycles=%u rdtsc_overhead_cycles=%u\n", n, samples[0],
	       samples[n / 2], (unsigned long long)(sum / n), samples[n - 1],
	       rdtsc_overhead());
	printf("COUNT cpuid=%u\n", cpuid_count);
	guest_ok("n=%u", n);
}
