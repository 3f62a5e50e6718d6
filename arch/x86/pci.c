/*
 * PCI configuration space through mechanism #1 (PCI Local Bus
 * Specification 3.0, section 3.2.2.3.2): a dword address written to
 * CONFIG_ADDRESS (0xCF8) selects bus/device/function/register, and
 * CONFIG_DATA (0xCFC..0xCFF) carries the data. Narrow accesses use the
 * matching byte lanes of CONFIG_DATA, so a 16-bit write to COMMAND does
 * not also write the neighbouring STATUS register (whose error bits are
 * write-one-to-clear).
 *
 * Discovery is a brute-force scan of every bus, device and function; it
 * runs once, single-threaded, after ExitBootServices.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pci.h"
#include "kernel/log.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE (1U << 31)

/* Header type register, PCI 3.0 section 6.2.1 */
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_TYPE_NORMAL 0
#define PCI_HEADER_TYPE_BRIDGE 1
#define PCI_BRIDGE_BARS 2

/* Base address register bits, PCI 3.0 section 6.2.5.1 */
#define PCI_BAR_IO (1U << 0)
#define PCI_BAR_MEM_TYPE_MASK (3U << 1)
#define PCI_BAR_MEM_TYPE_64 (2U << 1)
#define PCI_BAR_MEM_MASK 0xfffffff0U
#define PCI_BAR_IO_MASK 0xfffffffcU

/* A capability list cannot be longer than the 192 bytes it lives in. */
#define PCI_CAP_MAX 48

static struct pci_device devices[PCI_MAX_DEVICES];
static int ndevices;

static uint32_t pci_address(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 |
	       (uint32_t)(fn & 7) << 8 | (off & 0xfc);
}

static uint32_t pci_cfg_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(PCI_CONFIG_ADDRESS, pci_address(bus, dev, fn, off));
	return inl(PCI_CONFIG_DATA);
}

static void pci_cfg_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t val)
{
	outl(PCI_CONFIG_ADDRESS, pci_address(bus, dev, fn, off));
	outl(PCI_CONFIG_DATA, val);
}

