/*
 * mbedTLS's surroundings in the image (tls_platform.h): memory from the
 * page allocator, randomness from arch/x86/entropy.c.
 *
 * Memory: the hypervisor has only a page allocator, so each mbedTLS
 * allocation takes whole pages (a power of two of them), with the order
 * kept in a header in front of the block. A session makes a few dozen
 * allocations, the largest its two 16 KiB record buffers and the session
 * itself (two 24 KiB FIFOs), so this costs some hundreds of KiB while a
 * migration runs: wasteful but simple, and freed when it ends.
 */
#include <string.h>

#include "arch/x86/entropy.h"
#include "arch/x86/paging.h"
#include "kernel/physmem.h"
#include "lib/types.h"
#include "migrate/tls_platform.h"

#include "mbedtls/entropy.h"
#include "mbedtls/entropy_poll.h"
#include "mbedtls/platform.h"

#define HDR 16 /* keeps the caller's block 16-byte aligned */

static void *tls_calloc(size_t n, size_t size)
{
	size_t bytes, pages;
	unsigned order = 0;
	hpa_t pa;
	uint8_t *p;

	if (size && n > ((size_t)-1 - HDR) / size)
		return NULL;
	bytes = n * size + HDR;
	pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	while ((1UL << order) < pages)
		order++;
	pa = physmem_alloc_pages(order);
	if (!pa)
		return NULL;
	p = phys_to_virt(pa);
	memset(p, 0, (size_t)PAGE_SIZE << order);
	*(unsigned *)p = order;
	return p + HDR;
}

static void tls_free(void *ptr)
{
	uint8_t *p = ptr;

	if (!p)
		return;
	p -= HDR;
	physmem_free_pages(virt_to_phys(p), *(unsigned *)p);
}

void tls_platform_init(void)
{
	static bool done;

	if (!done)
		mbedtls_platform_set_calloc_free(tls_calloc, tls_free);
	done = true;
}

/* The entropy source mbedTLS polls (MBEDTLS_ENTROPY_HARDWARE_ALT). */
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	*olen = 0;
	if (entropy_read(out, len))
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}
