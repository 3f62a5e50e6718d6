/*
 * Unit tests for migrate/stream.c: the migration stream's encoder and
 * decoder. A stream is built the way a sender would (header, batches,
 * state, end) and fed back in chunks of every size; then the decoder
 * must refuse each kind of malformed input, delivering nothing of a
 * record that fails its checks.
 */
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/crc32.h"
#include "migrate/stream.h"

#define FRAMES 64

static uint8_t wire[4 * MSTREAM_RECORD_MAX];
static size_t wire_len;
static uint8_t pages[FRAMES][MSTREAM_PAGE_SIZE];
static uint8_t state_rec[300];
static struct mstream_dec dec;

/* What the receiver saw. */
static struct {
	int headers, states, ends, pages, deltas;
	uint64_t frames;
	char host[MSTREAM_HOST_MAX];
	char guest[GUEST_NAME_MAX];
	uint8_t mem[FRAMES][MSTREAM_PAGE_SIZE];
	bool seen[FRAMES];
	size_t state_len;
	struct mstream_end end;
} rx;

static int on_header(void *ctx, const struct mstream_header *h)
{
	rx.headers++;
	rx.frames = h->frames;
	memcpy(rx.host, h->host, sizeof(rx.host));
	memcpy(rx.guest, h->guest, sizeof(rx.guest));
	return 0;
}

static int on_page(void *ctx, uint64_t frame, const void *data)
{
	if (frame >= FRAMES)
		abort(); /* the decoder must have refused it */
	if (data)
		memcpy(rx.mem[frame], data, MSTREAM_PAGE_SIZE);
	else
		memset(rx.mem[frame], 0, MSTREAM_PAGE_SIZE);
	rx.seen[frame] = true;
	rx.pages++;
	return 0;
}

static int on_state(void *ctx, const uint8_t *rec, size_t len)
{
	rx.states++;
	rx.state_len = len;
	return memcmp(rec, state_rec, len) ? -EINVAL : 0;
}

static int on_end(void *ctx, const struct mstream_end *e)
{
	rx.ends++;
	rx.end = *e;
	return 0;
}

static int on_delta(void *ctx, uint64_t frame, const uint8_t *enc, size_t len)
{
	if (frame >= FRAMES || !rx.seen[frame])
		abort(); /* the test sends deltas only for pages it sent */
	rx.deltas++;
	return delta_apply(rx.mem[frame], enc, len);
}

static const struct mstream_ops ops = { on_header, on_page, on_state, on_end, NULL, on_delta };

static void fill_pages(void)
{
	int f, i;

	for (f = 0; f < FRAMES; f++)
		for (i = 0; i < (int)MSTREAM_PAGE_SIZE; i++)
			pages[f][i] = (f % 5 == 0) ? 0 : (uint8_t)(f * 31 + i * 7);
	for (i = 0; i < (int)sizeof(state_rec); i++)
		state_rec[i] = (uint8_t)(i * 13);
}

static size_t put_batch(uint8_t *out, int first, int count, uint32_t round)
{
	struct mstream_batch b;
	int f;

	mstream_batch_begin(&b, out, MSTREAM_RECORD_MAX, round);
	for (f = first; f < first + count; f++)
		if (mstream_batch_add(&b, (uint64_t)f, mstream_page_is_zero(pages[f]) ? NULL : pages[f]))
			return 0;
	return mstream_batch_end(&b);
}

/* Header, every frame in two batches (the second re-sends frames 0-9), state, end. */
static void build_stream(void)
{
	struct mstream_header h = { "source-hv", "wl", FRAMES };
	struct mstream_end e = { 0, 0 };
	int f;

	fill_pages();
	wire_len = (size_t)mstream_put_header(wire, sizeof(wire), &h);
	wire_len += put_batch(wire + wire_len, 0, 40, 0);
	wire_len += put_batch(wire + wire_len, 40, 24, 0);
	wire_len += put_batch(wire + wire_len, 0, 10, 1);
	wire_len += (size_t)mstream_put_state(wire + wire_len, sizeof(wire) - wire_len,
						state_rec, sizeof(state_rec));
	for (f = 0; f < FRAMES; f++)
		e.digest = mstream_digest(e.digest, (uint64_t)f, pages[f]);
	e.pages_sent = 74;
	wire_len += (size_t)mstream_put_end(wire + wire_len, sizeof(wire) - wire_len, &e);
}

