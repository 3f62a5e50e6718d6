/*
 * The Internet checksum (RFC 1071) for lwIP: LWIP_CHKSUM and
 * LWIP_CHKSUM_COPY point here (net/lwipopts.h). Pure.
 */
#ifndef NET_CHKSUM_H
#define NET_CHKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * One's complement sum of len bytes taken as 16-bit words in the
 * machine's byte order (the last odd byte padded with zero), folded to
 * 16 bits and not inverted: what lwIP's LWIP_CHKSUM must return.
 */
uint16_t net_chksum(const void *data, int len);

/* Copy len bytes and return net_chksum of them, reading the source once. */
uint16_t net_chksum_copy(void *dst, const void *src, uint16_t len);

#endif
