/*
 * virtio-net over the modern (VIRTIO 1.x) PCI transport (net/virtio_pci.c),
 * polled. Section numbers are the OASIS VIRTIO 1.1 specification's.
 *
 * One receive and one transmit queue (5.1.2), features VERSION_1, MAC and
 * STATUS only: no offloads, no mergeable buffers, so every frame sits in
 * one buffer behind a 12-byte virtio_net_hdr. Receive buffers are fixed
 * and posted again as soon as their frame is delivered; a frame to send
 * is copied behind a zeroed header into a per-slot buffer. The device is
 * not trusted: used elements are validated (net/virtqueue.c) and lengths
 * checked before a byte is delivered; a device that breaks the ring
 * protocol or asks for it (DEVICE_NEEDS_RESET, 2.1) is reset and set up
 * again from scratch.
 */
#include <string.h>

#include "arch/x86/paging.h"
#include "arch/x86/pci.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "net/nic.h"
#include "net/virtio_pci.h"
#include "net/virtio_regs.h"
#include "net/virtqueue.h"

#define VNET_MAX 4
#define VNET_KICK_BATCH 16 /* frames published before a notification is forced */
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)
#define VNET_RX_BUF_LEN (2048 + VNET_HDR_LEN)
#define VNET_RX_STRIDE ALIGN_UP(VNET_RX_BUF_LEN, 64)
#define VNET_TX_STRIDE ALIGN_UP(VNET_HDR_LEN + NIC_MTU_FRAME, 64)
#define VNET_RING_BYTES ALIGN_UP(VQ_BYTES(VQ_SIZE_MAX), 64)
#define VNET_MEM_BYTES (2 * VNET_RING_BYTES + VQ_SIZE_MAX * (VNET_RX_STRIDE + VNET_TX_STRIDE))
#define ETH_HLEN 14
#define VNET_STATUS_EVERY 32   /* polls between DEVICE_NEEDS_RESET checks */
#define VNET_RESET_LOGS 8      /* resets logged before going quiet */

#define BIT64(n) (1ULL << (n))

enum { RXQ = VIRTIO_NET_RX_QUEUE, TXQ = VIRTIO_NET_TX_QUEUE, NQ };

struct vnet {
	struct nic nic;
	const struct pci_device *pci;
	struct virtio_pci vp;
	volatile uint16_t *notify[NQ];
	uint64_t features;
	struct vq q[NQ];
	void *ring[NQ];
	uint8_t *rx_buf, *tx_buf;
	uint16_t tx_free[VQ_SIZE_MAX];
	void *tx_ref[VQ_SIZE_MAX];       /* per slot: the stack's handle of a frame sent in place */
	uint16_t tx_nfree;
	unsigned polls;
	bool in_poll, need_reset, dead;
};

static struct vnet vnets[VNET_MAX];
static int vnet_count;

/* VERSION_1 is required; MAC and STATUS taken when offered (3.1.1, 5.1.3). */
static int vnet_negotiate(struct vnet *vn)
{
	uint64_t offered = virtio_pci_device_features(&vn->vp);
	uint64_t want;

	if (!(offered & BIT64(VIRTIO_F_VERSION_1))) {
		log_warn("%s: device does not offer VIRTIO_F_VERSION_1", vn->nic.name);
		return -ENODEV;
	}
	want = BIT64(VIRTIO_F_VERSION_1) | (offered & BIT64(VIRTIO_NET_F_MAC));
	if (vn->vp.device_len >= VIRTIO_NET_CFG_STATUS + 2) /* else there is no status to read */
		want |= offered & BIT64(VIRTIO_NET_F_STATUS);
	if (virtio_pci_set_features(&vn->vp, want)) {
		log_warn("%s: device refused features 0x%lx", vn->nic.name, (unsigned long)want);
		return -ENODEV;
	}
	vn->features = want;
	return 0;
}

