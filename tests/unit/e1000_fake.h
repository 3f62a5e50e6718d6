/*
 * A fake e1000 for the ring tests (net/e1000_ring.c). It plays the NIC:
 * it owns a register file and a DMA window whose addresses are
 * deliberately not host pointers (and above 4 GiB, so the high base
 * registers matter). It produces received frames between RDH and RDT
 * (dev_rx*) and consumes transmit descriptors between TDH and TDT
 * (dev_tx), as [8254x] chapter 3 describes, and it checks every tail
 * write: a descriptor handed over must already be reset and point at its
 * own buffer. setup() is the suites' per-test reset; capture() collects
 * what the driver delivers.
 */
#ifndef TESTS_UNIT_E1000_FAKE_H
#define TESTS_UNIT_E1000_FAKE_H

#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "net/e1000_ring.h"

#define DMA_BASE 0x123400000ULL
#define BUF 2048
#define MAXD 256
#define RXD_OFF 0
#define TXD_OFF (MAXD * 16)
#define RXB_OFF (2 * MAXD * 16)
#define TXB_OFF (RXB_OFF + MAXD * BUF)
#define SPARE_OFF (TXB_OFF + MAXD * BUF) /* the caller's own memory, for frames sent in place */
#define MEM_SIZE (SPARE_OFF + BUF)
#define NREGS (0x6000 / 4)
#define MAX_SENT 64

struct fake {
	uint32_t regs[NREGS];
	uint8_t mem[MEM_SIZE];
	bool bad_access;       /* DMA outside the window or an odd register */
	bool bad_handover;     /* tail write gave the device an unprepared descriptor */
	int rdt_writes, tdt_writes;
	int nsent;
	uint16_t sent_len[MAX_SENT];
	uint8_t sent[MAX_SENT][BUF];
};

static struct fake dev;
static struct e1000_ring_stats st;
static struct e1000_rx_ring rx;
static struct e1000_tx_ring tx;
static struct e1000_reg_ops ops;

static int nrx;
static size_t rx_len[MAXD];
static uint8_t rx_data[MAXD][BUF];

static inline void *dma(uint64_t a, size_t len)
{
	if (a < DMA_BASE || a - DMA_BASE > MEM_SIZE || len > MEM_SIZE - (a - DMA_BASE)) {
		dev.bad_access = true;
		return NULL;
	}
	return dev.mem + (a - DMA_BASE);
}

static inline uint32_t reg(uint32_t r)
{
	return dev.regs[r / 4];
}

static inline uint64_t ring_base(uint32_t lo, uint32_t hi)
{
	return (uint64_t)reg(hi) << 32 | reg(lo);
}

static inline struct e1000_rx_desc *rx_desc(uint32_t i)
{
	return dma(ring_base(E1000_RDBAL, E1000_RDBAH) + i * 16ULL, 16);
}

static inline struct e1000_tx_desc *tx_desc(uint32_t i)
{
	return dma(ring_base(E1000_TDBAL, E1000_TDBAH) + i * 16ULL, 16);
}

/* Every descriptor from the old tail up to the new one must be ready. */
static inline void check_rx_handover(uint32_t from, uint32_t to)
{
	uint32_t n = reg(E1000_RDLEN) / 16, i;

	if (to >= n) {
		dev.bad_handover = true;
		return;
	}
	for (i = from; i != to; i = (i + 1) % n) {
		struct e1000_rx_desc *d = rx_desc(i);

		if (!d || d->status != 0 || d->addr != DMA_BASE + RXB_OFF + (uint64_t)i * BUF)
			dev.bad_handover = true;
	}
}

static inline bool reg_bad(uint32_t r)
{
	bool bad = r % 4 || r / 4 >= NREGS;

	dev.bad_access |= bad;
	return bad;
}

static inline uint32_t fake_read32(void *ctx, uint32_t r)
{
	(void)ctx;
	return reg_bad(r) ? 0 : dev.regs[r / 4];
}

