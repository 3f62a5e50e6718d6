/*
 * The migration stream's encoder and decoder. Pure: see stream.h and
 * docs/migration-stream.md.
 */
#include <stdarg.h>
#include <string.h>
#include "lib/crc32.h"
#include "lib/fmt.h"
#include "migrate/stream.h"

#define HEADER_PAYLOAD (4 + 2 + 2 + MSTREAM_HOST_MAX + GUEST_NAME_MAX + 8)
#define END_PAYLOAD 16
#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* Length of s within max bytes (the image has no strnlen). */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Frame a payload already at out + MSTREAM_FRAME_HEAD: head and CRC. */
static size_t seal(uint8_t *out, uint16_t type, size_t payload)
{
	put16(out, type);
	put16(out + 2, 0);
	put32(out + 4, (uint32_t)payload);
	put32(out + MSTREAM_FRAME_HEAD + payload,
	      crc32_update(0, out, MSTREAM_FRAME_HEAD + payload));
	return MSTREAM_FRAME_HEAD + payload + MSTREAM_FRAME_TAIL;
}

static bool fits(size_t cap, size_t payload)
{
	return cap >= MSTREAM_FRAME_HEAD + payload + MSTREAM_FRAME_TAIL;
}

int mstream_put_header(uint8_t *out, size_t cap, const struct mstream_header *h)
{
	uint8_t *p = out + MSTREAM_FRAME_HEAD;

	if (!fits(cap, HEADER_PAYLOAD))
		return -ENOSPC;
	if (!h->frames || h->frames > MSTREAM_FRAMES_MAX)
		return -EINVAL;
	put32(p, MSTREAM_MAGIC);
	put16(p + 4, MSTREAM_VERSION);
	put16(p + 6, 0);
	memset(p + 8, 0, MSTREAM_HOST_MAX + GUEST_NAME_MAX);
	memcpy(p + 8, h->host, bounded_len(h->host, MSTREAM_HOST_MAX - 1));
	memcpy(p + 8 + MSTREAM_HOST_MAX, h->guest, bounded_len(h->guest, GUEST_NAME_MAX - 1));
	put64(p + 8 + MSTREAM_HOST_MAX + GUEST_NAME_MAX, h->frames);
	return (int)seal(out, MSTREAM_HEADER, HEADER_PAYLOAD);
}

void mstream_batch_begin(struct mstream_batch *b, uint8_t *buf, size_t cap, uint32_t round)
{
	*b = (struct mstream_batch){ buf, cap, MSTREAM_FRAME_HEAD + MSTREAM_BATCH_HEAD, 0 };
	put32(buf + MSTREAM_FRAME_HEAD, round);
}

/* Room for an entry of size bytes: its head at b->buf + b->len, or NULL. */
static uint8_t *batch_room(struct mstream_batch *b, uint64_t frame, uint8_t kind, size_t size)
{
	uint8_t *e = b->buf + b->len;

	if (b->count == MSTREAM_BATCH_MAX || b->len + size + MSTREAM_FRAME_TAIL > b->cap)
		return NULL;
	put64(e, frame);
	e[8] = kind;
	b->len += size;
	b->count++;
	return e;
}

int mstream_batch_add(struct mstream_batch *b, uint64_t frame, const void *data)
{
	uint8_t *e = batch_room(b, frame, data ? MSTREAM_KIND_DATA : MSTREAM_KIND_ZERO,
				MSTREAM_PAGE_HEAD + (data ? MSTREAM_PAGE_SIZE : 0));

	if (!e)
		return -ENOSPC;
	if (data)
		memcpy(e + MSTREAM_PAGE_HEAD, data, MSTREAM_PAGE_SIZE);
	return 0;
}

int mstream_batch_add_delta(struct mstream_batch *b, uint64_t frame, const uint8_t *enc,
			    size_t len)
{
	uint8_t *e;

	if (len == 0 || len > DELTA_MAX)
		return -EINVAL;
	e = batch_room(b, frame, MSTREAM_KIND_DELTA, MSTREAM_PAGE_HEAD + 2 + len);
	if (!e)
		return -ENOSPC;
	put16(e + MSTREAM_PAGE_HEAD, (uint16_t)len);
	memcpy(e + MSTREAM_PAGE_HEAD + 2, enc, len);
	return 0;
}

size_t mstream_batch_end(struct mstream_batch *b)
{
	put32(b->buf + MSTREAM_FRAME_HEAD + 4, b->count);
	return seal(b->buf, MSTREAM_PAGES, b->len - MSTREAM_FRAME_HEAD);
}

