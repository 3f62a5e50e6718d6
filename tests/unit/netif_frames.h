/*
 * Frames for the network glue's tests, built and read byte by byte from
 * the wire formats (RFC 826 ARP, RFC 791 IPv4, RFC 792 ICMP), so that
 * lwIP's replies are not checked against lwIP's own encoders. The peer
 * is the gateway of a 10.0.2.0/24 network (QEMU's user-mode layout).
 */
#ifndef TESTS_UNIT_NETIF_FRAMES_H
#define TESTS_UNIT_NETIF_FRAMES_H

#include <string.h>

#include "lib/types.h"

#define OUR_IP 0x0a00020fu  /* 10.0.2.15 */
#define OUR_MASK 0xffffff00u
#define OUR_GW 0x0a000202u  /* 10.0.2.2 */
#define PEER_IP 0x0a000202u /* the gateway pings us */

#define FRAME_ETHTYPE_IPV4 0x0800 /* IEEE 802 EtherType assignments */
#define FRAME_ETHTYPE_ARP 0x0806
#define FRAME_ARP_REQUEST 1 /* RFC 826 */
#define FRAME_ARP_REPLY 2
#define FRAME_PROTO_ICMP 1 /* RFC 790 */
#define FRAME_PROTO_UDP 17
#define FRAME_ICMP_ECHO_REPLY 0 /* RFC 792 */
#define FRAME_ICMP_ECHO 8

static const uint8_t peer_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Big-endian (network order) stores and loads. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 Internet checksum; a correct header or message sums to 0. */
static inline uint16_t inet_sum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet header from the peer to dst; returns its length. */
static inline size_t build_eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, type);
	return 14;
}

/* RFC 826 request from the peer asking who has target. */
static inline size_t build_arp_request(uint8_t *f, uint32_t target)
{
	uint8_t *a = f + build_eth(f, bcast_mac, FRAME_ETHTYPE_ARP);

	put16(a, 1);              /* hardware type: Ethernet */
	put16(a + 2, FRAME_ETHTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, FRAME_ARP_REQUEST);
	memcpy(a + 8, peer_mac, 6);
	put32(a + 14, PEER_IP);
	memset(a + 18, 0, 6);
	put32(a + 24, target);
	return 14 + 28;
}

/* RFC 792 echo request from the peer to us with data_len bytes of data, valid checksums. */
static inline size_t build_echo(uint8_t *f, const uint8_t *dst, uint16_t id, uint16_t seq,
				 size_t data_len)
{
	uint8_t *ip = f + build_eth(f, dst, FRAME_ETHTYPE_IPV4);
	uint8_t *icmp = ip + 20;
	size_t i;

	memset(ip, 0, 20);
	ip[0] = 0x45; /* version 4, 5 words of header */
	put16(ip + 2, (uint16_t)(20 + 8 + data_len));
	put16(ip + 4, 0x4242);
	ip[8] = 64;
	ip[9] = FRAME_PROTO_ICMP;
	put32(ip + 12, PEER_IP);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, inet_sum(ip, 20));
	icmp[0] = FRAME_ICMP_ECHO;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	for (i = 0; i < data_len; i++)
		icmp[8 + i] = (uint8_t)(i * 7 + 1);
	put16(icmp + 2, inet_sum(icmp, 8 + data_len));
	return 14 + 20 + 8 + data_len;
}

#endif
