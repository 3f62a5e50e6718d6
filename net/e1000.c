/*
 * Driver for Intel e1000-family NICs: the 8254x (82540EM is what QEMU's
 * "e1000" and Bochs emulate) and the 82574L (QEMU's "e1000e"), both run
 * with legacy descriptors. Polled from the main loop; the device's
 * interrupts stay masked.
 *
 * This file is the hardware side (probe, reset, MMIO, MAC, link); the
 * descriptor rings are in e1000_ring.c. Bring-up follows [8254x] chapter
 * 14: reset, general configuration (14.3), receive (14.4) and transmit
 * (14.5) initialisation.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pci.h"
#include "kernel/clock.h"
#include "lib/fmt.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "net/e1000_regs.h"
#include "net/e1000_ring.h"
#include "net/nic.h"

#define E1000_MAX_NICS 4
#define E1000_RX_DESCS 1024
#define E1000_TX_DESCS 1024
#define E1000_BUF_SIZE 2048
#define E1000_DESC_ORDER 2         /* 1024 descriptors * 16 bytes = four pages */
#define E1000_BUFS_ORDER 9         /* 1024 buffers * 2 KiB = 512 pages */
#define E1000_MMIO_MIN 0x6000      /* the registers used here all lie below */
#define E1000_TX_MAX_FRAME (NIC_MTU_FRAME + 4) /* room for an 802.1Q tag */
#define E1000_TX_HANG_NS 1000000000ULL
/* ICR is read this often, not on every poll: each read is a trip to the device */
#define E1000_ERROR_CHECK_NS 10000000ULL
#define E1000_LINK_WAIT_MS 1000
#define INTEL_VENDOR_ID 0x8086

enum e1000_eerd { EERD_NONE, EERD_8254X, EERD_82574 };

struct e1000_model {
	uint16_t device;
	const char *name;
	enum e1000_eerd eerd;
	bool is_82574;
};

/*
 * Parts whose bring-up is the one below. The 82541/82547 (IGP PHY) and
 * 82543 (no EERD) need more and are left out.
 */
static const struct e1000_model e1000_models[] = {
	{ 0x100e, "82540EM", EERD_8254X, false },
	{ 0x1015, "82540EM", EERD_8254X, false },
	{ 0x1016, "82540EP", EERD_8254X, false },
	{ 0x1017, "82540EP", EERD_8254X, false },
	{ 0x101e, "82540EP", EERD_8254X, false },
	{ 0x100f, "82545EM", EERD_8254X, false },
	{ 0x1026, "82545GM", EERD_8254X, false },
	{ 0x100c, "82544GC", EERD_NONE, false },
	{ 0x10d3, "82574L", EERD_82574, true },
	{ 0x10f6, "82574L", EERD_82574, true },
};

struct e1000_dev {
	struct nic nic;
	const struct pci_device *pci;
	const struct e1000_model *model;
	volatile uint8_t *mmio;
	struct e1000_reg_ops ops;
	struct e1000_rx_ring rx;
	struct e1000_tx_ring tx;
	struct e1000_ring_stats rs, synced; /* synced: what nic->stats already has */
	void *rx_desc, *tx_desc, *rx_buf, *tx_buf;
	uint64_t tx_progress_ns; /* last time the TX ring was empty or moved */
	uint64_t overruns;       /* ICR.RXO events */
	uint64_t errors_checked_ns;
	void *tx_cookies[E1000_TX_DESCS]; /* frames sent in place, per slot */
};

static struct e1000_dev e1000_devs[E1000_MAX_NICS];
static int e1000_ndevs;

struct e1000_rx_ctx {
	struct nic *nic;
	nic_rx_fn fn;
};

static uint32_t e1000_mmio_read(void *ctx, uint32_t reg)
{
	struct e1000_dev *e = ctx;

	return *(volatile uint32_t *)(e->mmio + reg);
}

static void e1000_mmio_write(void *ctx, uint32_t reg, uint32_t val)
{
	struct e1000_dev *e = ctx;

	*(volatile uint32_t *)(e->mmio + reg) = val;
}

static uint32_t rd(struct e1000_dev *e, uint32_t reg)
{
	return e1000_mmio_read(e, reg);
}

static void wr(struct e1000_dev *e, uint32_t reg, uint32_t val)
{
	e1000_mmio_write(e, reg, val);
}

/* Busy-wait; the iteration cap keeps a stalled clock from hanging boot. */
static void e1000_delay_us(uint64_t us)
{
	uint64_t end = clock_ns() + us * 1000, n;

	for (n = 0; clock_ns() < end && n < us * 1000; n++)
		pause();
}