int mstream_put_state(uint8_t *out, size_t cap, const uint8_t *record, size_t len)
{
	if (len > GUEST_STATE_ENCODED_MAX || !fits(cap, len))
		return -ENOSPC;
	memcpy(out + MSTREAM_FRAME_HEAD, record, len);
	return (int)seal(out, MSTREAM_STATE, len);
}

int mstream_put_end(uint8_t *out, size_t cap, const struct mstream_end *e)
{
	if (!fits(cap, END_PAYLOAD))
		return -ENOSPC;
	put64(out + MSTREAM_FRAME_HEAD, e->pages_sent);
	put64(out + MSTREAM_FRAME_HEAD + 8, e->digest);
	return (int)seal(out, MSTREAM_END, END_PAYLOAD);
}

bool mstream_page_is_zero(const void *page)
{
	const uint64_t *q = page;
	size_t i;

	for (i = 0; i < MSTREAM_PAGE_SIZE / 8; i++)
		if (q[i])
			return false;
	return true;
}

/*
 * FNV-1a over 4096 zero bytes is h * PRIME^4096 (XOR with 0 changes
 * nothing, the products wrap mod 2^64): one multiplication instead of
 * 4096, the same digest. Most of an idle guest is zeros, and both ends
 * fold every frame while the guest is paused, so this is downtime saved.
 */
static uint64_t zero_page_factor(void)
{
	static uint64_t factor;
	size_t i;

	if (!factor) {
		factor = 1;
		for (i = 0; i < MSTREAM_PAGE_SIZE; i++)
			factor *= FNV64_PRIME;
	}
	return factor;
}

/* FNV-1a over the frame number and the page's bytes (zeros for NULL). */
uint64_t mstream_digest(uint64_t digest, uint64_t frame, const void *page)
{
	const uint8_t *p = page;
	uint64_t h = digest ? digest : FNV64_OFFSET;
	size_t i;

	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(frame >> (8 * i))) * FNV64_PRIME;
	if (!p || mstream_page_is_zero(p))
		return h * zero_page_factor();
	/*
	 * Eight bytes a turn: the loop's own instructions cost as much as
	 * the hash's, and both ends digest while the guest is paused.
	 */
	for (i = 0; i < MSTREAM_PAGE_SIZE; i += 8) {
		h = (h ^ p[i]) * FNV64_PRIME;
		h = (h ^ p[i + 1]) * FNV64_PRIME;
		h = (h ^ p[i + 2]) * FNV64_PRIME;
		h = (h ^ p[i + 3]) * FNV64_PRIME;
		h = (h ^ p[i + 4]) * FNV64_PRIME;
		h = (h ^ p[i + 5]) * FNV64_PRIME;
		h = (h ^ p[i + 6]) * FNV64_PRIME;
		h = (h ^ p[i + 7]) * FNV64_PRIME;
	}
	return h;
}

/* ---------------------------------------------------------------- decoder */

void mstream_dec_init(struct mstream_dec *d, const struct mstream_ops *ops)
{
	memset(d, 0, sizeof(*d));
	d->ops = *ops;
	d->need = MSTREAM_FRAME_HEAD;
}

static int fail(struct mstream_dec *d, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);

static int fail(struct mstream_dec *d, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = fmt_snprintf(d->err, sizeof(d->err), "record %lu: ", (unsigned long)d->records);
	va_start(ap, fmt);
	fmt_vsnprintf(d->err + n, sizeof(d->err) - (size_t)n, fmt, ap);
	va_end(ap);
	d->phase = MSTREAM_FAILED;
	return code;
}

/* The largest payload a record of type may have, or 0 for an unknown type. */
static size_t payload_max(uint16_t type)
{
	switch (type) {
	case MSTREAM_HEADER: return HEADER_PAYLOAD;
	case MSTREAM_PAGES: return MSTREAM_BATCH_PAYLOAD_MAX;
	case MSTREAM_STATE: return GUEST_STATE_ENCODED_MAX;
	case MSTREAM_END: return END_PAYLOAD;
	}
	return 0;
}

