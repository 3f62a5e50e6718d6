/*
 * Unit tests for the transmit side of net/e1000_ring.c: queueing, kicks,
 * reaping and frames sent in place, against the fake device in
 * e1000_fake.h.
 */
#include <stdlib.h>

#include "e1000_fake.h"

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
	/* the padding stops at the minimum frame: the rest of the slot is untouched */
	ASSERT_EQ(0xaa, dev.mem[TXB_OFF + E1000_TX_MIN_FRAME]);
	PASS();
}

/* Init clears whatever the descriptor memory held, and a posted
 * descriptor carries no checksum offload request (CSO, CSS 0). */
TEST tx_init_and_post_on_dirty_descriptors(void)
{
	uint8_t f[100];
	uint32_t i;

	memset(dev.mem + TXD_OFF, 0xff, 9 * sizeof(struct e1000_tx_desc));
	ASSERT_EQ(0, tx_setup(8));
	ASSERT_EQ(0xff, tx_desc(8)->status); /* the memory past the ring is not the driver's */
	for (i = 0; i < 8; i++) {
		struct e1000_tx_desc *d = tx_desc(i);

		ASSERT_EQ(DMA_BASE + TXB_OFF + (uint64_t)i * BUF, d->addr);
		ASSERT(!d->length && !d->cso && !d->cmd && !d->status && !d->css && !d->special);
	}
	memset(dev.mem + TXD_OFF, 0xff, 8 * sizeof(struct e1000_tx_desc));
	frame_fill(f, sizeof(f), 5);
	ASSERT_EQ(0, e1000_tx_queue(&tx, f, sizeof(f)));
	ASSERT_EQ(sizeof(f), tx_desc(0)->length);
	ASSERT(!tx_desc(0)->cso && !tx_desc(0)->css && !tx_desc(0)->special &&
	       !tx_desc(0)->status);
	PASS();
}

/* Buffers from the minimum frame to 16 KiB are accepted, no further. */
TEST tx_init_buffer_size_bounds(void)
{
	static const uint32_t ok[] = { E1000_TX_MIN_FRAME, BUF };
	static const uint32_t bad[] = { E1000_TX_MIN_FRAME - 1, 16385 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		ASSERT_EQ(0, e1000_tx_init(&tx, &ops, dev.mem + TXD_OFF, DMA_BASE + TXD_OFF,
					   dev.mem + TXB_OFF, DMA_BASE + TXB_OFF, 8, ok[i], &st));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(-EINVAL, e1000_tx_init(&tx, &ops, dev.mem + TXD_OFF, DMA_BASE + TXD_OFF,
						 dev.mem + TXB_OFF, DMA_BASE + TXB_OFF, 8, bad[i],
						 &st));
	/* 16 KiB itself (8 of them fit the fake's buffer window) */
	ASSERT_EQ(0, e1000_tx_init(&tx, &ops, dev.mem + TXD_OFF, DMA_BASE + TXD_OFF,
				   dev.mem + TXB_OFF, DMA_BASE + TXB_OFF, 8, 16384, &st));
	PASS();
}

/* Every cookie slot, the last included, starts empty. */
TEST tx_use_refs_clears_every_cookie(void)
{
	void **cookies = malloc(8 * sizeof(*cookies));
	size_t i;

	ASSERT(cookies);
	for (i = 0; i < 8; i++)
		cookies[i] = &dev;
	ASSERT_EQ(0, tx_setup(8));
	e1000_tx_use_refs(&tx, cookies, NULL, NULL);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(NULL, cookies[i]);
	e1000_tx_use_refs(&tx, NULL, NULL, NULL);
	free(cookies);
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
	SHUFFLED_TESTS({
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
		RUN_TEST(tx_init_and_post_on_dirty_descriptors);
		RUN_TEST(tx_init_buffer_size_bounds);
		RUN_TEST(tx_use_refs_clears_every_cookie);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(e1000_tx);
	});
	GREATEST_MAIN_END();
}