static bool e1000_wait(struct e1000_dev *e, uint32_t reg, uint32_t mask, uint32_t want,
		       uint64_t timeout_us)
{
	uint64_t waited;

	for (waited = 0; waited < timeout_us; waited += 10) {
		if ((rd(e, reg) & mask) == want)
			return true;
		e1000_delay_us(10);
	}
	return (rd(e, reg) & mask) == want;
}

/*
 * Global reset ([8254x] 13.4.1 CTRL.RST): masks off and the DMA engines
 * stopped first so nothing is in flight, then wait for the self-clearing
 * bit and (82574) for the NVM auto-read that reloads the MAC address.
 */
static bool e1000_reset_hw(struct e1000_dev *e)
{
	wr(e, E1000_IMC, E1000_IMC_ALL);
	wr(e, E1000_RCTL, 0);
	wr(e, E1000_TCTL, E1000_TCTL_PSP);
	(void)rd(e, E1000_STATUS); /* flush posted writes */
	e1000_delay_us(10000);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | E1000_CTRL_RST);
	/* the 82540EM reloads its EEPROM after reset: no register access meanwhile */
	e1000_delay_us(5000);
	if (!e1000_wait(e, E1000_CTRL, E1000_CTRL_RST, 0, 100000))
		return false;
	if (e->model->is_82574 &&
	    !e1000_wait(e, E1000_EECD, E1000_EECD_AUTO_RD, E1000_EECD_AUTO_RD, 10000))
		log_debug("%s: EEC.AUTO_RD not set after reset", e->nic.name);
	wr(e, E1000_IMC, E1000_IMC_ALL);
	(void)rd(e, E1000_ICR); /* clear causes latched before the mask */
	return true;
}

/* One EEPROM word through EERD ([8254x] 5.3.1); the layout differs per family. */
static bool e1000_eeprom_read(struct e1000_dev *e, uint8_t word, uint16_t *out)
{
	uint32_t done, shift, v;

	if (e->model->eerd == EERD_NONE)
		return false;
	done = e->model->eerd == EERD_82574 ? E1000_EERD_DONE_82574 : E1000_EERD_DONE_8254X;
	shift = e->model->eerd == EERD_82574 ? E1000_EERD_ADDR_SHIFT_82574
					      : E1000_EERD_ADDR_SHIFT_8254X;
	wr(e, E1000_EERD, E1000_EERD_START | (uint32_t)word << shift);
	if (!e1000_wait(e, E1000_EERD, done, done, 10000))
		return false;
	v = rd(e, E1000_EERD);
	wr(e, E1000_EERD, 0);
	*out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
	return true;
}

static bool e1000_mac_valid(const uint8_t *m)
{
	uint8_t any = m[0] | m[1] | m[2] | m[3] | m[4] | m[5];

	return any != 0 && !(m[0] & 1); /* not zero, not multicast/broadcast */
}

/*
 * The MAC address: RAL0/RAH0 as the device loaded them from its EEPROM
 * ([8254x] 13.5.2), else the EEPROM's first three words read directly.
 */