uint32_t pci_read32(const struct pci_device *d, uint16_t off)
{
	return pci_cfg_read32(d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_device *d, uint16_t off)
{
	outl(PCI_CONFIG_ADDRESS, pci_address(d->bus, d->dev, d->fn, off));
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(const struct pci_device *d, uint16_t off)
{
	outl(PCI_CONFIG_ADDRESS, pci_address(d->bus, d->dev, d->fn, off));
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(const struct pci_device *d, uint16_t off, uint32_t val)
{
	pci_cfg_write32(d->bus, d->dev, d->fn, off, val);
}

void pci_write16(const struct pci_device *d, uint16_t off, uint16_t val)
{
	outl(PCI_CONFIG_ADDRESS, pci_address(d->bus, d->dev, d->fn, off));
	outw(PCI_CONFIG_DATA + (off & 2), val);
}

/*
 * Size one BAR the way PCI 3.0 section 6.2.5.1 describes: write all
 * ones, read back which address bits stick, restore. Returns how many
 * BAR slots it used (2 for a 64-bit memory BAR).
 */
static int pci_size_bar(struct pci_device *d, int i, int nbars)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_read32(d, off), mask, orig_hi = 0, mask_hi = 0;
	struct pci_bar *bar = &d->bar[i];
	uint64_t base, size;

	bar->io = orig & PCI_BAR_IO;
	bar->is64 = !bar->io && (orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 &&
		    i + 1 < nbars;
	pci_write32(d, off, 0xffffffff);
	mask = pci_read32(d, off);
	pci_write32(d, off, orig);
	if (bar->is64) {
		orig_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		mask_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, orig_hi);
	}
	if (bar->io) {
		/* Upper 16 bits of an I/O BAR may read back as 0 (PCI 3.0 6.2.5.1). */
		mask = (mask & PCI_BAR_IO_MASK) | 0xffff0000U;
		base = orig & PCI_BAR_IO_MASK;
		size = mask == 0xffff0000U ? 0 : (uint64_t)(~mask + 1) & 0xffffffffULL;
	} else {
		uint64_t m = (uint64_t)mask_hi << 32 | (mask & PCI_BAR_MEM_MASK);

		if (!bar->is64)
			m |= 0xffffffff00000000ULL;
		base = (uint64_t)orig_hi << 32 | (orig & PCI_BAR_MEM_MASK);
		size = (mask & PCI_BAR_MEM_MASK) || mask_hi ? ~m + 1 : 0;
	}
	bar->size = size;
	bar->base = size ? base : 0;
	return bar->is64 ? 2 : 1;
}

/* Decoding stays off while BARs hold all ones, so no access lands there. */
static void pci_size_bars(struct pci_device *d, int nbars)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	int i = 0;

	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	while (i < nbars)
		i += pci_size_bar(d, i, nbars);
	pci_write16(d, PCI_COMMAND, cmd);
}

static void pci_add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	struct pci_device *d;
	uint32_t class_rev;
	uint8_t type;

	if (ndevices == PCI_MAX_DEVICES) {
		log_warn("pci: %02x:%02x.%u ignored: table full (%d)", bus, dev, fn,
			 PCI_MAX_DEVICES);
		return;
	}
	d = &devices[ndevices++];
	*d = (struct pci_device){ 0 };
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	class_rev = pci_read32(d, PCI_CLASS_REVISION);
	d->revision = (uint8_t)class_rev;
	d->prog_if = (uint8_t)(class_rev >> 8);
	d->subclass = (uint8_t)(class_rev >> 16);
	d->class_code = (uint8_t)(class_rev >> 24);
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	type = pci_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	if (type == PCI_HEADER_TYPE_NORMAL)
		pci_size_bars(d, PCI_BARS);
	else if (type == PCI_HEADER_TYPE_BRIDGE)
		pci_size_bars(d, PCI_BRIDGE_BARS);
	log_debug("pci: %02x:%02x.%u %04x:%04x class %02x%02x%02x", bus, dev, fn, d->vendor,
		  d->device, d->class_code, d->subclass, d->prog_if);
}

static void pci_scan_device(uint8_t bus, uint8_t dev)
{
	uint32_t id = pci_cfg_read32(bus, dev, 0, PCI_VENDOR_ID);
	uint8_t fn, nfn = 1;

	if ((id & 0xffff) == 0xffff)
		return;
	if ((pci_cfg_read32(bus, dev, 0, PCI_HEADER_TYPE & ~3) >> 16) & PCI_HEADER_MULTIFUNCTION)
		nfn = 8;
	for (fn = 0; fn < nfn; fn++) {
		if (fn)
			id = pci_cfg_read32(bus, dev, fn, PCI_VENDOR_ID);
		if ((id & 0xffff) != 0xffff)
			pci_add_function(bus, dev, fn, id);
	}
}

int pci_scan(void)
{
	unsigned bus, dev;

	ndevices = 0;
	for (bus = 0; bus < 256; bus++)
		for (dev = 0; dev < 32; dev++)
			pci_scan_device((uint8_t)bus, (uint8_t)dev);
	log_info("pci: %d function(s)", ndevices);
	return ndevices;
}

const struct pci_device *pci_devices(int *n)
{
	if (n)
		*n = ndevices;
	return devices;
}

void pci_enable(const struct pci_device *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	int i;

	for (i = 0; i < PCI_BARS; i++) {
		if (!d->bar[i].size)
			continue;
		cmd |= d->bar[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_BUS_MASTER);
}

/*
 * `from` is 0 to start at the head of the list, or the offset of a
 * capability in the list to start at (inclusive): to find the next one
 * after `off`, pass pci_read8(d, off + 1), the list's next pointer.
 */
uint8_t pci_find_capability(const struct pci_device *d, uint8_t id, uint8_t from)
{
	uint8_t off;
	int n;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = from ? from : pci_read8(d, PCI_CAPABILITY_LIST);
	for (n = 0; n < PCI_CAP_MAX && off >= 0x40; n++) {
		off &= 0xfc;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}
