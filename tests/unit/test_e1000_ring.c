/*
 * Unit tests for net/e1000_ring.c. A fake device plays the NIC: it owns
 * a register file and a DMA window whose addresses are deliberately not
 * host pointers (and above 4 GiB, so the high base registers matter).
 * It produces received frames between RDH and RDT and consumes transmit
 * descriptors between TDH and TDT, as [8254x] chapter 3 describes, and it
 * checks every tail write: a descriptor handed over must already be
 * reset and point at its own buffer.
 */
#include <string.h>

#include "greatest.h"
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

static void *dma(uint64_t a, size_t len)
{
	if (a < DMA_BASE || a - DMA_BASE > MEM_SIZE || len > MEM_SIZE - (a - DMA_BASE)) {
		dev.bad_access = true;
		return NULL;
	}
	return dev.mem + (a - DMA_BASE);
}

static uint32_t reg(uint32_t r)
{
	return dev.regs[r / 4];
}

static uint64_t ring_base(uint32_t lo, uint32_t hi)
{
	return (uint64_t)reg(hi) << 32 | reg(lo);
}

static struct e1000_rx_desc *rx_desc(uint32_t i)
{
	return dma(ring_base(E1000_RDBAL, E1000_RDBAH) + i * 16ULL, 16);
}

static struct e1000_tx_desc *tx_desc(uint32_t i)
{
	return dma(ring_base(E1000_TDBAL, E1000_TDBAH) + i * 16ULL, 16);
}

/* Every descriptor from the old tail up to the new one must be ready. */
static void check_rx_handover(uint32_t from, uint32_t to)
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

static bool reg_bad(uint32_t r)
{
	bool bad = r % 4 || r / 4 >= NREGS;

	dev.bad_access |= bad;
	return bad;
}

static uint32_t fake_read32(void *ctx, uint32_t r)
{
	(void)ctx;
	return reg_bad(r) ? 0 : dev.regs[r / 4];
}

static void fake_write32(void *ctx, uint32_t r, uint32_t v)
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
static bool dev_rx_raw(const void *data, uint16_t len, uint8_t status, uint8_t errors)
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

static bool dev_rx(const void *data, uint16_t len)
{
	return dev_rx_raw(data, len, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
}

/* n good frames; returns how many found a buffer. */
static int dev_rx_n(const void *data, uint16_t len, int n)
{
	int i = 0;

	while (i < n && dev_rx(data, len))
		i++;
	return i;
}

/* The device sends up to max queued frames, setting DD; returns how many. */
static int dev_tx(int max)
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

static void capture(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	if (nrx < MAXD && len <= BUF) {
		memcpy(rx_data[nrx], frame, len);
		rx_len[nrx] = len;
	}
	nrx++;
}

static void frame_fill(uint8_t *f, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7);
}

static int rx_setup(uint32_t count)
{
	return e1000_rx_init(&rx, &ops, dev.mem + RXD_OFF, DMA_BASE + RXD_OFF,
			     dev.mem + RXB_OFF, DMA_BASE + RXB_OFF, count, BUF, &st);
}

static int tx_setup(uint32_t count)
{
	return e1000_tx_init(&tx, &ops, dev.mem + TXD_OFF, DMA_BASE + TXD_OFF,
			     dev.mem + TXB_OFF, DMA_BASE + TXB_OFF, count, BUF, &st);
}

static void setup(void *arg)
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

TEST rx_init_programs_ring(void)
{
	uint32_t i;

	ASSERT_EQ(0, rx_setup(16));
	ASSERT_EQ(DMA_BASE + RXD_OFF, ring_base(E1000_RDBAL, E1000_RDBAH));
	ASSERT_EQ(16 * 16, reg(E1000_RDLEN));
	ASSERT_EQ(0, reg(E1000_RDH));
	ASSERT_EQ(15, reg(E1000_RDT)); /* all but one descriptor to the device */
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(DMA_BASE + RXB_OFF + i * BUF, rx_desc(i)->addr);
		ASSERT_EQ(0, rx_desc(i)->status);
	}
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_init_rejects_bad_geometry(void)
{
	struct e1000_reg_ops none = { 0 };

	ASSERT_EQ(-EINVAL, rx_setup(0));
	ASSERT_EQ(-EINVAL, rx_setup(12)); /* RDLEN is in units of 128 bytes */
	ASSERT_EQ(-EINVAL, e1000_rx_init(&rx, &ops, dev.mem, DMA_BASE + 8, dev.mem + RXB_OFF,
					 DMA_BASE + RXB_OFF, 8, BUF, &st));
	ASSERT_EQ(-EINVAL, e1000_rx_init(&rx, &ops, dev.mem, DMA_BASE, dev.mem + RXB_OFF,
					 DMA_BASE + RXB_OFF, 8, 1536, &st));
	ASSERT_EQ(-EINVAL, e1000_rx_init(&rx, &none, dev.mem, DMA_BASE, dev.mem + RXB_OFF,
					 DMA_BASE + RXB_OFF, 8, BUF, &st));
	ASSERT_EQ(0, dev.rdt_writes);
	PASS();
}

