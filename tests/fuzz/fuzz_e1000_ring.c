/*
 * libFuzzer target: the e1000 descriptor rings against a hostile device.
 * Everything a device can write (descriptor status, length, errors,
 * address, checksum, special; its head registers) comes from the input,
 * interleaved with the driver's harvest, refill, queue, reap and ring
 * re-initialisation.
 *
 * Buffers and descriptor rings are separate heap blocks of exactly their
 * size, so the sanitizer flags any read or write beyond them. After every
 * step the target asserts: every frame handed up lies inside one buffer
 * slot and is at least a header long; ring indices stay inside the ring;
 * each tail written is inside the ring; the driver never owns more than
 * the ring holds; counters add up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/e1000_ring.h"
#include "tests/fuzz/fuzz_check.h"

#define DMA_RX_DESC 0x10000000ULL
#define DMA_RX_BUF 0x20000000ULL
#define DMA_TX_DESC 0x30000000ULL
#define DMA_TX_BUF 0x40000000ULL
#define NREGS (0x6000 / 4)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint32_t regs[NREGS];
static struct e1000_ring_stats st;
static struct e1000_rx_ring rx;
static struct e1000_tx_ring tx;
static uint8_t *rx_desc, *tx_desc, *rx_buf, *tx_buf;
static uint32_t rx_count, tx_count, rx_size, tx_size;
static bool rx_ok, tx_ok;
static uint64_t delivered;
static volatile uint8_t sink;

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- && in->n) {
		v = v << 8 | *in->p++;
		in->n--;
	}
	return v;
}

static uint32_t fake_read32(void *ctx, uint32_t r)
{
	(void)ctx;
	CHECK(r % 4 == 0 && r / 4 < NREGS);
	return regs[r / 4];
}

static void fake_write32(void *ctx, uint32_t r, uint32_t v)
{
	(void)ctx;
	CHECK(r % 4 == 0 && r / 4 < NREGS);
	if (r == E1000_RDT)
		CHECK(v < rx_count);
	if (r == E1000_TDT)
		CHECK(v < tx_count);
	regs[r / 4] = v;
}

static const struct e1000_reg_ops ops = { fake_read32, fake_write32, NULL };

/* The stack's side: touch every byte so an out-of-bounds frame is caught. */
static void deliver(void *ctx, const void *frame, size_t len)
{
	const uint8_t *f = frame;
	size_t off = (size_t)(f - rx_buf), i;
	uint8_t sum = 0;

	(void)ctx;
	CHECK(f >= rx_buf && off < (size_t)rx_count * rx_size);
	CHECK(off % rx_size == 0);
	CHECK(len >= E1000_RX_MIN_LEN && len <= rx_size);
	for (i = 0; i < len; i++)
		sum ^= f[i];
	sink ^= sum;
	delivered++;
}

static void rings_free(void)
{
	free(rx_desc);
	free(tx_desc);
	free(rx_buf);
	free(tx_buf);
	rx_desc = tx_desc = rx_buf = tx_buf = NULL;
}

/* Ring sizes mostly valid, sometimes not: init must refuse those. */
static void rings_init(struct input *in)
{
	static const uint32_t counts[] = { 8, 16, 24, 64, 12, 0 };
	static const uint32_t sizes[] = { 2048, 256, 1024, 4096, 1536, 100 };
	uint8_t b = (uint8_t)take(in, 1);
	uint32_t rc = counts[b % 6], rs = sizes[(b >> 3) % 6];
	uint32_t tc = counts[(b >> 1) % 6], ts = sizes[(b >> 5) % 6];

	rings_free();
	/* +1 so a zero-sized ring still has a distinct block */
	rx_desc = calloc(1, (size_t)rc * 16 + 1);
	tx_desc = calloc(1, (size_t)tc * 16 + 1);
	rx_buf = calloc(1, (size_t)rc * rs + 1);
	tx_buf = calloc(1, (size_t)tc * ts + 1);
	CHECK(rx_desc && tx_desc && rx_buf && tx_buf);
	rx_count = rc;
	tx_count = tc;
	rx_ok = e1000_rx_init(&rx, &ops, rx_desc, DMA_RX_DESC, rx_buf, DMA_RX_BUF, rc, rs, &st) == 0;
	tx_ok = e1000_tx_init(&tx, &ops, tx_desc, DMA_TX_DESC, tx_buf, DMA_TX_BUF, tc, ts, &st) == 0;
	CHECK(rx_ok == (rc && rc % 8 == 0 && rs >= 256 && !(rs & (rs - 1))));
	CHECK(tx_ok == (tc && tc % 8 == 0 && ts >= 60));
	rx_size = rs;
	tx_size = ts;
	if (rx_ok)
		CHECK(regs[E1000_RDT / 4] == rc - 1 && regs[E1000_RDLEN / 4] == rc * 16);
}

