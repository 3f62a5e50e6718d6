/*
 * PCI configuration space (mechanism #1, ports 0xCF8/0xCFC) and device
 * discovery. PCI Local Bus Specification 3.0, chapter 6.
 */
#ifndef ARCH_X86_PCI_H
#define ARCH_X86_PCI_H

#include "lib/types.h"

#define PCI_MAX_DEVICES 64
#define PCI_BARS 6

/* Configuration header offsets, PCI 3.0 section 6.1 */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_COMMAND_IO (1U << 0)
#define PCI_COMMAND_MEMORY (1U << 1)
#define PCI_COMMAND_BUS_MASTER (1U << 2)
#define PCI_COMMAND_INTX_DISABLE (1U << 10)
#define PCI_STATUS_CAP_LIST (1U << 4)
#define PCI_CAP_ID_VENDOR 0x09

struct pci_bar {
	uint64_t base; /* 0 when unimplemented */
	uint64_t size;
	bool io;       /* I/O space rather than memory */
	bool is64;
};

struct pci_device {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t irq_line;
	struct pci_bar bar[PCI_BARS];
};

uint32_t pci_read32(const struct pci_device *d, uint16_t off);
uint16_t pci_read16(const struct pci_device *d, uint16_t off);
uint8_t pci_read8(const struct pci_device *d, uint16_t off);
void pci_write32(const struct pci_device *d, uint16_t off, uint32_t val);
void pci_write16(const struct pci_device *d, uint16_t off, uint16_t val);

/*
 * Scan every bus/device/function once, sizing BARs. Returns the number of
 * functions found (also kept for pci_devices()).
 */
int pci_scan(void);

/* The functions pci_scan found. */
const struct pci_device *pci_devices(int *n);

/* Turn on memory/I/O decoding and bus mastering (DMA) for d. */
void pci_enable(const struct pci_device *d);

/*
 * Walk d's capability list: the offset of the first capability with id
 * at or after offset `from` (0 to start), or 0 when there is none.
 */
uint8_t pci_find_capability(const struct pci_device *d, uint8_t id, uint8_t from);

#endif