static bool e1000_read_mac(struct e1000_dev *e, uint8_t *mac)
{
	uint32_t ral = rd(e, E1000_RAL0), rah = rd(e, E1000_RAH0);
	uint16_t w;
	int i;

	for (i = 0; i < 4; i++)
		mac[i] = (uint8_t)(ral >> (8 * i));
	mac[4] = (uint8_t)rah;
	mac[5] = (uint8_t)(rah >> 8);
	if (ral && e1000_mac_valid(mac))
		return true;
	for (i = 0; i < E1000_EEPROM_IA_WORDS; i++) {
		if (!e1000_eeprom_read(e, (uint8_t)i, &w))
			return false;
		mac[2 * i] = (uint8_t)w;
		mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	return e1000_mac_valid(mac);
}

/* RAL before RAH, and AV last, as [8254x] 13.5.3 asks. */
static void e1000_write_mac(struct e1000_dev *e, const uint8_t *mac)
{
	wr(e, E1000_RAL0, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
			  (uint32_t)mac[3] << 24);
	wr(e, E1000_RAH0, (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | E1000_RAH_AV);
}

/* [8254x] 14.3: link up by auto-negotiation, no forced speed, no VLANs. */
static void e1000_setup_link(struct e1000_dev *e)
{
	uint32_t ctrl = rd(e, E1000_CTRL);

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_FRCSPD |
		  E1000_CTRL_FRCDPLX | E1000_CTRL_VME);
	wr(e, E1000_CTRL, ctrl);
}

/* [8254x] 14.4: filters, ring, then RCTL. Legacy descriptors on the 82574 too. */
static int e1000_setup_rx(struct e1000_dev *e)
{
	int i, err;

	for (i = 0; i < E1000_MTA_COUNT; i++)
		wr(e, E1000_MTA + 4 * i, 0);
	if (e->model->is_82574)
		wr(e, E1000_RFCTL, rd(e, E1000_RFCTL) & ~E1000_RFCTL_EXSTEN);
	wr(e, E1000_RXCSUM, 0); /* no offload: the IPE/TCPE error bits stay 0 */
	wr(e, E1000_RDTR, 0);
	err = e1000_rx_init(&e->rx, &e->ops, e->rx_desc, virt_to_phys(e->rx_desc), e->rx_buf,
			    virt_to_phys(e->rx_buf), E1000_RX_DESCS, E1000_BUF_SIZE, &e->rs);
	if (err)
		return err;
	/* BSIZE 00 with BSEX 0 is 2048 bytes; DTYP 00 is legacy (82574). */
	wr(e, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC |
			  E1000_RCTL_BSIZE_2048 | E1000_RCTL_RDMTS_HALF);
	return 0;
}

static void e1000_ref_done(void *ctx, void *cookie)
{
	struct e1000_dev *e = ctx;

	e->nic.tx_done(&e->nic, cookie);
}

/* [8254x] 14.5: ring, TIPG, then TCTL. */
static int e1000_setup_tx(struct e1000_dev *e)
{
	int err;

	err = e1000_tx_init(&e->tx, &e->ops, e->tx_desc, virt_to_phys(e->tx_desc), e->tx_buf,
			    virt_to_phys(e->tx_buf), E1000_TX_DESCS, E1000_BUF_SIZE, &e->rs);
	if (err)
		return err;
	e1000_tx_use_refs(&e->tx, e->tx_cookies, e1000_ref_done, e);
	wr(e, E1000_TIPG, E1000_TIPG_IPGT_COPPER | E1000_TIPG_IPGR1 << E1000_TIPG_IPGR1_SHIFT |
			  E1000_TIPG_IPGR2 << E1000_TIPG_IPGR2_SHIFT);
	wr(e, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
			  E1000_TCTL_CT_RECOMMENDED << E1000_TCTL_CT_SHIFT |
			  E1000_TCTL_COLD_FULL_DUPLEX << E1000_TCTL_COLD_SHIFT);
	return 0;
}

/* Everything from reset to running rings; the reset path runs it again. */
static int e1000_hw_init(struct e1000_dev *e, bool read_mac)
{
	int err;

	if (!e1000_reset_hw(e))
		return -ETIMEDOUT;
	if (read_mac && !e1000_read_mac(e, e->nic.mac))
		return -ENODEV;
	e1000_write_mac(e, e->nic.mac);
	e1000_setup_link(e);
	err = e1000_setup_rx(e);
	if (!err)
		err = e1000_setup_tx(e);
	e->tx_progress_ns = clock_ns();
	return err;
}

/* Add what the rings counted since the last call: the stack adds its own drops. */
static void e1000_sync_stats(struct e1000_dev *e)
{
	struct nic_stats *s = &e->nic.stats;
	const struct e1000_ring_stats *n = &e->rs, *o = &e->synced;

	s->rx_frames += n->rx_frames - o->rx_frames;
	s->rx_bytes += n->rx_bytes - o->rx_bytes;
	s->tx_frames += n->tx_frames - o->tx_frames;
	s->tx_bytes += n->tx_bytes - o->tx_bytes;
	s->rx_dropped += (n->rx_bad_len - o->rx_bad_len) + (n->rx_errors - o->rx_errors) +
			 (n->rx_no_eop - o->rx_no_eop);
	s->tx_dropped += (n->tx_full - o->tx_full) + (n->tx_bad_len - o->tx_bad_len);
	e->synced = *n;
}

/*
 * Start over after the device stopped making progress: reset, rings
 * rebuilt from scratch. Frames still queued for transmit are lost.
 */
static void e1000_reset(struct e1000_dev *e)
{
	uint32_t lost = e1000_tx_pending(&e->tx);

	e->nic.stats.resets++;
	e->nic.stats.tx_dropped += lost;
	e1000_tx_release(&e->tx);
	e1000_sync_stats(e);
	if (e1000_hw_init(e, false))
		log_error("%s: reset failed; the NIC stays down", e->nic.name);
	else
		log_warn("%s: device reset (%u queued frames dropped)", e->nic.name, lost);
}

static bool e1000_link_up(struct nic *nic)
{
	struct e1000_dev *e = nic->priv;

	return rd(e, E1000_STATUS) & E1000_STATUS_LU;
}

/* Transmit is hung when descriptors stay pending for a second with the link up. */
static void e1000_check_tx(struct e1000_dev *e, uint32_t reaped)
{
	uint64_t now = clock_ns();

	if (reaped || !e1000_tx_pending(&e->tx)) {
		e->tx_progress_ns = now;
		return;
	}
	if (now - e->tx_progress_ns < E1000_TX_HANG_NS || !e1000_link_up(&e->nic))
		return;
	log_warn("%s: transmit hung (%u descriptors pending for 1 s)", e->nic.name,
		 e1000_tx_pending(&e->tx));
	e1000_reset(e);
}

/* Device-reported trouble: receive FIFO overruns and the frames they cost. */
static void e1000_check_errors(struct e1000_dev *e)
{
	uint64_t now = clock_ns();
	uint32_t icr, missed;

	if (now - e->errors_checked_ns < E1000_ERROR_CHECK_NS)
		return;
	e->errors_checked_ns = now;
	icr = rd(e, E1000_ICR);
	if (!(icr & E1000_ICR_RXO))
		return;
	e->overruns++;
	missed = rd(e, E1000_MPC); /* read clears */
	e->nic.stats.rx_dropped += missed;
	log_debug("%s: receive overrun %llu, %u frames missed", e->nic.name,
		  (unsigned long long)e->overruns, missed);
}

static void e1000_deliver(void *ctx, const void *frame, size_t len)
{
	struct e1000_rx_ctx *c = ctx;

	c->fn(c->nic, frame, len);
}

static int e1000_poll(struct nic *nic, nic_rx_fn fn, int budget)
{
	struct e1000_dev *e = nic->priv;
	struct e1000_rx_ctx ctx = { nic, fn };
	int frames;

	e1000_check_errors(e);
	frames = e1000_rx_harvest(&e->rx, e1000_deliver, &ctx, budget);
	e1000_rx_refill(&e->rx);
	e1000_check_tx(e, e1000_tx_reap(&e->tx));
	e1000_sync_stats(e);
	return frames;
}

/* Queue a frame, copied (cookie NULL) or in place. */
static int e1000_xmit(struct e1000_dev *e, const void *frame, size_t len, void *cookie)
{
	int err;

	if (len > E1000_TX_MAX_FRAME) {
		e->rs.tx_bad_len++;
		err = -EINVAL;
	} else {
		if (!e1000_tx_pending(&e->tx))
			e->tx_progress_ns = clock_ns(); /* the hang clock starts now */
		err = cookie ? e1000_tx_queue_ref(&e->tx, virt_to_phys(frame), len, cookie)
			     : e1000_tx_queue(&e->tx, frame, len);
	}
	e1000_sync_stats(e);
	return err;
}

static int e1000_send(struct nic *nic, const void *frame, size_t len)
{
	return e1000_xmit(nic->priv, frame, len, NULL);
}

static int e1000_send_ref(struct nic *nic, const void *frame, size_t len, void *cookie)
{
	return cookie ? e1000_xmit(nic->priv, frame, len, cookie) : -EINVAL;
}

static void e1000_flush(struct nic *nic)
{
	struct e1000_dev *e = nic->priv;

	e1000_tx_kick(&e->tx);
}

/*
 * Tests only: stop the transmitter behind the driver's back (TCTL.EN
 * cleared), as a wedged transmit unit would. Frames then stay queued, and
 * the hang check must reset the device.
 */
static int e1000_inject_fault(struct nic *nic)
{
	struct e1000_dev *e = nic->priv;

	wr(e, E1000_TCTL, rd(e, E1000_TCTL) & ~E1000_TCTL_EN);
	return 0;
}

static const struct nic_ops e1000_nic_ops = {
	.send = e1000_send,
	.send_ref = e1000_send_ref,
	.flush = e1000_flush,
	.poll = e1000_poll,
	.link_up = e1000_link_up,
	.inject_fault = e1000_inject_fault,
};

static const struct e1000_model *e1000_match(const struct pci_device *d)
{
	size_t i;

	if (d->vendor != INTEL_VENDOR_ID)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(e1000_models); i++)
		if (e1000_models[i].device == d->device)
			return &e1000_models[i];
	return NULL;
}