static inline void fake_write32(void *ctx, uint32_t r, uint32_t v)
{
	(void)ctx;
	if (reg_bad(r))
		return;
	if (r == E1000_RDT) {
		check_rx_handover(reg(E1000_RDT), v);
		dev.rdt_writes++;
	} else if (r == E1000_TDT) {
		if (v >= reg(E1000_TDLEN) / 16)
			dev.bad_handover = true;
		dev.tdt_writes++;
	}
	dev.regs[r / 4] = v;
}

/* The device receives one frame with the given write-back fields; false: no buffer. */
static inline bool dev_rx_raw(const void *data, uint16_t len, uint8_t status, uint8_t errors)
{
	uint32_t n = reg(E1000_RDLEN) / 16, head = reg(E1000_RDH);
	struct e1000_rx_desc *d;
	uint8_t *buf;

	if (head == reg(E1000_RDT))
		return false;
	d = rx_desc(head);
	buf = dma(d->addr, BUF);
	if (!buf)
		return false;
	if (data)
		memcpy(buf, data, MIN(len, BUF));
	d->length = len;
	d->errors = errors;
	d->status = status;
	dev.regs[E1000_RDH / 4] = (head + 1) % n;
	return true;
}

static inline bool dev_rx(const void *data, uint16_t len)
{
	return dev_rx_raw(data, len, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
}

/* n good frames; returns how many found a buffer. */
static inline int dev_rx_n(const void *data, uint16_t len, int n)
{
	int i = 0;

	while (i < n && dev_rx(data, len))
		i++;
	return i;
}

/* The device sends up to max queued frames, setting DD; returns how many. */
static inline int dev_tx(int max)
{
	uint32_t n = reg(E1000_TDLEN) / 16;
	int done = 0;

	while (done < max && reg(E1000_TDH) != reg(E1000_TDT)) {
		struct e1000_tx_desc *d = tx_desc(reg(E1000_TDH));
		uint8_t want = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
		const uint8_t *buf = dma(d->addr, d->length);

		if (d->cmd != want || !buf || d->length > BUF || dev.nsent == MAX_SENT) {
			dev.bad_access = true;
			return done;
		}
		memcpy(dev.sent[dev.nsent], buf, d->length);
		dev.sent_len[dev.nsent++] = d->length;
		d->status |= E1000_TXD_STAT_DD;
		dev.regs[E1000_TDH / 4] = (reg(E1000_TDH) + 1) % n;
		done++;
	}
	return done;
}

static inline void capture(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	if (nrx < MAXD && len <= BUF) {
		memcpy(rx_data[nrx], frame, len);
		rx_len[nrx] = len;
	}
	nrx++;
}

static inline void frame_fill(uint8_t *f, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7);
}

static inline int rx_setup(uint32_t count)
{
	return e1000_rx_init(&rx, &ops, dev.mem + RXD_OFF, DMA_BASE + RXD_OFF,
			     dev.mem + RXB_OFF, DMA_BASE + RXB_OFF, count, BUF, &st);
}

static inline int tx_setup(uint32_t count)
{
	return e1000_tx_init(&tx, &ops, dev.mem + TXD_OFF, DMA_BASE + TXD_OFF,
			     dev.mem + TXB_OFF, DMA_BASE + TXB_OFF, count, BUF, &st);
}

static inline void setup(void *arg)
{
	(void)arg;
	memset(&dev, 0, sizeof(dev));
	st = (struct e1000_ring_stats){ 0 };
	rx = (struct e1000_rx_ring){ 0 };
	tx = (struct e1000_tx_ring){ 0 };
	ops = (struct e1000_reg_ops){ fake_read32, fake_write32, &dev };
	nrx = 0;
}

#define ASSERT_DEVICE_HAPPY() ASSERT(!dev.bad_access && !dev.bad_handover)

#endif
