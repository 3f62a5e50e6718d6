/*
 * Raw Ethernet frame blasting, for measuring what a driver moves without
 * TCP: the denominator of bench/'s goodput/raw ratio. Frames carry the
 * IEEE 802 local experimental EtherType and never reach lwIP.
 */
#ifndef NET_RAWFRAMES_H
#define NET_RAWFRAMES_H

#include "lib/types.h"
#include "net/nic.h"

#define RAWFRAMES_ETHERTYPE 0x88b5 /* IEEE Std 802: local experimental EtherType 1 */

/* A received frame: counted and consumed when it is one of ours. */
bool rawframes_consume(const void *frame, size_t len);

struct rawframes_stats {
	uint64_t frames, bytes;
	uint64_t first_ns, last_ns; /* arrival of the first and last counted frame */
};

/* Frames received since the last reset. */
void rawframes_stats(struct rawframes_stats *s);
void rawframes_reset(void);

/*
 * Send count full-size frames to dst through nic as fast as its ring
 * takes them. Returns nanoseconds taken, frames actually queued in *sent.
 */
uint64_t rawframes_send(struct nic *nic, const uint8_t dst[6], uint32_t count, uint32_t *sent);

#endif