/* The frame head is in: check it and say how long the whole record is. */
static int check_head(struct mstream_dec *d)
{
	uint16_t type = get16(d->rec), flags = get16(d->rec + 2);
	uint32_t len = get32(d->rec + 4);

	if (!payload_max(type))
		return fail(d, -EPROTO, "unknown record type %u", type);
	if (flags)
		return fail(d, -EPROTO, "unknown flags 0x%04x", flags);
	if (len > payload_max(type))
		return fail(d, -EPROTO, "type %u record of %u bytes (at most %lu)", type, len,
			    (unsigned long)payload_max(type));
	if ((type == MSTREAM_HEADER) != (d->phase == MSTREAM_WANT_HEADER))
		return fail(d, -EPROTO, type == MSTREAM_HEADER ? "a second header" :
			    "the stream does not start with a header");
	d->need = MSTREAM_FRAME_HEAD + len + MSTREAM_FRAME_TAIL;
	return 0;
}

static int header(struct mstream_dec *d, const uint8_t *p, uint32_t len)
{
	struct mstream_header h;

	if (len != HEADER_PAYLOAD)
		return fail(d, -EPROTO, "header of %u bytes, expected %u", len, HEADER_PAYLOAD);
	if (get32(p) != MSTREAM_MAGIC)
		return fail(d, -EPROTO, "not a migration stream (magic 0x%08x)", get32(p));
	if (get16(p + 4) != MSTREAM_VERSION)
		return fail(d, -EPROTO, "unsupported stream version %u (this hypervisor speaks %u)",
			    get16(p + 4), MSTREAM_VERSION);
	if (get16(p + 6))
		return fail(d, -EPROTO, "unknown header flags 0x%04x", get16(p + 6));
	memcpy(h.host, p + 8, MSTREAM_HOST_MAX);
	memcpy(h.guest, p + 8 + MSTREAM_HOST_MAX, GUEST_NAME_MAX);
	h.frames = get64(p + 8 + MSTREAM_HOST_MAX + GUEST_NAME_MAX);
	if (h.host[MSTREAM_HOST_MAX - 1] || h.guest[GUEST_NAME_MAX - 1] ||
	    !guest_spec_name_valid(h.guest))
		return fail(d, -EPROTO, "bad host or guest name in the header");
	if (!h.frames || h.frames > MSTREAM_FRAMES_MAX)
		return fail(d, -EPROTO, "guest of %lu frames", (unsigned long)h.frames);
	d->frames = h.frames;
	d->phase = MSTREAM_WANT_BODY;
	return d->ops.header ? d->ops.header(d->ops.ctx, &h) : 0;
}

/*
 * Size of the page entry at p (room bytes left in the batch), or 0 when
 * it is malformed (message in d->err). Deltas are checked in full here,
 * so that nothing of a batch is applied unless all of it is sound.
 */
static size_t entry_size(struct mstream_dec *d, const uint8_t *p, size_t room, uint32_t i)
{
	size_t dlen;

	if (room < MSTREAM_PAGE_HEAD)
		return fail(d, -EPROTO, "batch ends inside page entry %u", i), 0;
	if (get64(p) >= d->frames)
		return fail(d, -EPROTO, "frame 0x%lx past the guest's %lu frames",
			    (unsigned long)get64(p), (unsigned long)d->frames), 0;
	switch (p[8]) {
	case MSTREAM_KIND_ZERO:
		return MSTREAM_PAGE_HEAD;
	case MSTREAM_KIND_DATA:
		if (room - MSTREAM_PAGE_HEAD < MSTREAM_PAGE_SIZE)
			return fail(d, -EPROTO, "batch ends inside the data of page %u", i), 0;
		return MSTREAM_PAGE_HEAD + MSTREAM_PAGE_SIZE;
	case MSTREAM_KIND_DELTA:
		if (room - MSTREAM_PAGE_HEAD < 2)
			return fail(d, -EPROTO, "batch ends inside the delta length of page %u", i), 0;
		dlen = get16(p + MSTREAM_PAGE_HEAD);
		if (dlen == 0 || dlen > DELTA_MAX)
			return fail(d, -EPROTO, "delta of %lu bytes for page %u (1 to %u)",
				    (unsigned long)dlen, i, DELTA_MAX), 0;
		if (room - MSTREAM_PAGE_HEAD - 2 < dlen)
			return fail(d, -EPROTO, "batch ends inside the delta of page %u", i), 0;
		if (delta_check(p + MSTREAM_PAGE_HEAD + 2, dlen))
			return fail(d, -EPROTO, "malformed delta for page %u", i), 0;
		return MSTREAM_PAGE_HEAD + 2 + dlen;
	default:
		return fail(d, -EPROTO, "page entry %u of unknown kind %u", i, p[8]), 0;
	}
}