static void setup(void *arg)
{
	(void)arg;
	memset(&rx, 0, sizeof(rx));
	build_stream();
	mstream_dec_init(&dec, &ops);
}

/* Feed the stream in chunks of chunk bytes (0: random sizes). */
static int feed_in_chunks(size_t len, size_t chunk)
{
	size_t at = 0;
	int rc = 0;

	srand(7);
	while (at < len && !rc) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 9000;

		n = n > len - at ? len - at : n;
		rc = mstream_feed(&dec, wire + at, n);
		at += n;
	}
	return rc;
}

static enum greatest_test_res check_arrived(void)
{
	uint64_t digest = 0;
	int f;

	ASSERT_EQ(MSTREAM_DONE, dec.phase);
	ASSERT_EQ(1, rx.headers);
	ASSERT_EQ(1, rx.states);
	ASSERT_EQ(1, rx.ends);
	ASSERT_EQ(74, rx.pages);
	ASSERT_EQ((uint64_t)FRAMES, rx.frames);
	ASSERT_STR_EQ("wl", rx.guest);
	ASSERT_EQ(sizeof(state_rec), rx.state_len);
	for (f = 0; f < FRAMES; f++) {
		ASSERT(rx.seen[f]);
		ASSERT_MEM_EQ(pages[f], rx.mem[f], MSTREAM_PAGE_SIZE);
		digest = mstream_digest(digest, (uint64_t)f, rx.mem[f]);
	}
	ASSERT_EQ(rx.end.digest, digest);
	PASS();
}

TEST round_trip_in_chunks_of_every_size(void)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 8, 9, 4096, 4105, 65536, 0 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		setup(NULL);
		ASSERTm(dec.err, feed_in_chunks(wire_len, sizes[i]) == 0);
		CHECK_CALL(check_arrived());
	}
	PASS();
}

TEST zero_pages_travel_as_bare_records(void)
{
	/* 64 frames, 13 of them zero (f % 5 == 0): 13 fewer pages of data */
	size_t data_pages = 74 - 13 - 2; /* frames 0 and 5 are zero in the re-sent batch too */

	ASSERT(wire_len < (data_pages + 1) * (MSTREAM_PAGE_SIZE + MSTREAM_PAGE_HEAD) + 1024);
	ASSERT(mstream_page_is_zero(pages[0]));
	ASSERT_FALSE(mstream_page_is_zero(pages[1]));
	PASS();
}

TEST truncated_stream_is_not_done(void)
{
	ASSERT_EQ(0, feed_in_chunks(wire_len - 1, 1000));
	ASSERT(dec.phase != MSTREAM_DONE);
	ASSERT_EQ(0, rx.ends);
	PASS();
}

/* Every single-byte corruption is refused, and nothing of the bad record arrives. */
TEST every_flipped_byte_is_refused(void)
{
	size_t i;

	for (i = 0; i < wire_len; i += 97) {
		setup(NULL);
		wire[i] ^= 0x10;
		ASSERT(feed_in_chunks(wire_len, 4000) < 0);
		ASSERT(dec.err[0]);
		ASSERT_EQ(0, rx.ends);
		ASSERT_EQ(-EPROTO, mstream_feed(&dec, wire, 1)); /* stays failed */
	}
	PASS();
}

/* Patch bytes at at (a record's payload), re-seal its CRC, feed: refused with why. */
static enum greatest_test_res refused(size_t rec_at, size_t off, const void *bytes, size_t n,
				      const char *why)
{
	uint32_t len = wire[rec_at + 4] | wire[rec_at + 5] << 8 |
		       (uint32_t)wire[rec_at + 6] << 16 | (uint32_t)wire[rec_at + 7] << 24;
	uint32_t crc;
	size_t end = rec_at + MSTREAM_FRAME_HEAD + len;

	memcpy(wire + rec_at + off, bytes, n);
	crc = crc32_update(0, wire + rec_at, MSTREAM_FRAME_HEAD + len);
	wire[end] = (uint8_t)crc;
	wire[end + 1] = (uint8_t)(crc >> 8);
	wire[end + 2] = (uint8_t)(crc >> 16);
	wire[end + 3] = (uint8_t)(crc >> 24);
	ASSERT(feed_in_chunks(wire_len, 3000) < 0);
	ASSERTm(dec.err, strstr(dec.err, why) != NULL);
	ASSERT_EQ(0, rx.ends);
	PASS();
}

