/*
 * ICMP echo (ping) from the hypervisor's own stack.
 */
#ifndef NET_PING_H
#define NET_PING_H

#include "lib/types.h"

#define PING_TIMEOUT_MS 1000
#define PING_MAX_COUNT 10000

struct ping_result {
	uint32_t sent, received;
	uint32_t duplicates, bad; /* replies seen twice; malformed or foreign replies ignored */
	uint64_t rtt_min_us, rtt_avg_us, rtt_max_us;
};

/*
 * Send count echo requests to the IPv4 address addr (host byte order),
 * one after the other, each waiting up to PING_TIMEOUT_MS for its reply,
 * while the rest of the hypervisor keeps running (mainloop_step).
 * progress, when not NULL, is called after each request with its
 * sequence number, whether a reply came, and the round-trip time.
 * Returns 0, or -ENOMEM / -EIO when nothing could be sent at all.
 */
int ping_run(uint32_t addr, uint32_t count, struct ping_result *out,
	     void (*progress)(uint32_t seq, bool ok, uint64_t rtt_us));

#endif
