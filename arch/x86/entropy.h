/*
 * Random bytes from the processor, for seeding mbedTLS's CTR_DRBG (the
 * TLS of migration). The best source the CPU offers is chosen once:
 *   rdseed      RDSEED: output of the hardware entropy source (CPUID.7.0:EBX[18])
 *   rdrand      RDRAND: a DRBG the hardware reseeds (CPUID.1:ECX[30])
 *   tsc-jitter  neither: timing jitter of the TSC. Weak; see entropy.c.
 * Main-loop context; no locking (one CPU runs the core).
 */
#ifndef ARCH_X86_ENTROPY_H
#define ARCH_X86_ENTROPY_H

#include "lib/types.h"

enum entropy_source { ENTROPY_RDSEED, ENTROPY_RDRAND, ENTROPY_TSC_JITTER };

/* The source to use given CPUID's maximum basic leaf, leaf 1 ECX and leaf 7 EBX. Pure. */
enum entropy_source entropy_pick(uint32_t max_leaf, uint32_t leaf1_ecx, uint32_t leaf7_ebx);

/* The source in use (chosen on first call): "rdseed", "rdrand" or "tsc-jitter". */
const char *entropy_source_name(void);

/*
 * Fill buf with len random bytes. Returns 0, or -EIO when the hardware
 * generator kept failing past the retries the SDM recommends (then buf
 * holds nothing usable; the caller must not go on without randomness).
 */
int entropy_read(void *buf, size_t len);

#endif