static void vnet_read_mac(struct vnet *vn)
{
	const struct pci_device *d = vn->pci;

	if (vn->features & BIT64(VIRTIO_NET_F_MAC)) {
		virtio_pci_read_cfg(&vn->vp, VIRTIO_NET_CFG_MAC, vn->nic.mac, 6);
		return;
	}
	/* no MAC given: a locally administered one from the PCI address (5.1.4.2) */
	vn->nic.mac[0] = 0x02;
	vn->nic.mac[1] = 'V';
	vn->nic.mac[2] = 'N';
	vn->nic.mac[3] = d->bus;
	vn->nic.mac[4] = d->dev;
	vn->nic.mac[5] = d->fn;
}

static int vnet_setup_queue(struct vnet *vn, uint16_t qi)
{
	return virtio_pci_setup_queue(&vn->vp, qi, &vn->q[qi], vn->ring[qi], VNET_RING_BYTES,
				      &vn->notify[qi]);
}

/* Publish, then the full barrier 2.6.13.4.1 asks for, then notify if wanted. */
static void vnet_kick(struct vnet *vn, uint16_t qi)
{
	vq_publish(&vn->q[qi]);
	__asm__ volatile("mfence" ::: "memory");
	if (vq_kick_needed(&vn->q[qi]))
		*vn->notify[qi] = qi; /* the queue's index, 4.1.5.2 */
}

static int vnet_post_rx(struct vnet *vn, uint16_t slot)
{
	struct vq_buf b = {
		.addr = virt_to_phys(vn->rx_buf + (size_t)slot * VNET_RX_STRIDE),
		.len = VNET_RX_BUF_LEN,
		.device_writes = true,
	};

	return vq_add(&vn->q[RXQ], &b, 1, (void *)(uintptr_t)slot);
}

/* Reset to DRIVER_OK, 3.1.1: the whole sequence, also used after errors. */
static int vnet_start(struct vnet *vn)
{
	uint16_t i;
	int err = virtio_pci_reset(&vn->vp);

	if (err)
		return err;
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_DRIVER);
	err = vnet_negotiate(vn);
	if (!err)
		err = vnet_setup_queue(vn, RXQ);
	if (!err)
		err = vnet_setup_queue(vn, TXQ);
	if (err) {
		virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_FAILED);
		return err;
	}
	vnet_read_mac(vn);
	for (i = 0; i < vn->q[RXQ].size; i++)
		vnet_post_rx(vn, i);
	vn->tx_nfree = vn->q[TXQ].size;
	for (i = 0; i < vn->tx_nfree; i++)
		vn->tx_free[i] = i;
	vn->need_reset = false;
	vq_publish(&vn->q[RXQ]);
	/* no notification before DRIVER_OK (3.1.1) */
	virtio_pci_set_status(&vn->vp, VIRTIO_STATUS_DRIVER_OK);
	vnet_kick(vn, RXQ);
	return 0;
}

/* A slot's frame is finished with: a frame sent in place goes back to the stack. */
static void vnet_tx_finish(struct vnet *vn, uint16_t slot)
{
	void *ref = vn->tx_ref[slot];

	vn->tx_ref[slot] = NULL;
	if (ref)
		vn->nic.tx_done(&vn->nic, ref);
}

/* The rings are about to be rebuilt: nothing queued will be sent. */
static void vnet_release_refs(struct vnet *vn)
{
	uint16_t i;

	for (i = 0; i < VQ_SIZE_MAX; i++)
		vnet_tx_finish(vn, i);
}

static void vnet_restart(struct vnet *vn, const char *why)
{
	uint64_t n = ++vn->nic.stats.resets;
	int err;

	if (n <= VNET_RESET_LOGS)
		log_warn("%s: %s: resetting the device%s", vn->nic.name, why,
			 n == VNET_RESET_LOGS ? " (no more reset messages)" : "");
	/* frames still queued for transmission are lost with the rings */
	vn->nic.stats.tx_dropped += vq_outstanding(&vn->q[TXQ]);
	vnet_release_refs(vn);
	err = vnet_start(vn);
	if (err) {
		virtio_pci_reset(&vn->vp);
		vn->dead = true;
		log_error("%s: the device did not come back (%d); giving it up", vn->nic.name, err);
	}
}

