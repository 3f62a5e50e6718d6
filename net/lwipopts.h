/*
 * lwIP 2.1.3 configuration for the hypervisor (lwIP's opt.h documents every
 * option; only the ones that differ from its defaults, or that the port
 * relies on, are set here).
 *
 * One thread, no OS: lwIP runs from the hypervisor's polling loop with the
 * raw (callback) API. The sizes favour one or two bulk TCP streams (live
 * migration) on a LAN over many small connections.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* ---- system: no threads, no locking (everything runs in one loop) */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

/* ---- memory: static pools and heap in .bss, nothing from malloc */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
/* PBUF_RAM (copied TCP send data first) from the pools of net/lwippools.h. */
#define MEM_USE_POOLS 1
#define MEMP_USE_CUSTOM_POOLS 1
#define MEM_USE_POOLS_TRY_BIGGER_POOL 1
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_UDP_PCB 8
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG (TCP_SND_QUEUELEN + 256)
#define MEMP_NUM_REASSDATA 4
#define MEMP_NUM_FRAG_PBUF 16
/*
 * Received frames land in pool pbufs; a full window in flight plus
 * out-of-order segments and the NIC's receive ring must fit (init.c
 * refuses TCP_WND larger than the pool can hold).
 */
#define PBUF_POOL_SIZE 1024

/* ---- protocols: IPv4 only */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ETH_PAD_SIZE 0
#define LWIP_ICMP 1
#define LWIP_RAW 1 /* ping sends and receives ICMP through a raw PCB */
#define LWIP_UDP 1
#define LWIP_TCP 1
/* SO_REUSEADDR: `migrate incoming` rebinds its port while the last
 * connection on it waits out TIME_WAIT (migrate/receiver.c). */
#define SO_REUSE 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

/* ---- TCP, sized for bulk transfer on a LAN */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
/* RFC 7323 window scale: 0xffff << 5 covers the 1 MiB window. */
#define TCP_RCV_SCALE 5
#define TCP_WND (1024 * 1024)
#define TCP_SND_BUF (1024 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
/* The default (TCP_SND_BUF / 2) breaks init.c's u16_t limit for big buffers. */
/*
 * Window updates only when a quarter of the window opened: the default
 * (4 MSS) sends an extra ACK every few segments, and each ACK costs the
 * sender a walk of its whole unacked queue in tcp_output.
 */
#define TCP_WND_UPDATE_THRESHOLD (TCP_WND / 4)
/*
 * lwIP's TCP timers tick every 50 ms (fast) and 100 ms (slow) instead of
 * 250 and 500: the retransmission timeout is counted in slow ticks, and
 * after a loss on a short link (a few ms round trip) a 500 ms tick stalls
 * the stream for up to a second before go-back-N resends.
 */
#define TCP_TMR_INTERVAL 50
#define TCP_SNDLOWAT (16 * TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0
/* Per-connection random ISNs (RFC 6528) instead of a global counter. */
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) lwip_port_rand()

/* ---- checksums: all in software, computed while copying where possible */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1
#define LWIP_CHECKSUM_ON_COPY 1
/*
 * Our own checksum (net/chksum.c): eight bytes a load, and copy-and-sum in
 * one pass where tcp_write copies the caller's data.
 */
#include "net/chksum.h"
#define LWIP_CHKSUM net_chksum
#define LWIP_CHKSUM_COPY(dst, src, len) net_chksum_copy(dst, src, len)
/* TCP segments in one pbuf each: drivers send them in place (net/netif.c) */
#define LWIP_NETIF_TX_SINGLE_PBUF 1

/* ---- network interfaces */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1

/* ---- statistics: counters for the console, no built-in printing */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MIB2_STATS 0

#endif
