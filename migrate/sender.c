/*
 * The source side of a live migration (see sender.h). Runs from the main
 * loop only: lwIP's callbacks record what happened (bytes acknowledged,
 * the answer, a lost connection), migrate_send_poll acts on it. The rules
 * of lwIP's raw API that net/netbench.c lists hold here too: after the
 * error callback the pcb is gone; callbacks are cleared before a pcb is
 * closed or aborted; nothing here aborts from inside a callback.
 *
 * How it ends (answer, commit, giving the guest back) is send_end.c's.
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
#include "migrate/ack.h"
#include "migrate/sender_priv.h"
#include "migrate/stream.h"
#include "migrate/tls_keys.h"
#include "migrate/transfer.h"

#define FRAME_SHIFT 12
#define RECORDS_PER_POLL 8   /* batches built per main-loop turn: keeps the loop going round */
#define DIGEST_PER_POLL 256  /* frames folded into the digest per turn (1 MiB) */
#define BATCH_EXAMINE_MAX 256 /* frames one batch looks at (unchanged ones take no entry) */
#define DELTA_CACHE_MAX_SLOTS 2048 /* copies of sent pages kept for deltas: at most 8 MiB */


struct sender snd;
static uint8_t page_buf[MSTREAM_PAGE_SIZE];

const struct msend_status *migrate_send_status(void)
{
	if (migrate_send_active())
		snd.st.total_ns = clock_ns() - snd.start_ns;
	if (snd.st.phase != MSEND_IDLE) { /* the channel's counters outlive its connection */
		snd.st.bytes = snd.ch.wire_acked;
		snd.st.tls_cycles = snd.ch.tls_cycles;
		snd.st.tls_bytes = snd.ch.plain_out;
	}
	return &snd.st;
}

bool migrate_send_active(void)
{
	return msend_phase_active(snd.st.phase);
}

/* ---------------------------------------------------------------- the answer */

/* The destination's answer; anything after it is the parser's error. */
static void on_answer(const uint8_t *buf, size_t len)
{
	mack_feed(&snd.ans, buf, len);
}

/* ---------------------------------------------------------------- records */

/* Read frame f of the guest into page_buf. */
static void read_frame(uint64_t f)
{
	snd.g->ram.read(snd.g->ram.ctx, f << FRAME_SHIFT, page_buf, sizeof(page_buf));
}

/* The next frame of this pass, or UINT64_MAX when the pass is over. */
static uint64_t next_frame(void)
{
	uint64_t frames = snd.g->ram_size >> FRAME_SHIFT, f;

	if (snd.st.phase == MSEND_FIRST_PASS)
		return snd.cursor < frames ? snd.cursor++ : UINT64_MAX;
	f = dirty_bitmap_next(&snd.todo, snd.cursor);
	if (f >= frames)
		return UINT64_MAX;
	dirty_bitmap_clear(&snd.todo, f);
	snd.cursor = f + 1;
	return f;
}

/*
 * Fill snd.out with a batch of this pass's pages. false when the pass had
 * none left. Pages equal to the copy sent take no entry, so a batch looks
 * at no more than BATCH_EXAMINE_MAX frames (one main-loop step stays
 * short) and may go out empty.
 */
static bool build_batch(void)
{
	struct mstream_batch b;
	unsigned examined = 0;
	bool more = true;
	uint64_t f, t;

	mstream_batch_begin(&b, snd.out, MSTREAM_RECORD_MAX, snd.st.round);
	while (b.count < MSTREAM_BATCH_MAX && examined < BATCH_EXAMINE_MAX) {
		if ((f = next_frame()) == UINT64_MAX) {
			more = false;
			break;
		}
		examined++;
		read_frame(f);
		t = clock_cycles();
		/* a batch holds 64 whole pages, so an entry always fits */
		send_page_add(&b, snd.cache_mem ? &snd.cache : NULL, f, page_buf, &snd.sent);
		snd.st.encode_cycles += clock_cycles() - t;
		snd.st.encoded_bytes += MSTREAM_PAGE_SIZE;
	}
	snd.st.zero_pages = snd.sent.zero;
	snd.st.data_pages = snd.sent.data;
	snd.st.delta_pages = snd.sent.delta;
	snd.st.unchanged_pages = snd.sent.unchanged;
	snd.st.delta_saved = snd.sent.delta_saved;
	snd.st.pages_sent = snd.sent.zero + snd.sent.data + snd.sent.delta;
	if (!b.count && !more)
		return false;
	snd.out_len = mstream_batch_end(&b);
	snd.out_off = 0;
	return true;
}