static int hand_on(struct mstream_dec *d, const uint8_t *p)
{
	uint64_t frame = get64(p);

	switch (p[8]) {
	case MSTREAM_KIND_DELTA:
		if (!d->ops.delta)
			return -EPROTO;
		return d->ops.delta(d->ops.ctx, frame, p + MSTREAM_PAGE_HEAD + 2,
				    get16(p + MSTREAM_PAGE_HEAD));
	case MSTREAM_KIND_DATA:
		return d->ops.page ? d->ops.page(d->ops.ctx, frame, p + MSTREAM_PAGE_HEAD) : 0;
	default:
		return d->ops.page ? d->ops.page(d->ops.ctx, frame, NULL) : 0;
	}
}

/* A batch: every entry checked before the first page is handed on. */
static int batch(struct mstream_dec *d, const uint8_t *p, uint32_t len)
{
	uint32_t count, i;
	size_t at, size;
	int rc;

	if (len < MSTREAM_BATCH_HEAD)
		return fail(d, -EPROTO, "batch of %u bytes", len);
	count = get32(p + 4);
	if (count > MSTREAM_BATCH_MAX)
		return fail(d, -EPROTO, "batch of %u pages (at most %u)", count, MSTREAM_BATCH_MAX);
	for (at = MSTREAM_BATCH_HEAD, i = 0; i < count; i++, at += size)
		if (!(size = entry_size(d, p + at, len - at, i)))
			return -EPROTO;
	if (at != len)
		return fail(d, -EPROTO, "%lu bytes after the batch's %u pages",
			    (unsigned long)(len - at), count);
	for (at = MSTREAM_BATCH_HEAD, i = 0; i < count; i++, at += size) {
		size = entry_size(d, p + at, len - at, i);
		rc = hand_on(d, p + at);
		if (rc)
			return fail(d, rc, "page 0x%lx refused", (unsigned long)get64(p + at));
		d->pages++;
	}
	return 0;
}

static int end(struct mstream_dec *d, const uint8_t *p, uint32_t len)
{
	struct mstream_end e;

	if (len != END_PAYLOAD)
		return fail(d, -EPROTO, "end record of %u bytes", len);
	if (!d->have_state)
		return fail(d, -EPROTO, "the stream ends without the guest's state");
	e.pages_sent = get64(p);
	e.digest = get64(p + 8);
	if (e.pages_sent != d->pages)
		return fail(d, -EPROTO, "the source sent %lu pages, %lu arrived",
			    (unsigned long)e.pages_sent, (unsigned long)d->pages);
	d->phase = MSTREAM_DONE;
	return d->ops.end ? d->ops.end(d->ops.ctx, &e) : 0;
}

/* A whole record is in rec[]: check its CRC and hand it on. */
static int record(struct mstream_dec *d)
{
	uint16_t type = get16(d->rec);
	uint32_t len = get32(d->rec + 4);
	const uint8_t *p = d->rec + MSTREAM_FRAME_HEAD;
	int rc = 0;

	if (get32(p + len) != crc32_update(0, d->rec, MSTREAM_FRAME_HEAD + len))
		return fail(d, -EPROTO, "checksum mismatch (corrupted in transit)");
	switch (type) {
	case MSTREAM_HEADER: rc = header(d, p, len); break;
	case MSTREAM_PAGES: rc = batch(d, p, len); break;
	case MSTREAM_STATE:
		if (d->have_state)
			return fail(d, -EPROTO, "a second state record");
		d->have_state = true;
		rc = d->ops.state ? d->ops.state(d->ops.ctx, p, len) : 0;
		if (rc)
			return fail(d, rc, "state record refused");
		break;
	case MSTREAM_END: rc = end(d, p, len); break;
	}
	d->records++;
	return rc;
}

int mstream_feed(struct mstream_dec *d, const uint8_t *data, size_t n)
{
	int rc;

	if (d->phase == MSTREAM_FAILED)
		return -EPROTO;
	while (n) {
		size_t take;

		if (d->phase == MSTREAM_DONE)
			return fail(d, -EPROTO, "%lu bytes after the end record", (unsigned long)n);
		take = MIN(n, d->need - d->have);
		memcpy(d->rec + d->have, data, take);
		d->have += take;
		data += take;
		n -= take;
		if (d->have < d->need)
			break;
		if (d->need == MSTREAM_FRAME_HEAD) {
			rc = check_head(d);
			if (rc)
				return rc;
			continue;
		}
		rc = record(d);
		if (rc)
			return d->phase == MSTREAM_FAILED ? rc : fail(d, rc, "refused by the receiver");
		d->have = 0;
		d->need = MSTREAM_FRAME_HEAD;
	}
	return 0;
}