#define HDR_PAYLOAD MSTREAM_FRAME_HEAD
#define HDR_LEN (MSTREAM_FRAME_HEAD + 4 + 2 + 2 + MSTREAM_HOST_MAX + GUEST_NAME_MAX + 8 + 4)

TEST header_checks(void)
{
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD, "XXXX", 4, "not a migration stream"));
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD + 4, (uint8_t[]){ 2, 0 }, 2, "unsupported stream version 2"));
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD + 4, (uint8_t[]){ 4, 0 }, 2, "unsupported stream version 4"));
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD + 8 + MSTREAM_HOST_MAX, "bad name!", 9, "bad host or guest name"));
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD + 8 + MSTREAM_HOST_MAX + GUEST_NAME_MAX,
			   (uint8_t[8]){ 0 }, 8, "guest of 0 frames"));
	setup(NULL);
	CHECK_CALL(refused(0, HDR_PAYLOAD + 6, (uint8_t[]){ 1, 0 }, 2, "unknown header flags 0x0001"));
	PASS();
}

TEST a_host_name_filling_its_field_is_cut_to_fit(void)
{
	struct mstream_header h = { "", "wl", FRAMES };
	char want[MSTREAM_HOST_MAX];
	int n;

	memset(h.host, 'h', sizeof(h.host)); /* no NUL */
	n = mstream_put_header(wire, sizeof(wire), &h);
	ASSERT(n > 0);
	ASSERT_EQm(dec.err, 0, mstream_feed(&dec, wire, (size_t)n));
	ASSERT_EQ(1, rx.headers);
	memset(want, 'h', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	ASSERT_STR_EQ(want, rx.host);
	ASSERT_STR_EQ("wl", rx.guest);
	PASS();
}

TEST batch_checks(void)
{
	size_t b = HDR_LEN; /* the first batch */

	setup(NULL);
	CHECK_CALL(refused(b, HDR_PAYLOAD + 4, (uint8_t[]){ 65, 0, 0, 0 }, 4, "at most 64"));
	setup(NULL);
	CHECK_CALL(refused(b, HDR_PAYLOAD + 8, (uint8_t[]){ FRAMES, 0, 0, 0, 0, 0, 0, 0 }, 8,
			   "past the guest's 64 frames"));
	setup(NULL);
	CHECK_CALL(refused(b, HDR_PAYLOAD + 16, (uint8_t[]){ 3 }, 1, "unknown kind 3"));
	setup(NULL);
	CHECK_CALL(refused(b, HDR_PAYLOAD + 4, (uint8_t[]){ 39, 0, 0, 0 }, 4, "bytes after the batch"));
	setup(NULL);
	CHECK_CALL(refused(b, HDR_PAYLOAD + 4, (uint8_t[]){ 41, 0, 0, 0 }, 4, "batch ends inside"));
	ASSERT_EQ(0, rx.pages); /* nothing of the refused batch was handed on */
	PASS();
}

TEST a_batch_shorter_than_its_head_is_refused(void)
{
	size_t b = HDR_LEN;

	setup(NULL);
	wire[b + 4] = 4; /* the first batch's length: 4 bytes, round only */
	wire[b + 5] = wire[b + 6] = wire[b + 7] = 0;
	CHECK_CALL(refused(b, HDR_PAYLOAD, (uint8_t[]){ 0, 0, 0, 0 }, 4, "batch of 4 bytes"));
	PASS();
}

TEST a_batch_of_the_most_pages_is_accepted(void)
{
	struct mstream_header h = { "h", "wl", FRAMES };
	struct mstream_batch b;
	size_t len;
	uint64_t f;

	len = (size_t)mstream_put_header(wire, sizeof(wire), &h);
	mstream_batch_begin(&b, wire + len, MSTREAM_RECORD_MAX, 0);
	for (f = 0; f < MSTREAM_BATCH_MAX; f++)
		ASSERT_EQ(0, mstream_batch_add(&b, f, NULL));
	len += mstream_batch_end(&b);
	ASSERT_EQm(dec.err, 0, mstream_feed(&dec, wire, len));
	ASSERT_EQ((int)MSTREAM_BATCH_MAX, rx.pages);
	PASS();
}

TEST framing_checks(void)
{
	size_t b = HDR_LEN;

	setup(NULL);
	wire[b] = 9;
	ASSERT(feed_in_chunks(wire_len, 5000) < 0);
	ASSERT(strstr(dec.err, "unknown record type 9"));
	setup(NULL);
	wire[b + 7] = 0x7f; /* a huge length */
	ASSERT(feed_in_chunks(wire_len, 5000) < 0);
	ASSERT(strstr(dec.err, "at most"));
	setup(NULL);
	ASSERT(feed_in_chunks(wire_len, 5000) == 0);
	ASSERT_EQ(-EPROTO, mstream_feed(&dec, wire, 1)); /* bytes after the end */
	ASSERT(strstr(dec.err, "after the end record"));
	PASS();
}

TEST order_checks(void)
{
	setup(NULL);
	/* a stream that starts with a batch */
	ASSERT(mstream_feed(&dec, wire + HDR_LEN, wire_len - HDR_LEN) < 0);
	ASSERT(strstr(dec.err, "does not start with a header"));
	setup(NULL);
	/* two headers */
	ASSERT_EQ(0, mstream_feed(&dec, wire, HDR_LEN));
	ASSERT(mstream_feed(&dec, wire, HDR_LEN) < 0);
	ASSERT(strstr(dec.err, "a second header"));
	PASS();
}

TEST end_checks_the_page_count_and_the_state(void)
{
	uint8_t buf[64];
	struct mstream_end e = { 1, 0 };
	int n;

	setup(NULL);
	ASSERT_EQ(0, mstream_feed(&dec, wire, HDR_LEN));
	n = mstream_put_end(buf, sizeof(buf), &e);
	ASSERT(mstream_feed(&dec, buf, (size_t)n) < 0);
	ASSERT(strstr(dec.err, "without the guest's state"));
	setup(NULL);
	e.pages_sent = 75;
	ASSERT_EQ(0, feed_in_chunks(wire_len - 28, 100000)); /* all but the end record */
	n = mstream_put_end(buf, sizeof(buf), &e);
	ASSERT(mstream_feed(&dec, buf, (size_t)n) < 0);
	ASSERT(strstr(dec.err, "sent 75 pages, 74 arrived"));
	PASS();
}

TEST a_receiver_refusal_stops_the_stream(void)
{
	setup(NULL);
	state_rec[0] ^= 1; /* on_state compares against the changed copy */
	ASSERT(feed_in_chunks(wire_len, 7000) < 0);
	ASSERT(strstr(dec.err, "state record refused"));
	ASSERT_EQ(0, rx.ends);
	PASS();
}

/* FNV-1a byte by byte, written apart from the encoder's (docs/migration-stream.md). */
static uint64_t fnv_reference(uint64_t h, uint64_t frame, const uint8_t *page)
{
	size_t i;

	h = h ? h : 0xcbf29ce484222325ULL;
	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(frame >> (8 * i))) * 0x100000001b3ULL;
	for (i = 0; i < MSTREAM_PAGE_SIZE; i++)
		h = (h ^ page[i]) * 0x100000001b3ULL;
	return h;
}