static int put_state(void)
{
	static struct guest_state gs; /* large; one migration at a time */
	static uint8_t rec[GUEST_STATE_ENCODED_MAX];
	int n;

	if (guest_save_state(snd.g, &gs))
		return -EIO;
	n = guest_state_encode(&gs, rec, sizeof(rec));
	if (n < 0)
		return n;
	n = mstream_put_state(snd.out, MSTREAM_RECORD_MAX, rec, (size_t)n);
	if (n < 0)
		return n;
	snd.out_len = (size_t)n;
	snd.out_off = 0;
	return 0;
}

/* ---------------------------------------------------------------- rounds */

/* Harvest the dirty log into todo. Returns the frames found or a negative errno. */
static int64_t harvest(void)
{
	struct dirty_bitmap *b;
	int64_t n = dirty_guest_harvest(snd.g, &b);

	if (n >= 0)
		dirty_bitmap_or(&snd.todo, b);
	return n;
}

/* Measured bandwidth: the better of the last pass and the whole run (a short pass is all latency). */
static uint64_t bandwidth(uint64_t now)
{
	uint64_t pass = precopy_rate(snd.ch.wire_acked - snd.round_acked, now - snd.round_ns);
	uint64_t all = precopy_rate(snd.ch.wire_acked, now - snd.start_ns);

	return MAX(pass, all);
}

static void begin_pass(enum msend_event ev, uint64_t now)
{
	snd.st.phase = msend_phase_next(snd.st.phase, ev);
	snd.cursor = 0;
	snd.round_ns = now;
	snd.round_acked = snd.ch.wire_acked;
}

static int stop_and_copy(uint64_t now)
{
	int64_t n;

	snd.st.expected_ns = snd.pc.expected_ns;
	snd.st.reason = snd.pc.reason;
	snd.pause_ns = now;
	snd.paused_by_us = true;
	guest_pause(snd.g);
	n = harvest(); /* what it wrote since the pass's harvest */
	if (n < 0)
		return (int)n;
	snd.st.dirty_pages = dirty_bitmap_count(&snd.todo);
	begin_pass(MSEND_EV_STOP_COPY, now);
	log_info("migrate %s: stop-and-copy (%s) after %u rounds, %lu pages left",
		 snd.st.guest, precopy_reason_name(snd.pc.reason), snd.st.round, snd.st.dirty_pages);
	return 0;
}

/* A pass is over and all of it acknowledged: harvest, decide. */
static int end_of_pass(void)
{
	uint64_t now = clock_ns(), bw = bandwidth(now);
	int64_t n = harvest();

	if (n < 0)
		return (int)n;
	snd.st.dirty_pages = (uint64_t)n;
	snd.st.dirty_rate = precopy_rate((uint64_t)n, now - snd.round_ns);
	snd.st.bandwidth = bw;
	if (precopy_after_round(&snd.pc, (uint64_t)n, bw) == PRECOPY_STOP_AND_COPY)
		return stop_and_copy(now);
	snd.g->throttle_pct = snd.pc.throttle_pct;
	snd.st.throttle_pct = snd.pc.throttle_pct;
	snd.st.round = snd.pc.round;
	begin_pass(MSEND_EV_NEXT_ROUND, now);
	return 0;
}

