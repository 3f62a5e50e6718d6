/*
 * Our mbedTLS 2.28 configuration (replaces mbedtls/config.h through
 * MBEDTLS_CONFIG_FILE), for migration between trusted peers: TLS 1.2 with
 * a pre-shared key, nothing else. The image compiles it freestanding, the
 * host tests compile it unchanged.
 *
 * Why PSK only: both peers are configured by one operator, so a shared
 * key is the whole trust model; no certificates means no X.509, ASN.1 or
 * bignum code in the hypervisor. Plain PSK (no DHE/ECDHE) has no forward
 * secrecy: a leaked key decrypts recorded streams. That is the accepted
 * price for keeping public-key code out of the image (docs/migration-stream.md).
 *
 * Freestanding: no file system, no sockets, no clock (without
 * MBEDTLS_HAVE_TIME the hello randoms are all random bytes), no standard
 * library functions (calloc/free are set at run time with
 * mbedtls_platform_set_calloc_free), entropy only from
 * mbedtls_hardware_poll (arch/x86/entropy.c in the image, a stub reading
 * /dev/urandom on the host). No AES-NI, padlock or assembly paths: the
 * image is built without SSE (-mgeneral-regs-only).
 */
#ifndef NET_TLS_CONFIG_H
#define NET_TLS_CONFIG_H

/* ---- platform */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- randomness: CTR_DRBG (AES-256) seeded by the entropy collector,
 * which hashes with SHA-256 so that SHA-512 stays out */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256
#define MBEDTLS_CTR_DRBG_C

/* ---- primitives of the two cipher suites and the TLS 1.2 PRF */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in .rodata: no run-time generation */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* ---- TLS: version 1.2, PSK key exchange, both ends */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES

/* ChaCha20-Poly1305 first: fast in general-purpose registers, where
 * AES without AES-NI is slow and table-driven. */
#define MBEDTLS_SSL_CIPHERSUITES                         \
	MBEDTLS_TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,   \
		MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256

/* Keys from hv.cfg are 16-64 bytes (kernel/config.c). */
#define MBEDTLS_PSK_MAX_LEN 64

/* Records of up to 16 KiB both ways: the maximum TLS allows, so any
 * conforming peer (mbedTLS's own test programs among them) can talk to us. */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 16384

#include "mbedtls/check_config.h"

#endif
