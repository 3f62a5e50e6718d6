/*
 * lwIP's mem_malloc from fixed-size pools (MEM_USE_POOLS, net/lwipopts.h)
 * instead of its first-fit heap. The heap walks every block from the
 * lowest free one; with a send window of copied TCP segments in it that
 * walk crossed hundreds of blocks per segment and took a seventh of the
 * sender's time. Pools are O(1). Smallest first (lwIP takes the first
 * that fits, and a bigger one when that is empty).
 */
/* No include guard: lwIP includes this list several times, each with its own macros. */
#ifdef LWIP_MALLOC_MEMPOOL
LWIP_MALLOC_MEMPOOL_START
/* headers-only segments (ACKs), ARP, ICMP errors */
LWIP_MALLOC_MEMPOOL(512, 256)
/* DHCP messages and other mid-sized packets */
LWIP_MALLOC_MEMPOOL(64, 768)
/* a full-sized TCP segment or frame with lwIP's headers: one per queued segment */
LWIP_MALLOC_MEMPOOL(TCP_SND_QUEUELEN + 128, 1664)
/* anything larger: big pings, reassembly */
LWIP_MALLOC_MEMPOOL(8, 9216)
LWIP_MALLOC_MEMPOOL_END
#endif