/* Fold DIGEST_PER_POLL frames into the digest; the end record once all are in. */
static int digest_step(void)
{
	uint64_t frames = snd.g->ram_size >> FRAME_SHIFT, end = MIN(frames, snd.cursor + DIGEST_PER_POLL);
	struct mstream_end e;
	int n;

	for (; snd.cursor < end; snd.cursor++) {
		snd.g->ram.read(snd.g->ram.ctx, snd.cursor << FRAME_SHIFT, page_buf, sizeof(page_buf));
		snd.digest = mstream_digest(snd.digest, snd.cursor, page_buf);
	}
	if (snd.cursor < frames)
		return 0;
	e = (struct mstream_end){ snd.st.pages_sent, snd.digest };
	n = mstream_put_end(snd.out, MSTREAM_RECORD_MAX, &e);
	if (n < 0)
		return n;
	snd.out_len = (size_t)n;
	snd.out_off = 0;
	snd.st.phase = msend_phase_next(snd.st.phase, MSEND_EV_END_QUEUED);
	snd.st.source_ns = clock_ns() - snd.pause_ns;
	return 0;
}

/*
 * Fill snd.out with the next record of the current phase. Returns 0, or a
 * negative errno. Leaves snd.out empty when the phase waits (for lwIP to
 * drain a pass, for the digest).
 */
