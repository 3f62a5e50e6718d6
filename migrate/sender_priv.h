/*
 * What the source side's two files share (migrate/sender.c runs the
 * stream, migrate/send_end.c ends it): the one outgoing migration's
 * state. Not for anything outside the sender.
 */
#ifndef MIGRATE_SENDER_PRIV_H
#define MIGRATE_SENDER_PRIV_H

#include "kernel/dirty_bitmap.h"
#include "kernel/guest.h"
#include "lib/types.h"
#include "migrate/ack.h"
#include "migrate/channel.h"
#include "migrate/precopy.h"
#include "migrate/send_page.h"
#include "migrate/sender.h"

struct sender {
	struct msend_status st;
	struct guest *g;
	bool was_paused;            /* paused before we started: stays paused on failure */
	bool paused_by_us;
	struct mchan ch;            /* the connection, TLS unless off */
	struct precopy pc;
	struct dirty_bitmap todo;   /* frames still to send in this pass */
	hpa_t todo_words;
	unsigned todo_order;
	uint64_t cursor;            /* next frame to look at in this pass */
	uint64_t digest;
	uint8_t *out;               /* one record: MSTREAM_RECORD_MAX bytes */
	size_t out_len, out_off;
	uint64_t written;           /* stream bytes the channel took */
	bool commit_queued;
	uint64_t start_ns, pause_ns, round_ns, round_acked, commit_ns;
	struct mack_parser ans;
	struct delta_cache cache;   /* copies of pages as sent (when deltas are on) */
	hpa_t cache_mem;            /* its slots then its pages; 0 without a cache */
	unsigned cache_order;
	struct send_page_counts sent;
};

extern struct sender snd;

/* Failed or cancelled (ev): the guest goes back to how it was found. Main loop. */
void msend_finish(enum msend_event ev, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Free the pass bitmap and the delta cache (idempotent). */
void msend_free_todo(void);

/* Leave the guest as it was found: log stopped, throttle lifted, running unless it was paused. */
void msend_give_back_guest(void);

/*
 * Connection-level events (lost, closed, answered, committed, stalled)
 * and the guest's own trouble. true when the migration ended. Main loop.
 */
bool msend_check_link(uint64_t now);

#endif
