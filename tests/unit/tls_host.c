/*
 * migrate/tls_platform.h on the host, for tests/unit/test_tls.c: libc's
 * calloc/free, and entropy from /dev/urandom. tls_host_fail_entropy
 * makes the source fail, to test that a session then refuses to start.
 */
#include <stdio.h>
#include <stdlib.h>

#include "migrate/tls_platform.h"
#include "tests/unit/tls_host.h"

#include "mbedtls/entropy.h"
#include "mbedtls/entropy_poll.h"
#include "mbedtls/platform.h"

static bool entropy_broken;

void tls_host_fail_entropy(bool fail)
{
	entropy_broken = fail;
}

void tls_platform_init(void)
{
	mbedtls_platform_set_calloc_free(calloc, free);
}

int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	FILE *f;

	(void)data;
	*olen = 0;
	if (entropy_broken)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	f = fopen("/dev/urandom", "rb");
	if (!f)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = fread(out, 1, len, f);
	fclose(f);
	return *olen == len ? 0 : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}
