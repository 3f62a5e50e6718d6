/*
 * The source side of a live migration (see sender.h). Runs from the main
 * loop only: lwIP's callbacks record what happened (bytes acknowledged,
 * the answer, a lost connection), migrate_send_poll acts on it. The rules
 * of lwIP's raw API that net/netbench.c lists hold here too: after the
 * error callback the pcb is gone; callbacks are cleared before a pcb is
 * closed or aborted; nothing here aborts from inside a callback.
 *
 * Memory goes out one stream record at a time: the next batch is built
 * only when lwIP has taken the previous one, so a slow link never holds
 * more than one record in our buffer plus lwIP's send buffer.
 */
#include <stdarg.h>
#include <string.h>

#include "arch/x86/dirty_vmx.h"
#include "arch/x86/paging.h"
#include "kernel/clock.h"
#include "kernel/dirty_guest.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/physmem.h"
#include "lib/fmt.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "migrate/ack.h"
#include "migrate/sender.h"
#include "migrate/stream.h"
#include "migrate/transfer.h"

#define FRAME_SHIFT 12
#define RECORDS_PER_POLL 8   /* batches built per main-loop turn: keeps the loop going round */
#define DIGEST_PER_POLL 256  /* frames folded into the digest per turn (1 MiB) */

struct sender {
	struct msend_status st;
	struct guest *g;
	bool was_paused;            /* paused before we started: stays paused on failure */
	bool paused_by_us;
	struct tcp_pcb *pcb;        /* NULL once lwIP freed it */
	bool connected, lost, closed_by_peer;
	struct precopy pc;
	struct dirty_bitmap todo;   /* frames still to send in this pass */
	hpa_t todo_words;
	unsigned todo_order;
	uint64_t cursor;            /* next frame to look at in this pass */
	uint64_t digest;
	uint8_t *out;               /* one record: MSTREAM_RECORD_MAX bytes */
	size_t out_len, out_off;
	uint64_t written, acked;
	uint64_t start_ns, progress_ns, pause_ns, round_ns, round_acked;
	struct mack_parser ans;
};

static struct sender s;
static uint8_t page_buf[MSTREAM_PAGE_SIZE];

const struct msend_status *migrate_send_status(void)
{
	if (migrate_send_active()) {
		s.st.total_ns = clock_ns() - s.start_ns;
		s.st.bytes = s.acked;
	}
	return &s.st;
}

bool migrate_send_active(void)
{
	return msend_phase_active(s.st.phase);
}

/* ---------------------------------------------------------------- lwIP callbacks */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	s.connected = err == ERR_OK;
	s.lost = err != ERR_OK;
	s.progress_ns = clock_ns();
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	s.acked += len;
	s.progress_ns = clock_ns();
	return ERR_OK;
}

/* The destination's answer; anything after it is the parser's error. */
static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct pbuf *q;

	if (!p) {
		s.closed_by_peer = true;
		return ERR_OK;
	}
	for (q = p; q; q = q->next)
		mack_feed(&s.ans, q->payload, q->len);
	s.progress_ns = clock_ns();
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	s.pcb = NULL; /* lwIP freed it */
	s.lost = true;
}

/* ---------------------------------------------------------------- ending */