static void vnet_reap_tx(struct vnet *vn)
{
	struct vq_used_buf u;

	for (;;) {
		switch (vq_get_used(&vn->q[TXQ], &u)) {
		case VQ_EMPTY:
			return;
		case VQ_BROKEN:
			vn->need_reset = true;
			return;
		case VQ_BAD_ID:
			break; /* nothing to take back; counted in the queue */
		case VQ_OK:
		case VQ_BAD_LEN: /* a length on a read-only buffer: harmless, the slot is free */
			if (vn->tx_nfree < vn->q[TXQ].size) {
				vnet_tx_finish(vn, (uint16_t)(uintptr_t)u.cookie);
				vn->tx_free[vn->tx_nfree++] = (uint16_t)(uintptr_t)u.cookie;
			}
			break;
		}
	}
}

/* Deliver good frames, count bad ones, post every buffer again. */
static int vnet_rx(struct vnet *vn, nic_rx_fn rx, int budget)
{
	struct nic_stats *st = &vn->nic.stats;
	struct vq_used_buf u;
	int i, delivered = 0;
	bool reposted = false;

	for (i = 0; i < budget; i++) {
		enum vq_status s = vq_get_used(&vn->q[RXQ], &u);
		uint16_t slot;
		uint8_t *buf;

		if (s == VQ_EMPTY)
			break;
		if (s == VQ_BROKEN) {
			vn->need_reset = true;
			break;
		}
		if (s == VQ_BAD_ID) {
			st->rx_dropped++;
			continue;
		}
		slot = (uint16_t)(uintptr_t)u.cookie;
		buf = vn->rx_buf + (size_t)slot * VNET_RX_STRIDE;
		if (s == VQ_OK && u.len >= VNET_HDR_LEN + ETH_HLEN) {
			st->rx_frames++;
			st->rx_bytes += u.len - VNET_HDR_LEN;
			delivered++;
			rx(&vn->nic, buf + VNET_HDR_LEN, u.len - VNET_HDR_LEN);
		} else {
			st->rx_dropped++;
		}
		vnet_post_rx(vn, slot);
		reposted = true;
	}
	if (reposted)
		vnet_kick(vn, RXQ);
	return delivered;
}

/* A transmit slot (its header buffer and frame space), reaping when none is left; -1 if none. */
static int vnet_tx_slot(struct vnet *vn, size_t len)
{
	if (vn->dead) {
		vn->nic.stats.tx_dropped++;
		return -EIO;
	}
	if (len < ETH_HLEN || len > NIC_MTU_FRAME) {
		vn->nic.stats.tx_dropped++;
		return -EINVAL;
	}
	if (!vn->tx_nfree) {
		vnet_kick(vn, TXQ); /* nothing frees up while the device has not been told */
		vnet_reap_tx(vn);
	}
	if (!vn->tx_nfree) {
		vn->nic.stats.tx_dropped++;
		return -ENOSPC;
	}
	return vn->tx_free[--vn->tx_nfree];
}

