/*
 * The interface every NIC driver offers the network stack. Drivers run
 * polled from the main loop (no interrupts needed): the stack calls
 * poll() to collect received frames and reap finished transmissions.
 * Frames are plain Ethernet frames without FCS.
 */
#ifndef NET_NIC_H
#define NET_NIC_H

#include "lib/types.h"

#define NIC_NAME_MAX 16
#define NIC_MTU_FRAME 1514 /* Ethernet header + 1500 bytes payload */

struct nic;

/* Receive callback: one good frame of len bytes, valid only during the call. */
typedef void (*nic_rx_fn)(struct nic *nic, const void *frame, size_t len);

struct nic_stats {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_dropped;   /* bad descriptors, bad lengths, errors reported by the device */
	uint64_t tx_dropped;   /* ring full, frame too large */
	uint64_t resets;       /* the driver reset the device after an error */
};

struct nic_ops {
	/*
	 * Queue one frame; 0, -ENOSPC (ring full: try later) or -EINVAL (bad
	 * length). The device may not see it before flush.
	 */
	int (*send)(struct nic *nic, const void *frame, size_t len);
	/*
	 * May be NULL. Queue a frame the device reads where it is, without a
	 * copy: its memory stays untouched until the driver passes cookie to
	 * nic->tx_done (sent, or dropped by a reset). Returns as send.
	 */
	int (*send_ref)(struct nic *nic, const void *frame, size_t len, void *cookie);
	/* Hand every queued frame to the device (one doorbell for a burst). */
	void (*flush)(struct nic *nic);
	/* Deliver up to budget received frames to rx, reap transmit completions; returns frames delivered. */
	int (*poll)(struct nic *nic, nic_rx_fn rx, int budget);
	/* Link state as the device reports it. */
	bool (*link_up)(struct nic *nic);
	/*
	 * Tests only (may be NULL): make the device itself report an error,
	 * so the driver's reset-and-recover path can be exercised.
	 */
	int (*inject_fault)(struct nic *nic);
};

struct nic {
	char name[NIC_NAME_MAX]; /* "e1000-0", "virtio-0" */
	const char *model;       /* "82540EM", "82574L", "virtio-net" */
	uint8_t mac[6];
	const struct nic_ops *ops;
	struct nic_stats stats;
	void *priv;              /* the driver's state */
	void *netif;             /* the stack's interface (struct netif), set by net/ */
	/* set by net/: a frame queued by send_ref is finished with */
	void (*tx_done)(struct nic *nic, void *cookie);
};

/* Drivers' probe functions (net/e1000.c, net/virtio_net.c): claim matching PCI
 * functions, bring them up, and register each with nic_register. */
void e1000_probe(void);
void virtio_net_probe(void);

/* Called by drivers for each working NIC; returns false when the table is full. */
bool nic_register(struct nic *nic);

/* The index the next registered NIC will get (its name is "eth<index>"). */
int nic_next_index(void);

/* Ring the NIC's doorbell for frames queued by send (drivers without flush send at once). */
static inline void nic_flush(struct nic *nic)
{
	if (nic->ops->flush)
		nic->ops->flush(nic);
}

/* The registered NICs. */
struct nic *nic_get(int i);
int nic_count(void);

#endif
