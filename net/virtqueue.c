/*
 * Split virtqueues, driver side. Pure: see virtqueue.h. Section numbers
 * are VIRTIO 1.1's.
 *
 * Descriptors are taken from a private free list whose links double as
 * the chain links: n descriptors taken from the head of the list are
 * already chained in order, so the chain is recorded for free.
 *
 * Ordering: the device reads descriptors and ring slots only after it
 * sees the new avail idx, so a release fence goes before that store
 * (2.6.13.3.1); used elements are read only after the used idx that
 * covers them, so an acquire fence goes after that load (2.6.14). On x86
 * both are compiler barriers; the store-load barrier before reading
 * used->flags (2.6.13.4.1) is the caller's, as it is a real instruction.
 */
#include <string.h>

#include "net/virtqueue.h"

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes (2.6.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes (2.6.8)");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio 1.x rings are little-endian");

size_t vq_layout(uint16_t size, struct vq_layout *l)
{
	size_t avail_bytes = 6 + 2 * (size_t)size; /* flags, idx, ring, used_event */
	size_t used_bytes = 6 + 8 * (size_t)size;  /* flags, idx, ring, avail_event */

	l->desc_off = 0;
	l->avail_off = ALIGN_UP((size_t)16 * size, (size_t)VIRTQ_AVAIL_ALIGN);
	l->used_off = ALIGN_UP(l->avail_off + avail_bytes, (size_t)VIRTQ_USED_ALIGN);
	l->bytes = l->used_off + used_bytes;
	return l->bytes;
}

static bool size_ok(uint16_t size)
{
	return size && size <= VQ_SIZE_MAX && !(size & (size - 1));
}

int vq_init(struct vq *vq, uint16_t size, void *mem, uint64_t dma, size_t mem_bytes)
{
	struct vq_layout l;
	uint16_t i;

	if (!size_ok(size) || !mem || ((uintptr_t)mem | dma) % VIRTQ_DESC_ALIGN ||
	    mem_bytes < vq_layout(size, &l))
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	memset(mem, 0, l.bytes);
	vq->size = size;
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)((uint8_t *)mem + l.avail_off);
	vq->used = (volatile struct virtq_used *)((uint8_t *)mem + l.used_off);
	vq->desc_dma = dma + l.desc_off;
	vq->avail_dma = dma + l.avail_off;
	vq->used_dma = dma + l.used_off;
	for (i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1); /* the last link is never followed */
	vq->num_free = size;
	return 0;
}

/* Lengths in bounds, readable before writable, 4 GiB at most (2.6.5.2). */
static int check_bufs(const struct vq_buf *bufs, unsigned n, uint32_t *write_len)
{
	uint64_t total = 0, writable = 0;
	bool seen_write = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!bufs[i].len || (seen_write && !bufs[i].device_writes))
			return -EINVAL;
		seen_write = bufs[i].device_writes;
		total += bufs[i].len;
		if (seen_write)
			writable += bufs[i].len;
	}
	if (total > 0xffffffffULL)
		return -EINVAL;
	*write_len = (uint32_t)writable;
	return 0;
}

int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned n, void *cookie)
{
	uint16_t head = vq->free_head, d = head, last = head;
	uint32_t write_len;
	unsigned i;
	int err;

	if (!n)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	err = check_bufs(bufs, n, &write_len);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct virtq_desc *desc = &vq->desc[d];
		bool more = i + 1 < n;

		desc->addr = bufs[i].addr;
		desc->len = bufs[i].len;
		desc->flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					 (more ? VIRTQ_DESC_F_NEXT : 0));
		desc->next = more ? vq->next[d] : 0;
		last = d;
		d = vq->next[d];
	}
	vq->free_head = vq->next[last];
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->num_chains++;
	vq->chain_len[head] = (uint16_t)n;
	vq->write_len[head] = write_len;
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	return head;
}

void vq_publish(struct vq *vq)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile uint16_t *)&vq->avail->idx = vq->avail_idx;
	vq->pub_idx = vq->avail_idx;
}

void vq_set_interrupts(struct vq *vq, bool on)
{
	*(volatile uint16_t *)&vq->avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
}

bool vq_kick_needed(struct vq *vq)
{
	if (vq->kicked_idx == vq->pub_idx)
		return false;
	vq->kicked_idx = vq->pub_idx;
	return !(vq->honor_no_notify && (vq->used->flags & VIRTQ_USED_F_NO_NOTIFY));
}

/* Put head's chain back on the free list, walking the private links. */
static void free_chain(struct vq *vq, uint16_t head)
{
	uint16_t last = head, i;

	for (i = 1; i < vq->chain_len[head]; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + vq->chain_len[head]);
	vq->num_chains--;
	vq->chain_len[head] = 0;
}

enum vq_status vq_get_used(struct vq *vq, struct vq_used_buf *out)
{
	uint16_t used_idx = vq->used->idx;
	uint16_t pending = (uint16_t)(used_idx - vq->last_used);
	uint16_t shown = (uint16_t)(vq->pub_idx - vq->last_used);
	volatile struct virtq_used_elem *e;
	uint32_t id, len;
	bool bad_len;

	if (!pending)
		return VQ_EMPTY;
	if (pending > shown) {
		/* more used than ever made available: the index is garbage */
		vq->broken++;
		return VQ_BROKEN;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	id = e->id; /* read each once: the device may change them again */
	len = e->len;
	vq->last_used++;
	out->head = (uint16_t)id;
	out->len = len;
	out->cookie = NULL;
	if (id >= vq->size || !vq->chain_len[id]) {
		vq->bad_id++;
		return VQ_BAD_ID;
	}
	out->cookie = vq->cookie[id];
	bad_len = len > vq->write_len[id];
	free_chain(vq, (uint16_t)id);
	if (bad_len) {
		vq->bad_len++;
		return VQ_BAD_LEN;
	}
	return VQ_OK;
}

uint16_t vq_num_free(const struct vq *vq)
{
	return vq->num_free;
}

uint16_t vq_outstanding(const struct vq *vq)
{
	return vq->num_chains;
}