/* Queue slot's chain (header first), publish it, notify in batches. */
static int vnet_tx_post(struct vnet *vn, uint16_t slot, const struct vq_buf *b, int n, size_t len)
{
	uint8_t *hdr = vn->tx_buf + (size_t)slot * VNET_TX_STRIDE;

	memset(hdr, 0, VNET_HDR_LEN); /* no offloads: flags 0, GSO_NONE, num_buffers 0 (5.1.6.2.1) */
	if (vq_add(&vn->q[TXQ], b, n, (void *)(uintptr_t)slot) < 0) {
		vn->tx_ref[slot] = NULL;
		vn->tx_free[vn->tx_nfree++] = slot;
		vn->nic.stats.tx_dropped++;
		return -ENOSPC;
	}
	/* the device may be busy with this queue already and take it unasked */
	vq_publish(&vn->q[TXQ]);
	if ((uint16_t)(vn->q[TXQ].pub_idx - vn->q[TXQ].kicked_idx) >= VNET_KICK_BATCH)
		vnet_kick(vn, TXQ);
	vn->nic.stats.tx_frames++;
	vn->nic.stats.tx_bytes += len;
	return 0;
}

static int vnet_send(struct nic *nic, const void *frame, size_t len)
{
	struct vnet *vn = nic->priv;
	int slot = vnet_tx_slot(vn, len);
	uint8_t *buf;
	struct vq_buf b;

	if (slot < 0)
		return slot;
	buf = vn->tx_buf + (size_t)slot * VNET_TX_STRIDE;
	memcpy(buf + VNET_HDR_LEN, frame, len);
	b = (struct vq_buf){ virt_to_phys(buf), (uint32_t)(VNET_HDR_LEN + len), false };
	return vnet_tx_post(vn, (uint16_t)slot, &b, 1, len);
}

/* The frame stays where it is: a two-descriptor chain, our header then the caller's bytes. */
static int vnet_send_ref(struct nic *nic, const void *frame, size_t len, void *cookie)
{
	struct vnet *vn = nic->priv;
	int slot = vnet_tx_slot(vn, len);
	struct vq_buf b[2];

	if (slot < 0)
		return slot;
	b[0] = (struct vq_buf){ virt_to_phys(vn->tx_buf + (size_t)slot * VNET_TX_STRIDE), VNET_HDR_LEN, false };
	b[1] = (struct vq_buf){ virt_to_phys(frame), (uint32_t)len, false };
	vn->tx_ref[slot] = cookie;
	return vnet_tx_post(vn, (uint16_t)slot, b, 2, len);
}

static void vnet_flush(struct nic *nic)
{
	struct vnet *vn = nic->priv;

	if (!vn->dead)
		vnet_kick(vn, TXQ);
}

