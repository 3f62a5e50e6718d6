/*
 * Raw frame blaster and counter (see rawframes.h).
 */
#include <string.h>
#include "kernel/clock.h"
#include "net/rawframes.h"

#define RAW_FRAME_LEN NIC_MTU_FRAME
#define RAW_STALL_NS 2000000000ULL /* give up when the ring takes nothing for 2 s */

static struct rawframes_stats stats;

static void drop_rx(struct nic *nic, const void *frame, size_t len)
{
	/* while blasting, received frames (acks, ARP) are not needed */
}

bool rawframes_consume(const void *frame, size_t len)
{
	const uint8_t *f = frame;
	uint64_t now;

	if (len < 14 || f[12] != (RAWFRAMES_ETHERTYPE >> 8) || f[13] != (RAWFRAMES_ETHERTYPE & 0xff))
		return false;
	now = clock_ns();
	if (!stats.frames)
		stats.first_ns = now;
	stats.last_ns = now;
	stats.frames++;
	stats.bytes += len;
	return true;
}

void rawframes_stats(struct rawframes_stats *s)
{
	*s = stats;
}

void rawframes_reset(void)
{
	memset(&stats, 0, sizeof(stats));
}

uint64_t rawframes_send(struct nic *nic, const uint8_t dst[6], uint32_t count, uint32_t *sent)
{
	uint8_t frame[RAW_FRAME_LEN];
	uint64_t start = clock_ns(), last_progress = start;
	uint32_t i = 0;

	memset(frame, 0x5a, sizeof(frame));
	memcpy(frame, dst, 6);
	memcpy(frame + 6, nic->mac, 6);
	frame[12] = RAWFRAMES_ETHERTYPE >> 8;
	frame[13] = RAWFRAMES_ETHERTYPE & 0xff;
	while (i < count) {
		memcpy(frame + 14, &i, sizeof(i));
		if (nic->ops->send(nic, frame, sizeof(frame)) == 0) {
			i++;
			last_progress = clock_ns();
			continue;
		}
		nic_flush(nic);
		nic->ops->poll(nic, drop_rx, 64); /* reap completions */
		if (clock_ns() - last_progress > RAW_STALL_NS)
			break;
	}
	nic_flush(nic);
	*sent = i;
	return clock_ns() - start;
}