TEST rx_delivers_frames_in_order(void)
{
	uint8_t f[3][200];
	int i;

	ASSERT_EQ(0, rx_setup(16));
	for (i = 0; i < 3; i++) {
		frame_fill(f[i], 60 + i * 70, (unsigned)i);
		ASSERT(dev_rx(f[i], (uint16_t)(60 + i * 70)));
	}
	ASSERT_EQ(3, e1000_rx_harvest(&rx, capture, NULL, 64));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ((size_t)(60 + i * 70), rx_len[i]);
		ASSERT_MEM_EQ(f[i], rx_data[i], rx_len[i]);
	}
	ASSERT_EQ(3, st.rx_frames);
	ASSERT_EQ(60 + 130 + 200, st.rx_bytes);
	ASSERT_EQ(0, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_refill_returns_consumed_descriptors(void)
{
	uint8_t f[64] = { 1 };

	ASSERT_EQ(0, rx_setup(16));
	ASSERT_EQ(0, e1000_rx_refill(&rx)); /* nothing consumed: no tail write */
	ASSERT_EQ(1, dev.rdt_writes);
	ASSERT_EQ(3, dev_rx_n(f, sizeof(f), 3));
	ASSERT_EQ(3, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(3, e1000_rx_refill(&rx));
	ASSERT_EQ(2, reg(E1000_RDT)); /* next - 1: the device owns 15 again */
	ASSERT_EQ(2, dev.rdt_writes);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_wraps_around(void)
{
	uint8_t f[300];
	int i;

	ASSERT_EQ(0, rx_setup(8));
	for (i = 0; i < 50; i++) {
		frame_fill(f, 100 + (size_t)i, (unsigned)i);
		ASSERT(dev_rx(f, (uint16_t)(100 + i)));
		if (i % 3 == 2 || i == 49) {
			int before = nrx, n = e1000_rx_harvest(&rx, capture, NULL, 64);

			ASSERT_EQ(nrx - before, n);
			e1000_rx_refill(&rx);
		}
	}
	ASSERT_EQ(50, nrx);
	frame_fill(f, 149, 49);
	ASSERT_EQ(149, rx_len[49]);
	ASSERT_MEM_EQ(f, rx_data[49], 149);
	ASSERT_EQ(50, st.rx_frames);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_full_ring_stops_device_until_refill(void)
{
	uint8_t f[60] = { 0 };

	ASSERT_EQ(0, rx_setup(8));
	ASSERT_EQ(7, dev_rx_n(f, sizeof(f), 7));
	ASSERT_FALSE(dev_rx(f, sizeof(f))); /* RDH == RDT: no buffers */
	ASSERT_EQ(7, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_FALSE(dev_rx(f, sizeof(f))); /* harvested is not yet returned */
	ASSERT_EQ(7, e1000_rx_refill(&rx));
	ASSERT_EQ(7, dev_rx_n(f, sizeof(f), 7));
	ASSERT_FALSE(dev_rx(f, sizeof(f)));
	ASSERT_EQ(7, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_budget_is_respected(void)
{
	uint8_t f[60] = { 0 };

	ASSERT_EQ(0, rx_setup(16));
	ASSERT_EQ(5, dev_rx_n(f, sizeof(f), 5));
	ASSERT_EQ(2, e1000_rx_harvest(&rx, capture, NULL, 2));
	ASSERT_EQ(2, nrx);
	ASSERT_EQ(2, e1000_rx_refill(&rx));
	ASSERT_EQ(3, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(5, nrx);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_drops_bad_lengths(void)
{
	uint8_t f[BUF];

	frame_fill(f, sizeof(f), 3);
	ASSERT_EQ(0, rx_setup(16));
	ASSERT(dev_rx(f, 0));
	ASSERT(dev_rx(f, E1000_RX_MIN_LEN - 1));
	ASSERT(dev_rx(f, BUF + 1)); /* the device claims more than the buffer holds */
	ASSERT(dev_rx(f, 0xffff));
	ASSERT(dev_rx(f, E1000_RX_MIN_LEN));
	ASSERT(dev_rx(f, BUF));
	ASSERT_EQ(2, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(E1000_RX_MIN_LEN, rx_len[0]);
	ASSERT_EQ(BUF, rx_len[1]);
	ASSERT_MEM_EQ(f, rx_data[1], BUF);
	ASSERT_EQ(4, st.rx_bad_len);
	ASSERT_EQ(2, st.rx_frames);
	ASSERT_EQ(6, e1000_rx_refill(&rx)); /* dropped descriptors come back too */
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_drops_frames_without_eop(void)
{
	static uint8_t f[BUF];
	uint8_t dd = E1000_RXD_STAT_DD, eop = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;

	frame_fill(f, sizeof(f), 9);
	ASSERT_EQ(0, rx_setup(16));
	ASSERT(dev_rx_raw(f, BUF, dd, 0));      /* one frame over three buffers */
	ASSERT(dev_rx_raw(f, BUF, dd, 0));
	ASSERT(dev_rx_raw(f, 100, eop, 0));     /* its end: not a frame of its own */
	ASSERT(dev_rx_raw(f, BUF, dd, 0));      /* two-buffer frame, error on the end */
	ASSERT(dev_rx_raw(f, 50, eop, E1000_RXD_ERR_CE));
	ASSERT(dev_rx(f, 100));                 /* a good one */
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(100, rx_len[0]);
	ASSERT_MEM_EQ(f, rx_data[0], 100);
	ASSERT_EQ(2, st.rx_no_eop);
	ASSERT_EQ(0, st.rx_errors);
	ASSERT_FALSE(rx.discarding);
	/* a dropped frame may end in a later harvest */
	ASSERT(dev_rx_raw(NULL, BUF, dd, 0));
	ASSERT_EQ(0, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT(rx.discarding);
	ASSERT_EQ(2, dev_rx_n(f, 64, 2)); /* its end, then a good frame */
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(3, st.rx_no_eop);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_drops_error_bits(void)
{
	uint8_t f[64] = { 0 };
	unsigned bit;

	ASSERT_EQ(0, rx_setup(16));
	for (bit = 0; bit < 8; bit++)
		ASSERT(dev_rx_raw(f, 64, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, (uint8_t)(1U << bit)));
	ASSERT(dev_rx(f, 64));
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(8, st.rx_errors);
	ASSERT_EQ(1, st.rx_frames);
	PASS();
}

TEST rx_takes_only_owned_done_descriptors(void)
{
	uint8_t f[64] = { 0 };

	ASSERT_EQ(0, rx_setup(8));
	/* A device writing back out of order: DD on 1 while 0 is not done. */
	rx_desc(1)->length = 64;
	rx_desc(1)->status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	ASSERT_EQ(0, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(7, dev_rx_n(f, 64, 7));
	ASSERT_EQ(7, e1000_rx_harvest(&rx, capture, NULL, 64));
	/* Descriptor 7 was never handed over; a hostile device marks it done. */
	rx_desc(7)->length = 64;
	rx_desc(7)->status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	ASSERT_EQ(0, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(7, nrx);
	ASSERT_EQ(7, e1000_rx_refill(&rx)); /* and it is reset before reuse */
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST rx_ignores_address_written_by_device(void)
{
	uint8_t f[80];

	frame_fill(f, sizeof(f), 5);
	ASSERT_EQ(0, rx_setup(16));
	ASSERT(dev_rx(f, sizeof(f)));
	rx_desc(0)->addr = 0xdead0000ULL; /* garbage written back */
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_MEM_EQ(f, rx_data[0], sizeof(f)); /* from the driver's own buffer */
	ASSERT_EQ(1, e1000_rx_refill(&rx)); /* descriptor 0 is now the withheld one */
	ASSERT(dev_rx(f, sizeof(f)));
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(1, e1000_rx_refill(&rx)); /* hands 0 back: repaired first */
	ASSERT_EQ(DMA_BASE + RXB_OFF, rx_desc(0)->addr);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

/* A big ring takes consumed descriptors back a sixteenth at a time: one RDT write each. */
TEST rx_refill_waits_for_a_batch(void)
{
	uint8_t f[64] = { 0 };
	int writes, i;

	ASSERT_EQ(0, rx_setup(64));
	writes = dev.rdt_writes;
	for (i = 0; i < 3; i++) {
		ASSERT(dev_rx(f, sizeof(f)));
		ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
		ASSERT_EQ(0, e1000_rx_refill(&rx));
	}
	ASSERT_EQ(writes, dev.rdt_writes);
	ASSERT(dev_rx(f, sizeof(f)));
	ASSERT_EQ(1, e1000_rx_harvest(&rx, capture, NULL, 64));
	ASSERT_EQ(4, e1000_rx_refill(&rx));
	ASSERT_EQ(writes + 1, dev.rdt_writes);
	ASSERT_EQ(3, reg(E1000_RDT));
	ASSERT_DEVICE_HAPPY();
	PASS();
}

SUITE(e1000_rx)
{
	SET_SETUP(setup, NULL);
	RUN_TEST(rx_init_programs_ring);
	RUN_TEST(rx_init_rejects_bad_geometry);
	RUN_TEST(rx_delivers_frames_in_order);
	RUN_TEST(rx_refill_returns_consumed_descriptors);
	RUN_TEST(rx_refill_waits_for_a_batch);
	RUN_TEST(rx_wraps_around);
	RUN_TEST(rx_full_ring_stops_device_until_refill);
	RUN_TEST(rx_budget_is_respected);
	RUN_TEST(rx_drops_bad_lengths);
	RUN_TEST(rx_drops_frames_without_eop);
	RUN_TEST(rx_drops_error_bits);
	RUN_TEST(rx_takes_only_owned_done_descriptors);
	RUN_TEST(rx_ignores_address_written_by_device);
}

TEST tx_queue_fills_descriptor_and_tail(void)
{
	uint8_t f[100];

	frame_fill(f, sizeof(f), 1);
	ASSERT_EQ(-EINVAL, tx_setup(20));
	ASSERT_EQ(0, tx_setup(32));
	ASSERT_EQ(DMA_BASE + TXD_OFF, ring_base(E1000_TDBAL, E1000_TDBAH));
	ASSERT_EQ(32 * 16, reg(E1000_TDLEN));
	ASSERT_EQ(0, reg(E1000_TDH) | reg(E1000_TDT));
	ASSERT_EQ(31, e1000_tx_free(&tx));
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(DMA_BASE + TXB_OFF, tx_desc(0)->addr);
	ASSERT_EQ(100, tx_desc(0)->length);
	ASSERT_EQ(E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, tx_desc(0)->cmd);
	ASSERT_EQ(0, reg(E1000_TDT)); /* not handed over before the kick */
	ASSERT_EQ(0, dev_tx(64));
	e1000_tx_kick(&tx);
	ASSERT_EQ(1, reg(E1000_TDT));
	ASSERT_EQ(1, e1000_tx_pending(&tx));
	ASSERT_EQ(1, dev_tx(64));
	ASSERT_EQ(100, dev.sent_len[0]);
	ASSERT_MEM_EQ(f, dev.sent[0], 100);
	ASSERT_EQ(1, e1000_tx_reap(&tx));
	ASSERT_EQ(0, e1000_tx_pending(&tx));
	ASSERT_EQ(1, st.tx_frames);
	ASSERT_EQ(100, st.tx_bytes);
	ASSERT_EQ(1, st.tx_done);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST tx_pads_short_frames(void)
{
	uint8_t f[20];
	uint8_t zeros[E1000_TX_MIN_FRAME] = { 0 };

	frame_fill(f, sizeof(f), 2);
	memset(dev.mem + TXB_OFF, 0xaa, BUF); /* stale bytes in the slot */
	ASSERT_EQ(0, tx_setup(8));
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	e1000_tx_kick(&tx);
	ASSERT_EQ(1, dev_tx(64));
	ASSERT_EQ(E1000_TX_MIN_FRAME, dev.sent_len[0]);
	ASSERT_MEM_EQ(f, dev.sent[0], sizeof(f));
	ASSERT_MEM_EQ(zeros, dev.sent[0] + sizeof(f), E1000_TX_MIN_FRAME - sizeof(f));
	ASSERT_EQ(20, st.tx_bytes); /* the caller's bytes, not the padding */
	PASS();
}

TEST tx_rejects_bad_lengths(void)
{
	static uint8_t big[BUF + 1];

	ASSERT_EQ(0, tx_setup(8));
	ASSERT_EQ(-EINVAL, e1000_tx_queue(&tx, big, 0));
	ASSERT_EQ(-EINVAL, e1000_tx_queue(&tx, big, BUF + 1));
	ASSERT_EQ(-EINVAL, e1000_tx_queue(&tx, NULL, 60));
	ASSERT_EQ(0, e1000_tx_queue(&tx, big, BUF));
	e1000_tx_kick(&tx);
	e1000_tx_kick(&tx); /* nothing new: no write */
	ASSERT_EQ(3, st.tx_bad_len);
	ASSERT_EQ(1, dev.tdt_writes - 1); /* one for init, one for the good frame */
	PASS();
}

TEST tx_full_ring_refuses_until_reaped(void)
{
	uint8_t f[60] = { 0 };
	int i;

	ASSERT_EQ(0, tx_setup(8));
	for (i = 0; i < 7; i++)
		ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(0, e1000_tx_free(&tx));
	ASSERT_EQ(-ENOSPC, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(1, st.tx_full);
	ASSERT_EQ(7, reg(E1000_TDT)); /* kicked when full; TDT never catches up with TDH */
	ASSERT_EQ(3, dev_tx(3));
	/* queue reaps for itself when the ring looks full */
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	e1000_tx_kick(&tx);
	ASSERT_EQ(0, reg(E1000_TDT));
	ASSERT_EQ(2, e1000_tx_free(&tx));
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST tx_wraps_around(void)
{
	uint8_t f[60 + 50 * 9];
	int i, sent = 0;

	ASSERT_EQ(0, tx_setup(8));
	for (i = 0; i < 50; i++) {
		frame_fill(f, 60 + (size_t)i * 9, (unsigned)i);
		ASSERT_EQ(0, e1000_tx_queue(&tx, f, 60 + (size_t)i * 9));
		if (i % 4 == 3 || i == 49) {
			e1000_tx_kick(&tx);
			sent += dev_tx(64);
			e1000_tx_reap(&tx);
			ASSERT_EQ(60 + (size_t)i * 9, dev.sent_len[(sent - 1) % MAX_SENT]);
			ASSERT_MEM_EQ(f, dev.sent[(sent - 1) % MAX_SENT], dev.sent_len[(sent - 1) % MAX_SENT]);
		}
	}
	ASSERT_EQ(50, sent);
	ASSERT_EQ(50 % 8, reg(E1000_TDT));
	ASSERT_EQ(0, e1000_tx_pending(&tx));
	ASSERT_EQ(50, st.tx_done);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

/* Bursts reach the device every E1000_TX_KICK_BATCH frames without a kick. */
TEST tx_kicks_itself_every_batch(void)
{
	uint8_t f[60] = { 0 };
	uint32_t writes;
	int i;

	ASSERT_EQ(0, tx_setup(64));
	writes = dev.tdt_writes;
	for (i = 0; i < 3 * E1000_TX_KICK_BATCH + 5; i++)
		ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(3, dev.tdt_writes - writes);
	ASSERT_EQ(3 * E1000_TX_KICK_BATCH, reg(E1000_TDT));
	e1000_tx_kick(&tx);
	ASSERT_EQ(4, dev.tdt_writes - writes);
	ASSERT_EQ(3 * E1000_TX_KICK_BATCH + 5, dev_tx(200));
	ASSERT_EQ(3 * E1000_TX_KICK_BATCH + 5, e1000_tx_reap(&tx));
	ASSERT_DEVICE_HAPPY();
	PASS();
}

static void *done_order[16];
static int ndone;

static void ref_done(void *ctx, void *cookie)
{
	(void)ctx;
	if (ndone < 16)
		done_order[ndone] = cookie;
	ndone++;
}

/* Frames sent in place: the device reads the caller's memory, done() gives it back in order. */
TEST tx_ref_frames_are_sent_in_place_and_given_back(void)
{
	static void *cookies[8];
	uint8_t f[100];
	uint8_t *mine = dev.mem + SPARE_OFF;
	int a, b, c;

	ndone = 0;
	frame_fill(f, sizeof(f), 5);
	ASSERT_EQ(0, tx_setup(8));
	ASSERT_EQ(-EOPNOTSUPP, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 100, &a));
	e1000_tx_use_refs(&tx, cookies, ref_done, NULL);
	frame_fill(mine, 300, 9);
	ASSERT_EQ(-EINVAL, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 59, &a));
	ASSERT_EQ(-EINVAL, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, E1000_TX_MAX_LEN + 1, &a));
	ASSERT_EQ(-EINVAL, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 100, NULL));
	ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 300, &a));
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f))); /* copied frames mix in */
	ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF + 8, 64, &b));
	e1000_tx_kick(&tx);
	ASSERT_EQ(DMA_BASE + SPARE_OFF, tx_desc(0)->addr);
	ASSERT_EQ(2, dev_tx(2));
	ASSERT_MEM_EQ(mine, dev.sent[0], 300);
	ASSERT_MEM_EQ(f, dev.sent[1], 100);
	ASSERT_EQ(2, e1000_tx_reap(&tx));
	ASSERT_EQ(1, ndone);
	ASSERT_EQ(&a, done_order[0]);
	ASSERT_EQ(1, dev_tx(1));
	ASSERT_MEM_EQ(mine + 8, dev.sent[2], 64);
	ASSERT_EQ(1, e1000_tx_reap(&tx));
	ASSERT_EQ(2, ndone);
	ASSERT_EQ(&b, done_order[1]);
	/* queued but never sent: a reset gives them back too, exactly once */
	ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 60, &c));
	ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 60, &a));
	e1000_tx_release(&tx);
	ASSERT_EQ(4, ndone);
	ASSERT_EQ(&c, done_order[2]);
	ASSERT_EQ(&a, done_order[3]);
	ASSERT_EQ(0, e1000_tx_pending(&tx));
	ASSERT_EQ(0, e1000_tx_reap(&tx));
	ASSERT_EQ(4, ndone);
	ASSERT_EQ(3, st.tx_bad_len);
	PASS();
}

/* A full ring of frames by reference refuses more until the device sends some. */
TEST tx_ref_full_ring(void)
{
	static void *cookies[8];
	int i, token[8];

	ndone = 0;
	ASSERT_EQ(0, tx_setup(8));
	e1000_tx_use_refs(&tx, cookies, ref_done, NULL);
	for (i = 0; i < 7; i++)
		ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 60, &token[i]));
	ASSERT_EQ(-ENOSPC, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 60, &token[7]));
	ASSERT_EQ(0, ndone);
	ASSERT_EQ(7, reg(E1000_TDT)); /* the full ring was handed over */
	ASSERT_EQ(3, dev_tx(3));
	ASSERT_EQ(0, e1000_tx_queue_ref(&tx, DMA_BASE + SPARE_OFF, 60, &token[7]));
	ASSERT_EQ(3, ndone);
	ASSERT_EQ(&token[0], done_order[0]);
	ASSERT_EQ(&token[2], done_order[2]);
	ASSERT_DEVICE_HAPPY();
	PASS();
}

TEST tx_reaps_in_order_only(void)
{
	uint8_t f[60] = { 0 };

	ASSERT_EQ(0, tx_setup(8));
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	tx_desc(1)->status = E1000_TXD_STAT_DD; /* out of order write-back */
	ASSERT_EQ(0, e1000_tx_reap(&tx));
	ASSERT_EQ(2, e1000_tx_pending(&tx));
	tx_desc(0)->status = E1000_TXD_STAT_DD;
	ASSERT_EQ(2, e1000_tx_reap(&tx));
	/* DD on slots never queued means nothing */
	tx_desc(5)->status = E1000_TXD_STAT_DD;
	ASSERT_EQ(0, e1000_tx_reap(&tx));
	ASSERT_EQ(0, e1000_tx_pending(&tx));
	PASS();
}

SUITE(e1000_tx)
{
	SET_SETUP(setup, NULL);
	RUN_TEST(tx_queue_fills_descriptor_and_tail);
	RUN_TEST(tx_kicks_itself_every_batch);
	RUN_TEST(tx_ref_frames_are_sent_in_place_and_given_back);
	RUN_TEST(tx_ref_full_ring);
	RUN_TEST(tx_pads_short_frames);
	RUN_TEST(tx_rejects_bad_lengths);
	RUN_TEST(tx_full_ring_refuses_until_reaped);
	RUN_TEST(tx_wraps_around);
	RUN_TEST(tx_reaps_in_order_only);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(e1000_rx);
	RUN_SUITE(e1000_tx);
	GREATEST_MAIN_END();
}
