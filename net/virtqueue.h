/*
 * Split virtqueues (VIRTIO 1.1 section 2.6), the driver's side, as pure
 * logic: the descriptor table, available ring and used ring live in
 * memory the caller provides (shared with the device), and nothing here
 * touches device registers. The caller notifies the device.
 *
 * The device is not trusted. The free list, the chains and which heads
 * are outstanding are kept in private arrays, never read back from the
 * shared memory; every used element is checked (id in range and
 * outstanding, length within the chain's device-writable bytes) and the
 * used index may not run ahead of what was made available.
 *
 * Publishing and notifying, 2.6.13:
 *	vq_add(...)...;  vq_publish(vq);  <full barrier>;
 *	if (vq_kick_needed(vq)) <notify the device>;
 */
#ifndef NET_VIRTQUEUE_H
#define NET_VIRTQUEUE_H

#include "lib/types.h"
#include "net/virtio_regs.h"

/* The largest queue this driver sets up (the device may offer more). */
#define VQ_SIZE_MAX 256

/* Shared-memory layouts, 2.6.5, 2.6.6 and 2.6.8; little-endian. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

/* Bytes of a queue of size entries laid out as vq_layout does. */
#define VQ_BYTES(size)                                                              \
	(ALIGN_UP(ALIGN_UP(16 * (size_t)(size), (size_t)VIRTQ_AVAIL_ALIGN) + 6 +     \
		  2 * (size_t)(size), (size_t)VIRTQ_USED_ALIGN) + 6 + 8 * (size_t)(size))

/* Where the three parts go in one block, with the 2.6 alignments. */
struct vq_layout {
	size_t desc_off, avail_off, used_off;
	size_t bytes; /* whole block */
};

/* One element of a buffer: device-readable ones come first (2.6.4.2). */
struct vq_buf {
	uint64_t addr; /* DMA (physical) address */
	uint32_t len;
	bool device_writes;
};

/* What vq_get_used found. */
enum vq_status {
	VQ_EMPTY,   /* nothing new */
	VQ_OK,      /* a chain came back: cookie, head, len valid */
	VQ_BAD_LEN, /* a chain came back with a length beyond its writable bytes: recycle it */
	VQ_BAD_ID,  /* an element naming no outstanding chain: skipped, nothing to recycle */
	VQ_BROKEN,  /* used idx ran ahead of the available ring: reset the device */
};

struct vq_used_buf {
	void *cookie;
	uint16_t head;
	uint32_t len;
};

struct vq {
	uint16_t size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	volatile struct virtq_used *used; /* written by the device behind our back */
	uint64_t desc_dma, avail_dma, used_dma;
	uint16_t avail_idx;   /* next avail slot (not yet published) */
	uint16_t pub_idx;     /* avail idx the device has been shown */
	uint16_t kicked_idx;  /* pub_idx at the last notification decision */
	uint16_t last_used;   /* next used element to read */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t num_chains;  /* outstanding chains */
	bool honor_no_notify; /* skip notifying while used->flags has NO_NOTIFY */
	/* Private bookkeeping, indexed by descriptor. */
	uint16_t next[VQ_SIZE_MAX];      /* free-list and chain links */
	uint16_t chain_len[VQ_SIZE_MAX]; /* at a head: descriptors in its chain; 0 = not outstanding */
	uint32_t write_len[VQ_SIZE_MAX]; /* at a head: device-writable bytes */
	void *cookie[VQ_SIZE_MAX];
	/* Device misbehaviour seen. */
	uint64_t bad_id, bad_len, broken;
};

/* Fill *l for a queue of size entries; returns l->bytes. */
size_t vq_layout(uint16_t size, struct vq_layout *l);

/*
 * Set up vq over mem (CPU address) / dma (device address), mem_bytes long,
 * zeroing it. size must be a power of two up to VQ_SIZE_MAX; mem and dma
 * 16-byte aligned. Returns 0 or -EINVAL.
 */
int vq_init(struct vq *vq, uint16_t size, void *mem, uint64_t dma, size_t mem_bytes);

/*
 * Put a chain of n elements in the descriptor table and the next avail
 * slot (not yet visible to the device). Returns the head index, -ENOSPC
 * when fewer than n descriptors are free, or -EINVAL (n == 0, a zero
 * length, a readable element after a writable one, over 4 GiB in all).
 */
int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned n, void *cookie);

/* Show the device every chain added so far (barrier, then avail->idx). */
void vq_publish(struct vq *vq);

/*
 * After vq_publish and a full memory barrier: whether the device needs a
 * notification (something was published since the last call, and the
 * device has not asked for none when honor_no_notify is set).
 */
bool vq_kick_needed(struct vq *vq);

/*
 * Ask the device not to interrupt when it uses buffers (a polling driver),
 * or to interrupt again: VIRTQ_AVAIL_F_NO_INTERRUPT, 2.6.7. Only advice:
 * the device may interrupt anyway.
 */
void vq_set_interrupts(struct vq *vq, bool on);

/* Take the next used element, validated; see enum vq_status. */
enum vq_status vq_get_used(struct vq *vq, struct vq_used_buf *out);

/* Free descriptors. */
uint16_t vq_num_free(const struct vq *vq);

/* Chains handed to the device and not yet returned. */
uint16_t vq_outstanding(const struct vq *vq);

#endif