TEST zero_page_shortcut_gives_the_bytewise_digest(void)
{
	static uint8_t zero[MSTREAM_PAGE_SIZE], data[MSTREAM_PAGE_SIZE];
	uint64_t ours = 0, ref = 0;
	uint64_t f;

	data[4095] = 1;
	for (f = 0; f < 8; f++) {
		const uint8_t *p = f % 3 ? zero : data;

		ours = mstream_digest(ours, f, f % 2 && p == zero ? NULL : p);
		ref = fnv_reference(ref, f, p);
		ASSERT_EQ(ref, ours);
	}
	PASS();
}

TEST digest_depends_on_frame_and_contents(void)
{
	static uint8_t zero[MSTREAM_PAGE_SIZE], one[MSTREAM_PAGE_SIZE];
	int i;

	one[4095] = 1;
	ASSERT_EQ(mstream_digest(0, 3, zero), mstream_digest(0, 3, NULL));
	ASSERT(mstream_digest(0, 3, zero) != mstream_digest(0, 4, zero));
	ASSERT(mstream_digest(0, 3, zero) != mstream_digest(0, 3, one));
	for (i = 0; i < 8; i++) /* every byte of the frame number counts */
		ASSERT(mstream_digest(0, 0, zero) != mstream_digest(0, 1ULL << (8 * i), zero));
	ASSERT(mstream_digest(mstream_digest(0, 1, one), 2, zero) !=
	       mstream_digest(mstream_digest(0, 2, zero), 1, one));
	PASS();
}

