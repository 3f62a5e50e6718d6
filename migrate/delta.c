/*
 * XOR run-length page deltas; the format is in migrate/delta.h and
 * docs/migration-stream.md.
 */
#include <string.h>

#include "migrate/delta.h"

/* An unchanged gap shorter than this costs less inside a changed run
 * (as zero XOR bytes) than as a skip and a new count (two numbers). */
#define DELTA_GAP_MIN 3u
/* Run lengths are at most DELTA_PAGE_SIZE: two ULEB128 bytes (14 bits). */
#define ULEB_MAX_BYTES 2u

static size_t put_uleb(uint8_t *out, size_t at, size_t cap, uint32_t v)
{
	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		if (at >= cap)
			return cap + 1;
		out[at++] = b | (v ? 0x80 : 0);
	} while (v);
	return at;
}

/* Read a minimal ULEB128 of at most ULEB_MAX_BYTES bytes at *pos. */
static int get_uleb(const uint8_t *in, size_t len, size_t *pos, uint32_t *v)
{
	uint32_t val = 0;
	unsigned i;

	for (i = 0; i < ULEB_MAX_BYTES; i++) {
		uint8_t b;

		if (*pos >= len)
			return -EINVAL;
		b = in[(*pos)++];
		val |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (i > 0 && b == 0)
				return -EINVAL; /* not minimal */
			*v = val;
			return 0;
		}
	}
	return -EINVAL;
}

static size_t unchanged_run(const uint8_t *old, const uint8_t *new, size_t at, size_t limit)
{
	size_t i = at;

	while (i < limit && old[i] == new[i])
		i++;
	return i - at;
}

/* End of the changed run starting at j: the first gap of DELTA_GAP_MIN
 * unchanged bytes, or unchanged bytes up to the end of the page. */
static size_t changed_run_end(const uint8_t *old, const uint8_t *new, size_t j)
{
	size_t k = j;

	while (k < DELTA_PAGE_SIZE) {
		size_t gap;

		if (old[k] != new[k]) {
			k++;
			continue;
		}
		gap = unchanged_run(old, new, k, k + DELTA_GAP_MIN < DELTA_PAGE_SIZE ?
					 k + DELTA_GAP_MIN : DELTA_PAGE_SIZE);
		if (gap >= DELTA_GAP_MIN || k + gap == DELTA_PAGE_SIZE)
			break;
		k += gap;
	}
	return k;
}

int delta_encode(const uint8_t *old, const uint8_t *new, uint8_t *out, size_t cap)
{
	size_t i = 0, at = 0;

	while (i < DELTA_PAGE_SIZE) {
		size_t skip = unchanged_run(old, new, i, DELTA_PAGE_SIZE), j = i + skip, k, n;

		if (j == DELTA_PAGE_SIZE)
			break;
		k = changed_run_end(old, new, j);
		at = put_uleb(out, at, cap, (uint32_t)skip);
		at = put_uleb(out, at, cap, (uint32_t)(k - j));
		if (at > cap || k - j > cap - at)
			return -ENOSPC;
		for (n = j; n < k; n++)
			out[at++] = old[n] ^ new[n];
		i = k;
	}
	return (int)at;
}

int delta_check(const uint8_t *in, size_t len)
{
	size_t pos = 0, at = 0;
	bool first = true;

	if (len == 0)
		return -EINVAL;
	while (pos < len) {
		uint32_t skip, count;

		if (get_uleb(in, len, &pos, &skip) || (!first && skip == 0))
			return -EINVAL;
		at += skip;
		if (at >= DELTA_PAGE_SIZE || get_uleb(in, len, &pos, &count) || count == 0 ||
		    count > DELTA_PAGE_SIZE - at || count > len - pos)
			return -EINVAL;
		pos += count;
		at += count;
		first = false;
	}
	return 0;
}

int delta_apply(uint8_t *page, const uint8_t *in, size_t len)
{
	size_t pos = 0, at = 0;

	if (delta_check(in, len))
		return -EINVAL;
	while (pos < len) {
		uint32_t skip, count, n;

		get_uleb(in, len, &pos, &skip);
		get_uleb(in, len, &pos, &count);
		at += skip;
		for (n = 0; n < count; n++)
			page[at + n] ^= in[pos + n];
		pos += count;
		at += count;
	}
	return 0;
}

void delta_cache_init(struct delta_cache *c, struct delta_slot *slots, uint8_t *pages, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->slots = slots;
	c->pages = pages;
	c->nslots = n;
	memset(slots, 0, n * sizeof(*slots));
}

static size_t slot_of(const struct delta_cache *c, uint64_t frame)
{
	return (size_t)(frame % c->nslots);
}

const uint8_t *delta_cache_lookup(struct delta_cache *c, uint64_t frame)
{
	size_t s;

	if (!c->nslots)
		return NULL;
	s = slot_of(c, frame);
	if (c->slots[s].valid && c->slots[s].frame == frame) {
		c->hits++;
		return c->pages + s * DELTA_PAGE_SIZE;
	}
	c->misses++;
	return NULL;
}

void delta_cache_store(struct delta_cache *c, uint64_t frame, const uint8_t *page)
{
	size_t s;

	if (!c->nslots)
		return;
	s = slot_of(c, frame);
	if (c->slots[s].valid && c->slots[s].frame != frame)
		c->evictions++;
	c->slots[s].frame = frame;
	c->slots[s].valid = true;
	memcpy(c->pages + s * DELTA_PAGE_SIZE, page, DELTA_PAGE_SIZE);
}

void delta_cache_offer(struct delta_cache *c, uint64_t frame, const uint8_t *page)
{
	size_t s;

	if (!c->nslots)
		return;
	s = slot_of(c, frame);
	if (!c->slots[s].valid || c->slots[s].frame == frame)
		delta_cache_store(c, frame, page);
}

void delta_cache_forget(struct delta_cache *c, uint64_t frame)
{
	size_t s;

	if (!c->nslots)
		return;
	s = slot_of(c, frame);
	if (c->slots[s].valid && c->slots[s].frame == frame)
		c->slots[s].valid = false;
}
