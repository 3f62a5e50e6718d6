/*
 * lwIP's compiler and platform glue (lwip/arch.h includes it first). The
 * image is freestanding: no stdio, stdlib, ctype or inttypes from a libc.
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "net/port.h"

/*
 * x86 is little endian (lwip/arch.h has the LITTLE_ENDIAN constant). A libc
 * header included earlier may have said so already, with other tokens.
 */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* One instruction instead of def.c's shifts and masks. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* lwIP's own isdigit() and friends instead of <ctype.h>. */
#define LWIP_NO_CTYPE_H 1

/*
 * No <unistd.h>: give ssize_t here, as the same type glibc's headers use,
 * in case a lwIP file also pulls one of them in.
 */
#define LWIP_NO_UNISTD_H 1
typedef long ssize_t;
#define SSIZE_MAX LONG_MAX

/*
 * No <inttypes.h>: printf formats for lwIP's types, as lib/fmt.c
 * understands them (u16_t and s16_t arrive promoted to int).
 */
#define LWIP_NO_INTTYPES_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* x is a parenthesized printf argument list. */
#define LWIP_PLATFORM_DIAG(x) do { lwip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)

#define LWIP_RAND() lwip_port_rand()

#endif