TEST encoder_refuses_what_does_not_fit(void)
{
	struct mstream_batch b;
	struct mstream_header h = { "h", "g", 0 };
	struct mstream_end e = { 1, 2 };
	static uint8_t small[100];
	int i;

	ASSERT_EQ(-EINVAL, mstream_put_header(wire, sizeof(wire), &h));
	h.frames = 1;
	ASSERT_EQ(-ENOSPC, mstream_put_header(small, 20, &h));
	mstream_batch_begin(&b, wire, sizeof(wire), 0);
	for (i = 0; i < (int)MSTREAM_BATCH_MAX; i++)
		ASSERT_EQ(0, mstream_batch_add(&b, (uint64_t)i, NULL));
	ASSERT_EQ(-ENOSPC, mstream_batch_add(&b, 99, NULL));
	mstream_batch_begin(&b, small, sizeof(small), 0);
	ASSERT_EQ(-ENOSPC, mstream_batch_add(&b, 1, pages[1]));
	ASSERT_EQ(-ENOSPC, mstream_put_state(small, sizeof(small), state_rec, sizeof(state_rec)));
	ASSERT_EQ(-ENOSPC, mstream_put_end(small, 27, &e)); /* head 8, payload 16, CRC 4 */
	ASSERT_EQ(28, mstream_put_end(small, 28, &e));
	PASS();
}

/*
 * Header, every frame, then a round of deltas for frames 1-9 (a few
 * bytes of each changed), state, end over the changed memory. Returns
 * the offset of the delta batch.
 */
static size_t build_delta_stream(void)
{
	static uint8_t before[10][MSTREAM_PAGE_SIZE];
	struct mstream_header h = { "source-hv", "wl", FRAMES };
	struct mstream_end e = { 0, 0 };
	struct mstream_batch b;
	uint8_t enc[DELTA_MAX];
	size_t at;
	int f, n;

	memset(&rx, 0, sizeof(rx));
	mstream_dec_init(&dec, &ops);
	fill_pages();
	wire_len = (size_t)mstream_put_header(wire, sizeof(wire), &h);
	wire_len += put_batch(wire + wire_len, 0, 40, 0);
	wire_len += put_batch(wire + wire_len, 40, 24, 0);
	at = wire_len;
	mstream_batch_begin(&b, wire + wire_len, MSTREAM_RECORD_MAX, 1);
	for (f = 1; f < 10; f++) {
		memcpy(before[f], pages[f], MSTREAM_PAGE_SIZE);
		pages[f][f * 100] ^= 0x5a;
		pages[f][4000] ^= 0xa5;
		n = delta_encode(before[f], pages[f], enc, sizeof(enc));
		if (n <= 0 || mstream_batch_add_delta(&b, (uint64_t)f, enc, (size_t)n))
			return 0;
	}
	wire_len += mstream_batch_end(&b);
	wire_len += (size_t)mstream_put_state(wire + wire_len, sizeof(wire) - wire_len,
						state_rec, sizeof(state_rec));
	for (f = 0; f < FRAMES; f++)
		e.digest = mstream_digest(e.digest, (uint64_t)f, pages[f]);
	e.pages_sent = FRAMES + 9;
	wire_len += (size_t)mstream_put_end(wire + wire_len, sizeof(wire) - wire_len, &e);
	return at;
}