/* Rings and buffers once per NIC; a reset reuses them. */
static bool e1000_alloc(struct e1000_dev *e)
{
	hpa_t rxd, txd, rxb, txb;

	if (e->rx_desc)
		return true; /* left by a NIC that failed to come up */
	rxd = physmem_alloc_pages(E1000_DESC_ORDER);
	txd = physmem_alloc_pages(E1000_DESC_ORDER);
	rxb = physmem_alloc_pages(E1000_BUFS_ORDER);
	txb = physmem_alloc_pages(E1000_BUFS_ORDER);
	if (!rxd || !txd || !rxb || !txb) {
		if (rxd)
			physmem_free_pages(rxd, E1000_DESC_ORDER);
		if (txd)
			physmem_free_pages(txd, E1000_DESC_ORDER);
		if (rxb)
			physmem_free_pages(rxb, E1000_BUFS_ORDER);
		if (txb)
			physmem_free_pages(txb, E1000_BUFS_ORDER);
		return false;
	}
	e->rx_desc = phys_to_virt(rxd);
	e->tx_desc = phys_to_virt(txd);
	e->rx_buf = phys_to_virt(rxb);
	e->tx_buf = phys_to_virt(txb);
	return true;
}

static void e1000_log_nic(struct e1000_dev *e)
{
	static const unsigned speeds[] = { 10, 100, 1000, 1000 };
	const struct pci_device *d = e->pci;
	const uint8_t *m = e->nic.mac;
	uint32_t status = rd(e, E1000_STATUS);

	log_info("%s: %s at %02x:%02x.%u, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s %u Mb/s %s",
		 e->nic.name, e->model->name, d->bus, d->dev, d->fn, m[0], m[1], m[2], m[3],
		 m[4], m[5], status & E1000_STATUS_LU ? "up" : "down",
		 speeds[(status & E1000_STATUS_SPEED_MASK) >> E1000_STATUS_SPEED_SHIFT],
		 status & E1000_STATUS_FD ? "full duplex" : "half duplex");
}

