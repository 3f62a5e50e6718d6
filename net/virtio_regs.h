/*
 * Virtio constants: device status, feature bits, split virtqueue flags,
 * the PCI transport's capabilities and register layout, and the network
 * device's configuration and header. Section numbers are those of the
 * OASIS VIRTIO 1.1 specification. Every multi-byte field the device sees
 * is little-endian, which is also x86's order, so no conversion is made.
 */
#ifndef NET_VIRTIO_REGS_H
#define NET_VIRTIO_REGS_H

#include "lib/types.h"

/* PCI IDs, 4.1.2: 0x1040 + device id for modern devices, 0x1000 transitional */
#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_NET_MODERN 0x1041
#define VIRTIO_PCI_DEVICE_NET_TRANSITIONAL 0x1000

/* Device status bits, 2.1 */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Reserved (device-independent) feature bits, 6 */
#define VIRTIO_F_VERSION_1 32

/* Network device feature bits, 5.1.3 */
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

/* Split virtqueue descriptor flags, 2.6.5 */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

/* Available ring flags, 2.6.6; used ring flags, 2.6.8 */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* Largest queue size a split virtqueue can have, 2.6 */
#define VIRTQ_MAX_SIZE 32768

/* Part alignments of a split virtqueue, 2.6 (table "Virtqueue Part") */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4

/* Vendor-specific capability cfg_type values, 4.1.4 */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5

/* struct virtio_pci_cap field offsets, 4.1.4 */
#define VIRTIO_PCI_CAP_LEN 2
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_CAP_SIZE 16
/* struct virtio_pci_notify_cap adds notify_off_multiplier, 4.1.4.4 */
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16
#define VIRTIO_PCI_NOTIFY_CAP_SIZE 20

/* struct virtio_pci_common_cfg register offsets, 4.1.4.3 */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00
#define VIRTIO_PCI_COMMON_DF 0x04
#define VIRTIO_PCI_COMMON_GFSELECT 0x08
#define VIRTIO_PCI_COMMON_GF 0x0c
#define VIRTIO_PCI_COMMON_MSIX 0x10
#define VIRTIO_PCI_COMMON_NUMQ 0x12
#define VIRTIO_PCI_COMMON_STATUS 0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34
#define VIRTIO_PCI_COMMON_CFG_SIZE 0x38

/* No MSI-X vector (polled operation), 4.1.5.1.2 */
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Network device virtqueues, 5.1.2 */
#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1

/* struct virtio_net_config field offsets, 5.1.4 */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_S_LINK_UP 1

/*
 * struct virtio_net_hdr, 5.1.6: 12 bytes with num_buffers, which
 * VIRTIO_F_VERSION_1 makes always present (5.1.6.1).
 */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_HDR_GSO_NONE 0

_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr is 12 bytes (5.1.6)");

#endif