TEST deltas_round_trip_and_stay_small(void)
{
	size_t at = build_delta_stream(), batch_len;

	ASSERT(at > 0);
	batch_len = wire[at + 4] | wire[at + 5] << 8;
	/* 9 entries of head, length and a delta of two short runs: far below one page */
	ASSERT(batch_len < MSTREAM_BATCH_HEAD + 9 * (MSTREAM_PAGE_HEAD + 2 + 12));
	ASSERT_EQm(dec.err, 0, feed_in_chunks(wire_len, 1000));
	ASSERT_EQ(MSTREAM_DONE, dec.phase);
	ASSERT_EQ(9, rx.deltas);
	ASSERT_MEM_EQ(pages, rx.mem, sizeof(pages));
	PASS();
}

TEST delta_checks(void)
{
	size_t b, e = MSTREAM_FRAME_HEAD + MSTREAM_BATCH_HEAD; /* first entry of the delta batch */

	b = build_delta_stream();
	CHECK_CALL(refused(b, e + MSTREAM_PAGE_HEAD, (uint8_t[]){ 0, 0 }, 2, "delta of 0 bytes"));
	b = build_delta_stream();
	CHECK_CALL(refused(b, e + MSTREAM_PAGE_HEAD, (uint8_t[]){ 0xc1, 0x0f }, 2,
			   "delta of 4033 bytes"));
	b = build_delta_stream();
	CHECK_CALL(refused(b, e + MSTREAM_PAGE_HEAD, (uint8_t[]){ 0xc0, 0x0f }, 2,
			   "batch ends inside the delta"));
	/* the first run's count made 0: the delta itself is malformed */
	b = build_delta_stream();
	CHECK_CALL(refused(b, e + MSTREAM_PAGE_HEAD + 2 + 1, (uint8_t[]){ 0 }, 1, "malformed delta"));
	ASSERT_EQ(0, rx.deltas);
	PASS();
}

TEST a_receiver_without_deltas_refuses_them(void)
{
	static const struct mstream_ops plain = { on_header, on_page, on_state, on_end, NULL, NULL };

	build_delta_stream();
	mstream_dec_init(&dec, &plain);
	ASSERT(feed_in_chunks(wire_len, 5000) < 0);
	ASSERT(strstr(dec.err, "refused") != NULL);
	ASSERT_EQ(0, rx.ends);
	PASS();
}

TEST encoder_refuses_bad_delta_lengths(void)
{
	struct mstream_batch b;
	uint8_t enc[DELTA_MAX + 1] = { 0 };

	mstream_batch_begin(&b, wire, MSTREAM_RECORD_MAX, 0);
	ASSERT_EQ(-EINVAL, mstream_batch_add_delta(&b, 1, enc, 0));
	ASSERT_EQ(-EINVAL, mstream_batch_add_delta(&b, 1, enc, DELTA_MAX + 1));
	ASSERT_EQ(0, b.count);
	mstream_batch_begin(&b, wire, MSTREAM_FRAME_HEAD + MSTREAM_BATCH_HEAD + 20, 0);
	ASSERT_EQ(-ENOSPC, mstream_batch_add_delta(&b, 1, enc, 10));
	PASS();
}

SUITE(stream)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(round_trip_in_chunks_of_every_size);
		RUN_TEST(zero_pages_travel_as_bare_records);
		RUN_TEST(truncated_stream_is_not_done);
		RUN_TEST(every_flipped_byte_is_refused);
		RUN_TEST(header_checks);
		RUN_TEST(batch_checks);
		RUN_TEST(a_host_name_filling_its_field_is_cut_to_fit);
		RUN_TEST(a_batch_shorter_than_its_head_is_refused);
		RUN_TEST(a_batch_of_the_most_pages_is_accepted);
		RUN_TEST(framing_checks);
		RUN_TEST(order_checks);
		RUN_TEST(end_checks_the_page_count_and_the_state);
		RUN_TEST(a_receiver_refusal_stops_the_stream);
		RUN_TEST(digest_depends_on_frame_and_contents);
		RUN_TEST(zero_page_shortcut_gives_the_bytewise_digest);
		RUN_TEST(encoder_refuses_what_does_not_fit);
		RUN_TEST(deltas_round_trip_and_stay_small);
		RUN_TEST(delta_checks);
		RUN_TEST(a_receiver_without_deltas_refuses_them);
		RUN_TEST(encoder_refuses_bad_delta_lengths);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(stream);
	});
	GREATEST_MAIN_END();
}