static int vnet_poll(struct nic *nic, nic_rx_fn rx, int budget)
{
	struct vnet *vn = nic->priv;
	int got = 0;

	if (vn->dead)
		return 0;
	vnet_reap_tx(vn);
	/* called again from the send path inside rx(): transmit side only */
	if (vn->in_poll)
		return 0;
	vn->in_poll = true;
	if (++vn->polls % VNET_STATUS_EVERY == 0 &&
	    virtio_pci_status(&vn->vp) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		vnet_restart(vn, "device needs reset");
	else if (!vn->need_reset)
		got = vnet_rx(vn, rx, budget);
	if (vn->need_reset && !vn->dead)
		vnet_restart(vn, "used ring out of step");
	vn->in_poll = false;
	return got;
}

static bool vnet_link_up(struct nic *nic)
{
	struct vnet *vn = nic->priv;

	if (vn->dead)
		return false;
	if (!(vn->features & BIT64(VIRTIO_NET_F_STATUS)))
		return true; /* 5.1.4.2: assume the link is up */
	/* one 16-bit field: a single aligned access is atomic (2.4.1, 4.1.3.1) */
	return virtio_pci_cfg16(&vn->vp, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
}

/*
 * Tests only: publish an available-ring entry naming a descriptor that
 * does not exist. A VERSION_1 device must treat that as a driver error
 * and set DEVICE_NEEDS_RESET (2.1.2), which the next polls notice.
 */
static int vnet_inject_fault(struct nic *nic)
{
	struct vnet *vn = nic->priv;
	struct vq *q = &vn->q[TXQ];

	if (vn->dead)
		return -EIO;
	/* after whatever is queued, and counted as queued: later sends must not overwrite it */
	q->avail->ring[q->avail_idx % q->size] = q->size;
	q->avail_idx++;
	vq_publish(q);
	__asm__ volatile("mfence" ::: "memory");
	*vn->notify[TXQ] = TXQ;
	return 0;
}

static const struct nic_ops vnet_ops = {
	.send = vnet_send,
	.send_ref = vnet_send_ref,
	.flush = vnet_flush,
	.poll = vnet_poll,
	.link_up = vnet_link_up,
	.inject_fault = vnet_inject_fault,
};

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* One block for both rings and all buffers; DMA address = physical. */
static int vnet_alloc(struct vnet *vn)
{
	hpa_t pa = physmem_alloc_pages(order_for(VNET_MEM_BYTES));
	uint8_t *p = phys_to_virt(pa);

	if (!pa)
		return -ENOMEM;
	vn->ring[RXQ] = p;
	vn->ring[TXQ] = p + VNET_RING_BYTES;
	vn->rx_buf = p + 2 * VNET_RING_BYTES;
	vn->tx_buf = vn->rx_buf + VQ_SIZE_MAX * VNET_RX_STRIDE;
	return 0;
}

static void vnet_free(struct vnet *vn)
{
	physmem_free_pages(virt_to_phys(vn->ring[RXQ]), order_for(VNET_MEM_BYTES));
}

static void vnet_log_up(struct vnet *vn)
{
	const uint8_t *m = vn->nic.mac;
	const struct pci_device *d = vn->pci;

	log_info("%s: %02x:%02x:%02x:%02x:%02x:%02x link %s, queues rx %u tx %u, pci %02x:%02x.%u",
		 vn->nic.name, m[0], m[1], m[2], m[3], m[4], m[5],
		 vnet_link_up(&vn->nic) ? "up" : "down", vn->q[RXQ].size, vn->q[TXQ].size,
		 d->bus, d->dev, d->fn);
}

static void vnet_probe_one(const struct pci_device *d)
{
	struct vnet *vn = &vnets[vnet_count];
	int err;

	memset(vn, 0, sizeof(*vn));
	vn->pci = d;
	fmt_snprintf(vn->nic.name, sizeof(vn->nic.name), "eth%d", nic_next_index());
	vn->nic.model = "virtio-net";
	vn->nic.ops = &vnet_ops;
	vn->nic.priv = vn;
	err = virtio_pci_map(&vn->vp, d, VIRTIO_NET_CFG_MAC + 6);
	if (err == -ENODEV) {
		log_info("virtio-net %02x:%02x.%u: no usable modern (1.x) capabilities; skipped",
			 d->bus, d->dev, d->fn);
		return;
	}
	if (!err) {
		pci_enable(d);
		/* polled: keep the legacy interrupt line quiet */
		pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
		err = vnet_alloc(vn);
	}
	if (!err) {
		err = vnet_start(vn);
		if (err) {
			virtio_pci_reset(&vn->vp); /* stop any DMA before the rings go */
			vnet_free(vn);
		}
	}
	if (err) {
		log_warn("virtio-net %02x:%02x.%u: not usable (%d)", d->bus, d->dev, d->fn, err);
		return;
	}
	if (!nic_register(&vn->nic)) {
		virtio_pci_reset(&vn->vp);
		vnet_free(vn);
		return;
	}
	vnet_count++;
	vnet_log_up(vn);
}

void virtio_net_probe(void)
{
	const struct pci_device *devs;
	int n, i;

	devs = pci_devices(&n);
	for (i = 0; i < n && vnet_count < VNET_MAX; i++) {
		if (devs[i].vendor == VIRTIO_PCI_VENDOR &&
		    (devs[i].device == VIRTIO_PCI_DEVICE_NET_MODERN ||
		     devs[i].device == VIRTIO_PCI_DEVICE_NET_TRANSITIONAL))
			vnet_probe_one(&devs[i]);
	}
}