/* Map BAR0, bring the device up; false leaves it unused. */
static bool e1000_attach(struct e1000_dev *e, const struct pci_device *d,
			 const struct e1000_model *model)
{
	const struct pci_bar *bar = &d->bar[0];
	uint64_t start;
	int err;

	if (bar->io || bar->size < E1000_MMIO_MIN || !bar->base) {
		log_warn("e1000: %02x:%02x.%u: BAR0 is not a usable register window", d->bus,
			 d->dev, d->fn);
		return false;
	}
	if (paging_map_mmio(bar->base, bar->size) || !e1000_alloc(e)) {
		log_warn("e1000: %02x:%02x.%u: out of memory", d->bus, d->dev, d->fn);
		return false;
	}
	e->pci = d;
	e->model = model;
	e->mmio = phys_to_virt(bar->base);
	e->ops = (struct e1000_reg_ops){ e1000_mmio_read, e1000_mmio_write, e };
	fmt_snprintf(e->nic.name, sizeof(e->nic.name), "eth%d", nic_next_index());
	e->nic.model = model->name;
	e->nic.ops = &e1000_nic_ops;
	e->nic.priv = e;
	pci_enable(d);
	/* polled: the interrupt pin stays quiet even if a mask were lost */
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	err = e1000_hw_init(e, true);
	if (err) {
		log_warn("e1000: %02x:%02x.%u (%s): bring-up failed (%d)", d->bus, d->dev, d->fn,
			 model->name, err);
		return false;
	}
	start = clock_ms();
	while (!(rd(e, E1000_STATUS) & E1000_STATUS_LU) && clock_ms() - start < E1000_LINK_WAIT_MS)
		e1000_delay_us(1000);
	e1000_log_nic(e);
	return true;
}

void e1000_probe(void)
{
	const struct pci_device *devs;
	int n, i;

	devs = pci_devices(&n);
	for (i = 0; i < n && e1000_ndevs < E1000_MAX_NICS; i++) {
		const struct e1000_model *model = e1000_match(&devs[i]);
		struct e1000_dev *e = &e1000_devs[e1000_ndevs];

		if (!model || !e1000_attach(e, &devs[i], model))
			continue;
		if (!nic_register(&e->nic)) {
			e1000_reset_hw(e); /* quiet: nobody will poll it */
			break;
		}
		e1000_ndevs++;
	}
}
