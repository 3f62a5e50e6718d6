/*
 * The virtio PCI transport, modern (VIRTIO 1.x) interface only: finding
 * and mapping the structures the vendor capabilities describe, device
 * status, feature bits, queue setup and the device configuration.
 * Section numbers are the OASIS VIRTIO 1.1 specification's. Which
 * features to want, and what lives in the rings, is the device driver's.
 */
#ifndef NET_VIRTIO_PCI_H
#define NET_VIRTIO_PCI_H

#include "lib/types.h"

struct pci_device;
struct vq;

/* One device's mapped structures (4.1.4). */
struct virtio_pci {
	volatile uint8_t *common;      /* struct virtio_pci_common_cfg, 4.1.4.3 */
	volatile uint8_t *device;      /* the device type's configuration */
	volatile uint8_t *notify_base; /* notification area, 4.1.4.4 */
	uint32_t device_len, notify_len, notify_mult;
};

/*
 * Find the common, notify and device configuration capabilities of d and
 * map them. Returns 0, -ENODEV when one is missing, -ERANGE when one is
 * too small (the device configuration below device_min bytes), -ENOMEM
 * when mapping fails.
 */
int virtio_pci_map(struct virtio_pci *vp, const struct pci_device *d, uint32_t device_min);

/* Reset the device and wait for it to finish; 0 or -ETIMEDOUT. */
int virtio_pci_reset(struct virtio_pci *vp);

/* The device status register (2.1). */
uint8_t virtio_pci_status(struct virtio_pci *vp);

/* Set bits in the device status register, keeping those already set. */
void virtio_pci_set_status(struct virtio_pci *vp, uint8_t bits);

/* All 64 feature bits the device offers. */
uint64_t virtio_pci_device_features(struct virtio_pci *vp);

/* Write the driver's features and set FEATURES_OK; -ENODEV if the device refuses. */
int virtio_pci_set_features(struct virtio_pci *vp, uint64_t features);

/*
 * Set up and enable queue qi: vq over ring (ring_bytes, also its DMA
 * address by virt_to_phys), as large as the device and VQ_SIZE_MAX allow.
 * *notify gets the queue's notification address. Returns 0, -ENODEV
 * (no usable size) or -ERANGE (notification address outside the area).
 */
int virtio_pci_setup_queue(struct virtio_pci *vp, uint16_t qi, struct vq *vq, void *ring,
			   size_t ring_bytes, volatile uint16_t **notify);

/* Several device configuration bytes read as one consistent snapshot. */
void virtio_pci_read_cfg(struct virtio_pci *vp, unsigned off, uint8_t *out, unsigned len);

/* One 16-bit device configuration field, in a single access. */
uint16_t virtio_pci_cfg16(struct virtio_pci *vp, unsigned off);

#endif
