/*
 * Entropy from the processor: RDSEED, else RDRAND, else TSC jitter.
 *
 * Retries: either instruction may return CF=0 when its buffer is empty;
 * that is normal under load and the SDM (Vol. 1 7.3.17.1, and Intel's DRNG
 * guide it points to) says to retry: RDRAND succeeds within 10 tries
 * unless the hardware is broken; RDSEED drains faster, so it gets more
 * tries with PAUSE between them, then one RDRAND round before giving up.
 *
 * TSC jitter, when neither instruction exists: each output byte folds the
 * low bits of 64 TSC differences around a short memory-touching loop. On
 * real hardware cache, interrupt and frequency effects make those bits
 * vary a little; how much is unmeasured and may be well under one bit per
 * sample. Under an emulator the TSC is often derived from the instruction
 * count (Bochs), so the "jitter" can be entirely predictable. It keeps TLS
 * working, not secret: `migrate status` names the source so an operator
 * can tell, and a warning is logged when it is chosen.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/entropy.h"
#include "kernel/log.h"

#define RDRAND_TRIES 10  /* SDM Vol. 1 7.3.17.1 / DRNG guide 5.2.1 */
#define RDSEED_TRIES 100 /* with PAUSE: RDSEED may be empty for a while */
#define JITTER_SAMPLES 64

static const char *const source_names[] = {
	[ENTROPY_RDSEED] = "rdseed",
	[ENTROPY_RDRAND] = "rdrand",
	[ENTROPY_TSC_JITTER] = "tsc-jitter",
};

static bool chosen;
static bool has_rdrand; /* the fallback when RDSEED stays empty */
static enum entropy_source source;

enum entropy_source entropy_pick(uint32_t max_leaf, uint32_t leaf1_ecx, uint32_t leaf7_ebx)
{
	if (max_leaf >= 7 && (leaf7_ebx & CPUID_7_EBX_RDSEED))
		return ENTROPY_RDSEED;
	if (leaf1_ecx & CPUID_1_ECX_RDRAND)
		return ENTROPY_RDRAND;
	return ENTROPY_TSC_JITTER;
}

static enum entropy_source entropy_choose(void)
{
	uint32_t max_leaf, b, c, d, ecx1, ebx7 = 0;

	if (chosen)
		return source;
	cpuid(0, 0, &max_leaf, &b, &c, &d);
	cpuid(1, 0, &d, &b, &ecx1, &d);
	if (max_leaf >= 7)
		cpuid(7, 0, &d, &ebx7, &c, &d);
	source = entropy_pick(max_leaf, ecx1, ebx7);
	has_rdrand = (ecx1 & CPUID_1_ECX_RDRAND) != 0;
	chosen = true;
	if (source == ENTROPY_TSC_JITTER)
		log_warn("entropy: no RDSEED or RDRAND; using TSC jitter, which may be predictable");
	else
		log_info("entropy: using %s", source_names[source]);
	return source;
}

const char *entropy_source_name(void)
{
	return source_names[entropy_choose()];
}

static bool rdrand_word(uint64_t *v)
{
	int i;

	for (i = 0; i < RDRAND_TRIES; i++)
		if (rdrand64(v))
			return true;
	return false;
}

static bool rdseed_word(uint64_t *v)
{
	int i;

	for (i = 0; i < RDSEED_TRIES; i++) {
		if (rdseed64(v))
			return true;
		pause();
	}
	return false;
}

/* One byte from the TSC: fold the low bits of JITTER_SAMPLES timings. */
static uint8_t jitter_byte(void)
{
	static volatile uint8_t scratch[256];
	uint64_t acc = 0, prev = rdtsc();
	int i, j;

	for (i = 0; i < JITTER_SAMPLES; i++) {
		uint64_t now;

		for (j = 0; j < 16; j++)
			scratch[(prev + (uint64_t)j * 67) & 255]++;
		now = rdtsc();
		/* rotate so successive low bits land on different bit positions */
		acc = (acc << 5 | acc >> 59) ^ (now - prev);
		prev = now;
	}
	return (uint8_t)(acc ^ acc >> 8 ^ acc >> 16 ^ acc >> 24);
}

static bool hw_word(enum entropy_source src, uint64_t *v)
{
	size_t i;

	if (src == ENTROPY_RDSEED && rdseed_word(v))
		return true;
	if (src != ENTROPY_TSC_JITTER)
		return has_rdrand && rdrand_word(v);
	for (i = 0; i < sizeof(*v); i++)
		*v = *v << 8 | jitter_byte();
	return true;
}

int entropy_read(void *buf, size_t len)
{
	enum entropy_source src = entropy_choose();
	uint8_t *out = buf;
	uint64_t v = 0;

	while (len) {
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (!hw_word(src, &v)) {
			log_error("entropy: %s failed %d times in a row", source_names[src],
				  src == ENTROPY_RDSEED ? RDSEED_TRIES : RDRAND_TRIES);
			return -EIO;
		}
		memcpy(out, &v, n);
		out += n;
		len -= n;
	}
	v = 0;
	return 0;
}