/* The device scribbles over one descriptor (or the whole write-back). */
static void device_write(struct input *in, uint8_t *ring, uint32_t count)
{
	uint32_t i;
	uint8_t *d;

	if (!count)
		return;
	i = (uint32_t)take(in, 1) % count;
	d = ring + (size_t)i * 16;
	switch (take(in, 1) & 3) {
	case 0: /* status and errors only */
		d[12] = (uint8_t)take(in, 1);
		d[13] = (uint8_t)take(in, 1);
		break;
	case 1: /* a plausible write-back with any length */
		d[8] = (uint8_t)take(in, 1);
		d[9] = (uint8_t)take(in, 1);
		d[12] = E1000_RXD_STAT_DD | (take(in, 1) & 1 ? E1000_RXD_STAT_EOP : 0);
		d[13] = take(in, 1) & 0x10 ? 0x80 : 0;
		break;
	default: /* all sixteen bytes */
		for (unsigned k = 0; k < 16; k++)
			d[k] = (uint8_t)take(in, 1);
		break;
	}
}

static void check_invariants(void)
{
	if (rx_ok) {
		CHECK(rx.next < rx.count && rx.tail < rx.count);
		CHECK(st.rx_frames == delivered);
	}
	if (tx_ok) {
		CHECK(tx.tail < tx.count && tx.clean < tx.count);
		CHECK(e1000_tx_pending(&tx) <= tx.count - 1);
		CHECK(e1000_tx_free(&tx) + e1000_tx_pending(&tx) == tx.count - 1);
		CHECK(st.tx_done <= st.tx_frames);
	}
}

static void step(struct input *in, uint8_t *frame)
{
	uint8_t op = (uint8_t)take(in, 1);
	size_t len;

	switch (op % 8) {
	case 0:
	case 1:
		device_write(in, rx_desc, rx_ok ? rx_count : 0);
		break;
	case 2:
		device_write(in, tx_desc, tx_ok ? tx_count : 0);
		break;
	case 3:
		if (rx_ok)
			e1000_rx_harvest(&rx, deliver, NULL, (int)(take(in, 1) % 40));
		break;
	case 4:
		if (rx_ok)
			CHECK(e1000_rx_refill(&rx) < rx.count);
		break;
	case 5:
		len = (size_t)take(in, 2) % 4200;
		if (tx_ok) {
			int rc = e1000_tx_queue(&tx, frame, len);

			CHECK(rc == 0 || rc == -EINVAL || rc == -ENOSPC);
			CHECK(rc != -EINVAL || len == 0 || len > tx_size);
		}
		break;
	case 6:
		if (tx_ok) {
			if (op & 0x40)
				e1000_tx_kick(&tx);
			e1000_tx_reap(&tx);
		}
		break;
	default:
		if (op & 0x80)
			rings_init(in);
		break;
	}
	check_invariants();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[4200];
	struct input in = { data, size };

	memset(regs, 0, sizeof(regs));
	memset(&st, 0, sizeof(st));
	memset(frame, 0x5a, sizeof(frame));
	delivered = 0;
	rings_init(&in);
	while (in.n)
		step(&in, frame);
	rings_free();
	return 0;
}