/* Drop the connection: a close after success, a reset otherwise. */
static void drop_pcb(bool graceful)
{
	struct tcp_pcb *pcb = s.pcb;

	if (!pcb)
		return;
	s.pcb = NULL;
	transfer_detach(pcb);
	if (!graceful || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static void free_todo(void)
{
	if (s.todo_words)
		physmem_free_pages(s.todo_words, s.todo_order);
	s.todo_words = 0;
}

/* Leave the guest as it was found: log stopped, throttle lifted, running unless it was paused. */
static void give_back_guest(void)
{
	struct guest *g = s.g;

	if (!g || !g->used || g->state == GUEST_STOPPED)
		return;
	if (dirty_guest_log(g))
		dirty_guest_stop(g);
	g->throttle_pct = 0;
	if (s.paused_by_us && !s.was_paused)
		guest_resume(g);
}

static void finish(enum msend_event ev, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Failed or cancelled (ev): the guest goes back to how it was found. */
static void finish(enum msend_event ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(s.st.error, sizeof(s.st.error), fmt, ap);
	va_end(ap);
	migrate_send_status(); /* last totals */
	s.st.phase = msend_phase_next(s.st.phase, ev);
	give_back_guest();
	drop_pcb(false);
	free_todo();
	s.g = NULL;
	log_warn("migrate %s: %s: %s; the guest stays here", s.st.guest,
		 msend_phase_name(s.st.phase), s.st.error);
}

/* Accepted: the guest runs on the destination now; release ours. */
static void succeed(void)
{
	struct guest *g = s.g;

	s.st.downtime_ns = clock_ns() - s.pause_ns;
	migrate_send_status();
	s.st.phase = msend_phase_next(s.st.phase, MSEND_EV_ACCEPTED);
	drop_pcb(true);
	free_todo();
	s.g = NULL;
	if (g && g->used) {
		guest_stop(g, "migrated");
		guest_free(g); /* gone from `guest list`: it lives on the destination */
	}
	log_info("migrate %s: done, %lu pages (%lu zero), %lu bytes, downtime %lu ms",
		 s.st.guest, s.st.pages_sent, s.st.zero_pages, s.st.bytes,
		 s.st.downtime_ns / 1000000);
}

int migrate_send_cancel(void)
{
	if (!migrate_send_active())
		return -EINVAL;
	finish(MSEND_EV_CANCEL, "cancelled by the operator");
	return 0;
}

/* ---------------------------------------------------------------- records */

/* Read frame f of the guest into page_buf; true when it is all zeros. */
static bool read_frame(uint64_t f)
{
	s.g->ram.read(s.g->ram.ctx, f << FRAME_SHIFT, page_buf, sizeof(page_buf));
	return mstream_page_is_zero(page_buf);
}

/* The next frame of this pass, or UINT64_MAX when the pass is over. */
static uint64_t next_frame(void)
{
	uint64_t frames = s.g->ram_size >> FRAME_SHIFT, f;

	if (s.st.phase == MSEND_FIRST_PASS)
		return s.cursor < frames ? s.cursor++ : UINT64_MAX;
	f = dirty_bitmap_next(&s.todo, s.cursor);
	if (f >= frames)
		return UINT64_MAX;
	dirty_bitmap_clear(&s.todo, f);
	s.cursor = f + 1;
	return f;
}

/* Fill s.out with a batch of this pass's pages. false when the pass had none left. */
static bool build_batch(void)
{
	struct mstream_batch b;
	uint64_t f;

	mstream_batch_begin(&b, s.out, MSTREAM_RECORD_MAX, s.st.round);
	while (b.count < MSTREAM_BATCH_MAX && (f = next_frame()) != UINT64_MAX) {
		bool zero = read_frame(f);

		mstream_batch_add(&b, f, zero ? NULL : page_buf);
		s.st.zero_pages += zero;
		s.st.data_pages += !zero;
		s.st.pages_sent++;
	}
	if (!b.count)
		return false;
	s.out_len = mstream_batch_end(&b);
	s.out_off = 0;
	return true;
}

static int put_state(void)
{
	static struct guest_state gs; /* large; one migration at a time */
	static uint8_t rec[GUEST_STATE_ENCODED_MAX];
	int n;

	if (guest_save_state(s.g, &gs))
		return -EIO;
	n = guest_state_encode(&gs, rec, sizeof(rec));
	if (n < 0)
		return n;
	n = mstream_put_state(s.out, MSTREAM_RECORD_MAX, rec, (size_t)n);
	if (n < 0)
		return n;
	s.out_len = (size_t)n;
	s.out_off = 0;
	return 0;
}

/* ---------------------------------------------------------------- rounds */

/* Harvest the dirty log into todo. Returns the frames found or a negative errno. */
static int64_t harvest(void)
{
	struct dirty_bitmap *b;
	int64_t n = dirty_guest_harvest(s.g, &b);

	if (n >= 0)
		dirty_bitmap_or(&s.todo, b);
	return n;
}

/* Measured bandwidth: the better of the last pass and the whole run (a short pass is all latency). */
static uint64_t bandwidth(uint64_t now)
{
	uint64_t pass = precopy_rate(s.acked - s.round_acked, now - s.round_ns);
	uint64_t all = precopy_rate(s.acked, now - s.start_ns);

	return MAX(pass, all);
}

static void begin_pass(enum msend_event ev, uint64_t now)
{
	s.st.phase = msend_phase_next(s.st.phase, ev);
	s.cursor = 0;
	s.round_ns = now;
	s.round_acked = s.acked;
}

static int stop_and_copy(uint64_t now)
{
	int64_t n;

	s.st.expected_ns = s.pc.expected_ns;
	s.st.reason = s.pc.reason;
	s.pause_ns = now;
	s.paused_by_us = true;
	guest_pause(s.g);
	n = harvest(); /* what it wrote since the pass's harvest */
	if (n < 0)
		return (int)n;
	s.st.dirty_pages = dirty_bitmap_count(&s.todo);
	begin_pass(MSEND_EV_STOP_COPY, now);
	log_info("migrate %s: stop-and-copy (%s) after %u rounds, %lu pages left",
		 s.st.guest, precopy_reason_name(s.pc.reason), s.st.round, s.st.dirty_pages);
	return 0;
}

/* A pass is over and all of it acknowledged: harvest, decide. */
static int end_of_pass(void)
{
	uint64_t now = clock_ns(), bw = bandwidth(now);
	int64_t n = harvest();

	if (n < 0)
		return (int)n;
	s.st.dirty_pages = (uint64_t)n;
	s.st.dirty_rate = precopy_rate((uint64_t)n, now - s.round_ns);
	s.st.bandwidth = bw;
	if (precopy_after_round(&s.pc, (uint64_t)n, bw) == PRECOPY_STOP_AND_COPY)
		return stop_and_copy(now);
	s.g->throttle_pct = s.pc.throttle_pct;
	s.st.throttle_pct = s.pc.throttle_pct;
	s.st.round = s.pc.round;
	begin_pass(MSEND_EV_NEXT_ROUND, now);
	return 0;
}

/* Fold DIGEST_PER_POLL frames into the digest; the end record once all are in. */
static int digest_step(void)
{
	uint64_t frames = s.g->ram_size >> FRAME_SHIFT, end = MIN(frames, s.cursor + DIGEST_PER_POLL);
	struct mstream_end e;
	int n;

	for (; s.cursor < end; s.cursor++) {
		s.g->ram.read(s.g->ram.ctx, s.cursor << FRAME_SHIFT, page_buf, sizeof(page_buf));
		s.digest = mstream_digest(s.digest, s.cursor, page_buf);
	}
	if (s.cursor < frames)
		return 0;
	e = (struct mstream_end){ s.st.pages_sent, s.digest };
	n = mstream_put_end(s.out, MSTREAM_RECORD_MAX, &e);
	if (n < 0)
		return n;
	s.out_len = (size_t)n;
	s.out_off = 0;
	s.st.phase = msend_phase_next(s.st.phase, MSEND_EV_END_QUEUED);
	s.st.source_ns = clock_ns() - s.pause_ns;
	return 0;
}

/*
 * Fill s.out with the next record of the current phase. Returns 0, or a
 * negative errno. Leaves s.out empty when the phase waits (for lwIP to
 * drain a pass, for the digest).
 */
static int next_record(void)
{
	switch (s.st.phase) {
	case MSEND_FIRST_PASS:
	case MSEND_ROUNDS:
		if (build_batch())
			return 0;
		/* a pass ends once lwIP has it all acknowledged: harvest sees its whole time */
		return s.acked == s.written ? end_of_pass() : 0;
	case MSEND_STOP_COPY:
		if (build_batch())
			return 0;
		s.st.phase = msend_phase_next(s.st.phase, MSEND_EV_COPIED);
		s.cursor = 0;
		s.digest = 0;
		return put_state();
	case MSEND_DIGEST:
		return digest_step();
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- polling */

static bool sending_phase(void)
{
	return s.st.phase >= MSEND_FIRST_PASS && s.st.phase <= MSEND_WAIT_ACK;
}

/* Test hook (migrate_send_fault): flip a bit of stream byte corrupt_at - 1, once. */
static uint64_t corrupt_at;

void migrate_send_fault(uint64_t offset)
{
	corrupt_at = offset + 1;
}

static void corrupt_in_transit(void)
{
	uint64_t at = corrupt_at - 1;

	if (corrupt_at && at >= s.written && at - s.written < s.out_len - s.out_off) {
		s.out[s.out_off + (at - s.written)] ^= 0x01;
		corrupt_at = 0;
	}
}

/* Hand lwIP what it takes of s.out, within the bandwidth limit. */
static int push(void)
{
	uint64_t budget = precopy_budget(clock_ns() - s.start_ns, s.pc.params.max_bandwidth_mibps);
	size_t n;

	if (s.written >= budget)
		return 0;
	corrupt_in_transit();
	n = transfer_write(s.pcb, s.out + s.out_off,
			   MIN(s.out_len - s.out_off, (size_t)MIN(budget - s.written, (uint64_t)SIZE_MAX)));
	if (n == TRANSFER_FAILED)
		return -EIO;
	s.out_off += n;
	s.written += n;
	if (s.out_off == s.out_len)
		s.out_len = s.out_off = 0;
	return 0;
}

/* Why the guest cannot go on being migrated, or NULL. */
static const char *guest_trouble(void)
{
	struct guest *g = s.g;

	if (!g->used || g->state == GUEST_STOPPED)
		return "the guest stopped during the migration";
	if (s.paused_by_us && g->state != GUEST_PAUSED)
		return "the guest was resumed during stop-and-copy";
	if (!dirty_guest_log(g))
		return "the guest's dirty log was stopped during the migration";
	return NULL;
}

/* The answer arrived: accepted, or refused with a reason. */
static void answered(void)
{
	if (s.ans.status == MACK_ERROR)
		finish(MSEND_EV_FAILURE, "bad answer from the destination: %s", s.ans.msg);
	else if (s.ans.code != MACK_ACCEPTED)
		finish(MSEND_EV_FAILURE, "refused by the destination: %s: %s",
		       mack_code_name(s.ans.code), s.ans.msg);
	else if (s.st.phase != MSEND_WAIT_ACK || s.out_len)
		finish(MSEND_EV_FAILURE, "the destination accepted an incomplete stream");
	else
		succeed();
}

/* Connection-level events: lost, closed, answered, stalled. true when the migration ended. */
static bool check_link(uint64_t now)
{
	const char *why = s.g ? guest_trouble() : NULL;

	if (why)
		finish(MSEND_EV_FAILURE, "%s", why);
	else if (s.ans.status != MACK_MORE)
		answered();
	else if (s.lost)
		finish(MSEND_EV_FAILURE, s.connected ? "connection to the destination lost"
						 : "cannot connect to the destination");
	else if (s.closed_by_peer)
		finish(MSEND_EV_FAILURE, "the destination closed the connection without an answer");
	else if (now - s.progress_ns >= (s.st.phase == MSEND_WAIT_ACK ? TRANSFER_ANSWER_NS
								    : TRANSFER_STALL_NS))
		finish(MSEND_EV_FAILURE, "timed out: no progress for %lu s",
		       (unsigned long)((now - s.progress_ns) / TRANSFER_NS_PER_S));
	else
		return false;
	return true;
}

bool migrate_send_poll(void)
{
	int i, err = 0;

	if (!migrate_send_active() || check_link(clock_ns()))
		return false;
	if (s.st.phase == MSEND_CONNECTING) {
		if (!s.connected)
			return true;
		begin_pass(MSEND_EV_CONNECTED, clock_ns());
	}
	for (i = 0; !err && i < RECORDS_PER_POLL && sending_phase(); i++) {
		if (!s.out_len)
			err = next_record();
		if (err || !s.out_len)
			break;
		err = push();
		if (s.out_len)
			break; /* lwIP is full: wait for acknowledgements */
	}
	if (s.pcb)
		tcp_output(s.pcb);
	if (err)
		finish(MSEND_EV_FAILURE, "sending failed (%s)", transfer_errname(err));
	return migrate_send_active();
}

/* ---------------------------------------------------------------- starting */

static int alloc_buffers(char *err, size_t errlen)
{
	uint64_t frames = s.g->ram_size >> FRAME_SHIFT;
	hpa_t out;

	if (!s.out) {
		out = physmem_alloc_pages(palloc_order_for(MSTREAM_RECORD_MAX));
		s.out = out ? phys_to_virt(out) : NULL; /* kept for the next migration */
	}
	s.todo_order = palloc_order_for(dirty_bitmap_words(frames) * sizeof(uint64_t));
	s.todo_words = physmem_alloc_pages(s.todo_order);
	if (!s.out || !s.todo_words) {
		free_todo();
		fmt_snprintf(err, errlen, "not enough memory for the migration's buffers");
		return -ENOMEM;
	}
	dirty_bitmap_init(&s.todo, phys_to_virt(s.todo_words), frames);
	return 0;
}

static int start_log(char *err, size_t errlen)
{
	struct dirty_caps caps;

	dirty_vmx_caps(&caps);
	return dirty_guest_start(s.g, dirty_mode_choose(&caps), err, errlen);
}

/* The header record goes first, before the first pass. */
static void put_header(void)
{
	struct mstream_header h;

	memset(&h, 0, sizeof(h));
	fmt_snprintf(h.host, sizeof(h.host), "%s", kernel_config()->hostname);
	memcpy(h.guest, s.g->name, sizeof(h.guest));
	h.frames = s.g->ram_size >> FRAME_SHIFT;
	s.out_len = (size_t)mstream_put_header(s.out, MSTREAM_RECORD_MAX, &h);
	s.out_off = 0;
}

static int start_checks(struct guest *g, const char *name, char *err, size_t errlen)
{
	if (migrate_send_active()) {
		fmt_snprintf(err, errlen, "migration of %s already running (migrate cancel)", s.st.guest);
		return -EBUSY;
	}
	if (!g || g->state == GUEST_STOPPED) {
		fmt_snprintf(err, errlen, "no running or paused guest named '%s'", name);
		return -EINVAL;
	}
	return 0;
}

int migrate_send_start(const char *name, uint32_t addr, uint16_t port,
		       const struct precopy_params *params, char *err, size_t errlen)
{
	struct guest *g = guest_find(name);
	int ret = start_checks(g, name, err, errlen);

	if (ret)
		return ret;
	memset(&s.st, 0, sizeof(s.st));
	s = (struct sender){ .out = s.out, .g = g, .was_paused = g->state == GUEST_PAUSED };
	memcpy(s.st.guest, g->name, sizeof(s.st.guest));
	s.st.addr = addr;
	s.st.port = port;
	s.st.ram_bytes = g->ram_size;
	precopy_init(&s.pc, params);
	mack_parser_init(&s.ans);
	ret = alloc_buffers(err, errlen);
	if (!ret)
		ret = start_log(err, errlen);
	if (!ret)
		ret = transfer_connect(&s.pcb, addr, port, on_connected, on_sent, on_recv, on_err);
	if (ret) {
		if (!err[0])
			fmt_snprintf(err, errlen, "cannot open a connection (%s)", transfer_errname(ret));
		give_back_guest();
		free_todo();
		return ret;
	}
	put_header();
	s.start_ns = s.progress_ns = clock_ns();
	s.st.phase = MSEND_CONNECTING;
	log_info("migrate %s: to %u.%u.%u.%u:%u", g->name, addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255, port);
	return 0;
}
