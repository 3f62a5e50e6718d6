/*
 * libFuzzer target: the migration stream decoder (migrate/stream.c), as a
 * destination would meet a hostile or broken peer.
 *
 * The first byte picks the mode: even, the rest is the stream, fed in
 * chunks whose sizes come from the input too; odd, the rest is XORed over
 * a valid stream (header, a batch, a batch of deltas, state, end) with every record's CRC
 * recomputed, so the checks behind the checksums are reached. Whatever the
 * input, the decoder must never hand on a frame past the guest's RAM or a
 * page it has not checked, never deliver the end twice, and stay failed
 * once it has failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crc32.h"
#include "migrate/stream.h"
#include "tests/fuzz/fuzz_check.h"

#define FRAMES 16

static struct mstream_dec dec;
static uint8_t wire[3 * MSTREAM_RECORD_MAX];
static uint8_t page[MSTREAM_PAGE_SIZE];
static uint64_t frames;
static int ends;

static int on_header(void *ctx, const struct mstream_header *h)
{
	CHECK(h->frames && h->frames <= MSTREAM_FRAMES_MAX);
	CHECK(memchr(h->guest, 0, sizeof(h->guest)) && memchr(h->host, 0, sizeof(h->host)));
	frames = h->frames;
	return 0;
}

static int on_page(void *ctx, uint64_t frame, const void *data)
{
	CHECK(frame < frames);
	return 0;
}

static int on_state(void *ctx, const uint8_t *rec, size_t len)
{
	CHECK(len <= GUEST_STATE_ENCODED_MAX);
	return 0;
}

static int on_end(void *ctx, const struct mstream_end *e)
{
	CHECK(++ends == 1);
	return 0;
}

/* A delta handed on must be one delta_apply accepts, for a frame in range. */
static int on_delta(void *ctx, uint64_t frame, const uint8_t *enc, size_t len)
{
	static uint8_t copy[MSTREAM_PAGE_SIZE];

	CHECK(frame < frames);
	CHECK(len >= 1 && len <= DELTA_MAX);
	CHECK(delta_apply(copy, enc, len) == 0);
	return 0;
}

static const struct mstream_ops ops = { on_header, on_page, on_state, on_end, NULL, on_delta };

/* A valid stream: header, a batch of FRAMES pages (every third zero), a batch of two deltas, state, end. */
static size_t valid_stream(void)
{
	struct mstream_header h = { "src", "guest", FRAMES };
	struct mstream_end e = { FRAMES + 2, 0 };
	struct mstream_batch b;
	static const uint8_t rec[40] = { 1, 2, 3 };
	size_t len;
	int f;

	memset(page, 0x5a, sizeof(page));
	len = (size_t)mstream_put_header(wire, sizeof(wire), &h);
	mstream_batch_begin(&b, wire + len, MSTREAM_RECORD_MAX, 0);
	for (f = 0; f < FRAMES; f++)
		mstream_batch_add(&b, (uint64_t)f, f % 3 ? page : NULL);
	len += mstream_batch_end(&b);
	/* a round of deltas: a few bytes of frames 1 and 2 */
	mstream_batch_begin(&b, wire + len, MSTREAM_RECORD_MAX, 1);
	mstream_batch_add_delta(&b, 1, (const uint8_t[]){ 10, 2, 0x11, 0x22 }, 4);
	mstream_batch_add_delta(&b, 2, (const uint8_t[]){ 0, 1, 0x33, 0x80, 0x01, 1, 0x44 }, 7);
	len += mstream_batch_end(&b);
	len += (size_t)mstream_put_state(wire + len, sizeof(wire) - len, rec, sizeof(rec));
	len += (size_t)mstream_put_end(wire + len, sizeof(wire) - len, &e);
	return len;
}

/* Recompute every record's CRC after the input was XORed in. */
static void reseal(size_t len)
{
	size_t at = 0;

	while (at + MSTREAM_FRAME_HEAD + MSTREAM_FRAME_TAIL <= len) {
		uint32_t n = wire[at + 4] | wire[at + 5] << 8 | (uint32_t)wire[at + 6] << 16 |
			     (uint32_t)wire[at + 7] << 24;
		size_t end = at + MSTREAM_FRAME_HEAD + n;
		uint32_t crc;

		if (n > len || end + MSTREAM_FRAME_TAIL > len)
			return;
		crc = crc32_update(0, wire + at, MSTREAM_FRAME_HEAD + n);
		memcpy(wire + end, &crc, 4);
		at = end + MSTREAM_FRAME_TAIL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, at = 0, i;
	int rc = 0;

	if (size < 2)
		return 0;
	frames = 0;
	ends = 0;
	mstream_dec_init(&dec, &ops);
	if (data[0] & 1) {
		len = valid_stream();
		for (i = 2; i < size && i - 2 < len; i++)
			wire[i - 2] ^= data[i];
		reseal(len);
	} else {
		len = MIN(size - 2, sizeof(wire));
		memcpy(wire, data + 2, len);
	}
	while (at < len && !rc) {
		size_t n = MIN(len - at, (size_t)data[1] + 1 + at % 5000);

		rc = mstream_feed(&dec, wire + at, n);
		at += n;
	}
	if (rc) {
		CHECK(dec.err[0] && dec.phase == MSTREAM_FAILED);
		CHECK(mstream_feed(&dec, wire, 1) < 0);
	}
	return 0;
}
