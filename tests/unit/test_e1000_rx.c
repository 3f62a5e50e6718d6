/*
 * Unit tests for the receive side of net/e1000_ring.c: ring setup, frame
 * delivery, refill and the frames a driver must drop, against the fake
 * device in e1000_fake.h.
 */
#include "e1000_fake.h"

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

/* Init (and the refill after a frame) clear every descriptor field the
 * device writes back, whatever the memory held. */
TEST rx_init_clears_dirty_descriptors(void)
{
	uint32_t i;

	memset(dev.mem + RXD_OFF, 0xff, 16 * sizeof(struct e1000_rx_desc));
	ASSERT_EQ(0, rx_setup(16));
	for (i = 0; i < 16; i++) {
		struct e1000_rx_desc *d = rx_desc(i);

		ASSERT_EQ(DMA_BASE + RXB_OFF + (uint64_t)i * BUF, d->addr);
		ASSERT(!d->length && !d->csum && !d->status && !d->errors && !d->special);
	}
	PASS();
}

/* Without a callback frames are counted and dropped. */
TEST rx_harvest_without_callback(void)
{
	uint8_t f[80];

	frame_fill(f, sizeof(f), 3);
	ASSERT_EQ(0, rx_setup(16));
	ASSERT(dev_rx(f, sizeof(f)));
	ASSERT(dev_rx(f, sizeof(f)));
	ASSERT_EQ(2, e1000_rx_harvest(&rx, NULL, NULL, 64));
	ASSERT_EQ(2, st.rx_frames);
	ASSERT_EQ(0, nrx);
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
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(rx_init_clears_dirty_descriptors);
		RUN_TEST(rx_harvest_without_callback);
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
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(e1000_rx);
	});
	GREATEST_MAIN_END();
}
