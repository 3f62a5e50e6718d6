/*
 * One page into a batch, as zeros, a delta or whole: see send_page.h
 * and docs/migration-stream.md ("Page deltas").
 */
#include "migrate/send_page.h"

/* Delta entries carry a 2-byte length after the entry head. */
#define DELTA_ENTRY_EXTRA 2u

/* 1 added, 0 equal to the copy, -ENOSPC batch full, -EINVAL the delta does not pay. */
static int add_delta(struct mstream_batch *b, struct delta_cache *cache, uint64_t frame,
		     const uint8_t *old, const uint8_t *page, struct send_page_counts *n)
{
	static uint8_t enc[DELTA_MAX];
	int len = delta_encode(old, page, enc, sizeof(enc));

	if (len == 0) {
		n->unchanged++;
		return 0;
	}
	if (len < 0)
		return -EINVAL; /* no smaller than the page: the caller sends it whole */
	if (mstream_batch_add_delta(b, frame, enc, (size_t)len))
		return -ENOSPC;
	delta_cache_store(cache, frame, page);
	n->delta++;
	n->delta_saved += MSTREAM_PAGE_SIZE - DELTA_ENTRY_EXTRA - (uint64_t)len;
	return 1;
}

int send_page_add(struct mstream_batch *b, struct delta_cache *cache, uint64_t frame,
		  const uint8_t *page, struct send_page_counts *n)
{
	bool zero = mstream_page_is_zero(page);
	const uint8_t *old = cache && !zero ? delta_cache_lookup(cache, frame) : NULL;

	if (old) {
		int rc = add_delta(b, cache, frame, old, page, n);

		if (rc != -EINVAL)
			return rc;
	}
	if (mstream_batch_add(b, frame, zero ? NULL : page))
		return -ENOSPC;
	/*
	 * A zero page takes only a free slot or its own: the cache is
	 * direct-mapped and smaller than a large guest, and a guest's zero
	 * pages (most of an idle one) would evict the data pages that deltas
	 * are for.
	 */
	if (cache && zero)
		delta_cache_offer(cache, frame, page);
	else if (cache)
		delta_cache_store(cache, frame, page);
	if (zero)
		n->zero++;
	else
		n->data++;
	return 1;
}