static int next_record(void)
{
	switch (snd.st.phase) {
	case MSEND_FIRST_PASS:
	case MSEND_ROUNDS:
		if (build_batch())
			return 0;
		/* a pass ends once lwIP has it all acknowledged: harvest sees its whole time */
		return mchan_drained(&snd.ch) ? end_of_pass() : 0;
	case MSEND_STOP_COPY:
		if (build_batch())
			return 0;
		snd.st.phase = msend_phase_next(snd.st.phase, MSEND_EV_COPIED);
		snd.cursor = 0;
		snd.digest = 0;
		return put_state();
	case MSEND_DIGEST:
		return digest_step();
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- polling */

/* Phases with bytes to hand lwIP: the stream, then our commit. */
static bool sending_phase(void)
{
	return snd.st.phase >= MSEND_FIRST_PASS && snd.st.phase <= MSEND_COMMIT;
}

void migrate_send_fault(enum migrate_fault f, uint64_t offset)
{
	mchan_arm_fault(f, offset);
}

/* Hand lwIP what it takes of snd.out, within the bandwidth limit. */
static int push(void)
{
	uint64_t budget = precopy_budget(clock_ns() - snd.start_ns, snd.pc.params.max_bandwidth_mibps);
	size_t n;

	if (snd.written >= budget)
		return 0;
	n = mchan_write(&snd.ch, snd.out + snd.out_off,
			MIN(snd.out_len - snd.out_off, (size_t)MIN(budget - snd.written, (uint64_t)SIZE_MAX)));
	if (n == TRANSFER_FAILED)
		return -EIO;
	snd.out_off += n;
	snd.written += n;
	if (snd.out_off == snd.out_len)
		snd.out_len = snd.out_off = 0;
	return 0;
}

bool migrate_send_poll(void)
{
	int i, err = 0;

	if (!migrate_send_active() || msend_check_link(clock_ns()))
		return false;
	if (snd.st.phase == MSEND_CONNECTING) {
		if (!mchan_ready(&snd.ch)) {
			mchan_flush(&snd.ch);
			return true;
		}
		fmt_snprintf(snd.st.tls, sizeof(snd.st.tls), "%s", mchan_cipher(&snd.ch));
		begin_pass(MSEND_EV_CONNECTED, clock_ns());
	}
	for (i = 0; !err && i < RECORDS_PER_POLL && sending_phase(); i++) {
		if (!snd.out_len)
			err = next_record();
		if (err || !snd.out_len)
			break;
		err = push();
		if (snd.out_len)
			break; /* lwIP is full: wait for acknowledgements */
	}
	mchan_flush(&snd.ch);
	if (err)
		msend_finish(MSEND_EV_FAILURE, "sending failed (%s)", transfer_errname(err));
	return migrate_send_active();
}

/* ---------------------------------------------------------------- starting */

/*
 * The delta cache: one slot per frame up to DELTA_CACHE_MAX_SLOTS, the
 * slots first, then the pages. Without the memory, pages go whole (said
 * in the log): a migration does not fail for want of a cache.
 */
static void alloc_cache(uint64_t frames)
{
	size_t n = frames < DELTA_CACHE_MAX_SLOTS ? (size_t)frames : DELTA_CACHE_MAX_SLOTS;
	size_t slots_bytes = (n * sizeof(struct delta_slot) + DELTA_PAGE_SIZE - 1) &
			     ~(size_t)(DELTA_PAGE_SIZE - 1);
	uint8_t *mem;

	snd.cache_order = palloc_order_for(slots_bytes + n * DELTA_PAGE_SIZE);
	snd.cache_mem = physmem_alloc_pages(snd.cache_order);
	if (!snd.cache_mem) {
		log_warn("migrate %s: no memory for the delta cache; pages go whole", snd.g->name);
		return;
	}
	mem = phys_to_virt(snd.cache_mem);
	delta_cache_init(&snd.cache, (struct delta_slot *)mem, mem + slots_bytes, n);
}

static int alloc_buffers(char *err, size_t errlen)
{
	uint64_t frames = snd.g->ram_size >> FRAME_SHIFT;
	hpa_t out;

	if (!snd.out) {
		out = physmem_alloc_pages(palloc_order_for(MSTREAM_RECORD_MAX));
		snd.out = out ? phys_to_virt(out) : NULL; /* kept for the next migration */
	}
	snd.todo_order = palloc_order_for(dirty_bitmap_words(frames) * sizeof(uint64_t));
	snd.todo_words = physmem_alloc_pages(snd.todo_order);
	if (!snd.out || !snd.todo_words) {
		msend_free_todo();
		fmt_snprintf(err, errlen, "not enough memory for the migration's buffers");
		return -ENOMEM;
	}
	dirty_bitmap_init(&snd.todo, phys_to_virt(snd.todo_words), frames);
	if (snd.pc.params.delta)
		alloc_cache(frames);
	return 0;
}

static int start_log(char *err, size_t errlen)
{
	struct dirty_caps caps;

	dirty_vmx_caps(&caps);
	return dirty_guest_start(snd.g, dirty_mode_choose(&caps), err, errlen);
}

/* The header record goes first, before the first pass. */
static void put_header(void)
{
	struct mstream_header h;

	memset(&h, 0, sizeof(h));
	fmt_snprintf(h.host, sizeof(h.host), "%s", kernel_config()->hostname);
	memcpy(h.guest, snd.g->name, sizeof(h.guest));
	h.frames = snd.g->ram_size >> FRAME_SHIFT;
	snd.out_len = (size_t)mstream_put_header(snd.out, MSTREAM_RECORD_MAX, &h);
	snd.out_off = 0;
}

static int start_checks(struct guest *g, const char *name, char *err, size_t errlen)
{
	if (migrate_send_active()) {
		fmt_snprintf(err, errlen, "migration of %s already running (migrate cancel)", snd.st.guest);
		return -EBUSY;
	}
	if (!tls_keys_ready()) {
		fmt_snprintf(err, errlen, "%s", TLS_KEYS_MISSING);
		return -EPERM;
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
	memset(&snd.st, 0, sizeof(snd.st));
	snd = (struct sender){ .out = snd.out, .g = g, .was_paused = g->state == GUEST_PAUSED };
	memcpy(snd.st.guest, g->name, sizeof(snd.st.guest));
	snd.st.addr = addr;
	snd.st.port = port;
	snd.st.ram_bytes = g->ram_size;
	precopy_init(&snd.pc, params);
	mack_parser_init(&snd.ans);
	ret = alloc_buffers(err, errlen);
	if (!ret)
		ret = start_log(err, errlen);
	if (!ret)
		ret = mchan_connect(&snd.ch, addr, port, tls_keys_get()->enabled, on_answer);
	if (ret) {
		if (!err[0])
			fmt_snprintf(err, errlen, "cannot open a connection (%s)", transfer_errname(ret));
		msend_give_back_guest();
		msend_free_todo();
		return ret;
	}
	put_header();
	snd.start_ns = clock_ns();
	snd.st.phase = MSEND_CONNECTING;
	log_info("migrate %s: to %u.%u.%u.%u:%u", g->name, addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255, port);
	return 0;
}
