/*
 * The virtio PCI transport (modern interface, 4.1), apart from the network
 * driver because none of it depends on the device type: capability
 * discovery and mapping, the exact-width register accesses, status, feature
 * bits, queue setup and generation-checked configuration reads. Section
 * numbers are the OASIS VIRTIO 1.1 specification's.
 *
 * The device is not trusted: capabilities are bounded by their BAR and
 * the capability walk by the size of configuration space, and a queue's
 * notification address must lie inside the notification area.
 */
#include "net/virtio_pci.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pci.h"
#include "net/virtio_regs.h"
#include "net/virtqueue.h"

#define VP_RESET_SPINS 1000000
#define VP_CFG_TRIES 16
#define VP_CAP_WALK_MAX 48 /* (256 - 64) / 4: a longer list is a loop */

/* Where one virtio structure lives, from its capability (4.1.4). */
struct vp_cap {
	bool found;
	uint8_t bar;
	uint32_t off, len;
	uint32_t mult; /* notify_off_multiplier, NOTIFY only */
};

/* rdN/wrN: one access of exactly N bits, as 4.1.3.1 requires. */
#define VP_MMIO(n)                                                              \
	static inline uint##n##_t rd##n(volatile uint8_t *b, unsigned off)      \
	{                                                                       \
		return *(volatile uint##n##_t *)(b + off);                      \
	}                                                                       \
	static inline void wr##n(volatile uint8_t *b, unsigned off, uint##n##_t v) \
	{                                                                       \
		*(volatile uint##n##_t *)(b + off) = v;                         \
	}
VP_MMIO(8)
VP_MMIO(16)
VP_MMIO(32)

/* 64-bit fields as two 32-bit halves, low first (4.1.3.1). */
static void wr64(volatile uint8_t *b, unsigned off, uint64_t v)
{
	wr32(b, off, (uint32_t)v);
	wr32(b, off + 4, (uint32_t)(v >> 32));
}

static void vp_take_cap(const struct pci_device *d, uint8_t pos, struct vp_cap *caps)
{
	uint8_t len = pci_read8(d, pos + VIRTIO_PCI_CAP_LEN);
	uint8_t type = pci_read8(d, pos + VIRTIO_PCI_CAP_CFG_TYPE);
	uint8_t bar = pci_read8(d, pos + VIRTIO_PCI_CAP_BAR);
	unsigned need = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? VIRTIO_PCI_NOTIFY_CAP_SIZE :
							    VIRTIO_PCI_CAP_SIZE;
	struct vp_cap *c;
	uint32_t off, length;

	/* reserved types and BARs are ignored; the first usable one of a type wins */
	if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_DEVICE_CFG ||
	    len < need || pos + need > 256 || bar >= PCI_BARS)
		return;
	c = &caps[type];
	if (c->found || d->bar[bar].io || !d->bar[bar].base)
		return;
	off = pci_read32(d, pos + VIRTIO_PCI_CAP_OFFSET);
	length = pci_read32(d, pos + VIRTIO_PCI_CAP_LENGTH);
	if ((uint64_t)off + length > d->bar[bar].size)
		return;
	c->found = true;
	c->bar = bar;
	c->off = off;
	c->len = length;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->mult = pci_read32(d, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
}

/* Every vendor capability, bounded: a looping list cannot hang the probe. */
static void vp_find_caps(const struct pci_device *d, struct vp_cap *caps)
{
	uint8_t pos = pci_find_capability(d, PCI_CAP_ID_VENDOR, 0);
	int i;

	for (i = 0; pos && i < VP_CAP_WALK_MAX; i++) {
		vp_take_cap(d, pos, caps);
		pos = pci_read8(d, pos + 1) & 0xfc;
		pos = pos >= 0x40 ? pci_find_capability(d, PCI_CAP_ID_VENDOR, pos) : 0;
	}
}

static volatile uint8_t *vp_map(const struct pci_device *d, const struct vp_cap *c)
{
	hpa_t pa = d->bar[c->bar].base + c->off;

	if (paging_map_mmio(pa, c->len))
		return NULL;
	return phys_to_virt(pa);
}

/* Capabilities present, big enough, and mapped. */
int virtio_pci_map(struct virtio_pci *vp, const struct pci_device *d, uint32_t device_min)
{
	struct vp_cap caps[VIRTIO_PCI_CAP_DEVICE_CFG + 1] = { { 0 } };
	struct vp_cap *com = &caps[VIRTIO_PCI_CAP_COMMON_CFG];
	struct vp_cap *ntf = &caps[VIRTIO_PCI_CAP_NOTIFY_CFG];
	struct vp_cap *dev = &caps[VIRTIO_PCI_CAP_DEVICE_CFG];

	vp_find_caps(d, caps);
	if (!com->found || !ntf->found || !dev->found)
		return -ENODEV;
	if (com->len < VIRTIO_PCI_COMMON_CFG_SIZE || dev->len < device_min ||
	    ntf->len < sizeof(uint16_t))
		return -ERANGE;
	vp->common = vp_map(d, com);
	vp->notify_base = vp_map(d, ntf);
	vp->device = vp_map(d, dev);
	if (!vp->common || !vp->notify_base || !vp->device)
		return -ENOMEM;
	vp->notify_len = ntf->len;
	vp->notify_mult = ntf->mult;
	vp->device_len = dev->len;
	return 0;
}

uint8_t virtio_pci_status(struct virtio_pci *vp)
{
	return rd8(vp->common, VIRTIO_PCI_COMMON_STATUS);
}

void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits)
{
	wr8(vp->common, VIRTIO_PCI_COMMON_STATUS,
	    rd8(vp->common, VIRTIO_PCI_COMMON_STATUS) | bits);
}

/* Write 0 and wait for 0 to read back before anything else (4.1.4.3.2). */
int virtio_pci_reset(struct virtio_pci *vp)
{
	long i;

	wr8(vp->common, VIRTIO_PCI_COMMON_STATUS, 0);
	for (i = 0; i < VP_RESET_SPINS; i++) {
		if (!rd8(vp->common, VIRTIO_PCI_COMMON_STATUS))
			return 0;
		pause();
	}
	return -ETIMEDOUT;
}

/* Two 32-bit windows chosen by the select register (4.1.4.3). */
uint64_t virtio_pci_device_features(struct virtio_pci *vp)
{
	volatile uint8_t *c = vp->common;
	uint64_t offered;

	wr32(c, VIRTIO_PCI_COMMON_DFSELECT, 0);
	offered = rd32(c, VIRTIO_PCI_COMMON_DF);
	wr32(c, VIRTIO_PCI_COMMON_DFSELECT, 1);
	offered |= (uint64_t)rd32(c, VIRTIO_PCI_COMMON_DF) << 32;
	return offered;
}

/* FEATURES_OK is read back: the device clears it to refuse (3.1.1 steps 5, 6). */
int virtio_pci_set_features(struct virtio_pci *vp, uint64_t features)
{
	volatile uint8_t *c = vp->common;

	wr32(c, VIRTIO_PCI_COMMON_GFSELECT, 0);
	wr32(c, VIRTIO_PCI_COMMON_GF, (uint32_t)features);
	wr32(c, VIRTIO_PCI_COMMON_GFSELECT, 1);
	wr32(c, VIRTIO_PCI_COMMON_GF, (uint32_t)(features >> 32));
	virtio_pci_set_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd8(c, VIRTIO_PCI_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	return 0;
}

/* Size, rings, notify address, enable: 4.1.5.1.3 and 4.1.4.4. */
int virtio_pci_setup_queue(struct virtio_pci *vp, uint16_t qi, struct vq *vq, void *ring,
			   size_t ring_bytes, volatile uint16_t **notify)
{
	volatile uint8_t *c = vp->common;
	uint16_t max, size = VQ_SIZE_MAX;
	uint64_t off;

	wr16(c, VIRTIO_PCI_COMMON_Q_SELECT, qi);
	max = rd16(c, VIRTIO_PCI_COMMON_Q_SIZE);
	while (size > max)
		size >>= 1;
	if (!size || vq_init(vq, size, ring, virt_to_phys(ring), ring_bytes))
		return -ENODEV;
	vq->honor_no_notify = true;
	/* polled from the main loop: the device's interrupts would only cost it work */
	vq_set_interrupts(vq, false);
	wr16(c, VIRTIO_PCI_COMMON_Q_SIZE, size);
	wr64(c, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc_dma);
	wr64(c, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail_dma);
	wr64(c, VIRTIO_PCI_COMMON_Q_USEDLO, vq->used_dma);
	off = (uint64_t)rd16(c, VIRTIO_PCI_COMMON_Q_NOFF) * vp->notify_mult;
	if (off + sizeof(uint16_t) > vp->notify_len || ((uintptr_t)vp->notify_base + off) & 1)
		return -ERANGE;
	*notify = (volatile uint16_t *)(vp->notify_base + off);
	wr16(c, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	return 0;
}

/*
 * Read several fields of the device configuration, byte by byte, until
 * the generation holds still (2.4.1).
 */
void virtio_pci_read_cfg(struct virtio_pci *vp, unsigned off, uint8_t *out, unsigned len)
{
	uint8_t gen;
	unsigned i;
	int tries = 0;

	do {
		gen = rd8(vp->common, VIRTIO_PCI_COMMON_CFGGENERATION);
		for (i = 0; i < len; i++)
			out[i] = rd8(vp->device, off + i);
	} while (rd8(vp->common, VIRTIO_PCI_COMMON_CFGGENERATION) != gen &&
		 ++tries < VP_CFG_TRIES);
}

/* A single aligned access is atomic, so no generation check (2.4.1, 4.1.3.1). */
uint16_t virtio_pci_cfg16(struct virtio_pci *vp, unsigned off)
{
	return rd16(vp->device, off);
}
