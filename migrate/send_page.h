/*
 * How the sender puts one page into a batch: zeros as a bare entry, a
 * page it sent before as a delta against the copy it kept
 * (migrate/delta.h) when that is smaller, else the whole page; a page
 * equal to the copy it sent is not sent again. Pure.
 */
#ifndef MIGRATE_SEND_PAGE_H
#define MIGRATE_SEND_PAGE_H

#include "migrate/delta.h"
#include "migrate/stream.h"

struct send_page_counts {
	uint64_t zero, data, delta; /* entries sent of each kind */
	uint64_t unchanged;         /* dirty pages equal to the copy sent: not sent again */
	uint64_t delta_saved;       /* wire bytes deltas saved over whole pages */
};

/*
 * Add frame's page (DELTA_PAGE_SIZE bytes) to b. cache NULL sends
 * whole pages (compress none). Returns 1 when an entry was added, 0
 * when the page was equal to its copy (nothing added), -ENOSPC when b is
 * full (nothing changed, the cache neither).
 */
int send_page_add(struct mstream_batch *b, struct delta_cache *cache, uint64_t frame,
		  const uint8_t *page, struct send_page_counts *n);

#endif
