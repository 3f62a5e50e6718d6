/*
 * What migrate/tls.c needs from its surroundings: mbedTLS's memory
 * allocator set (mbedtls_platform_set_calloc_free) and
 * mbedtls_hardware_poll defined. The image's version is
 * migrate/tls_platform.c (physmem pages, arch/x86/entropy.c); the host
 * tests link their own (libc calloc, /dev/urandom).
 */
#ifndef MIGRATE_TLS_PLATFORM_H
#define MIGRATE_TLS_PLATFORM_H

/* Idempotent; called before every session is set up. */
void tls_platform_init(void);

#endif
