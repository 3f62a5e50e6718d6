/*
 * The destination side of a live migration (see receiver.h). lwIP's
 * callbacks feed the decoder and record events; migrate_recv_poll
 * verifies, builds, answers and cleans up, so nothing slow runs inside
 * lwIP and nothing is torn down from inside a callback (the lwIP rules
 * net/netbench.c lists hold here too).
 *
 * Staged memory lives in 2 MiB host blocks, like a snapshot's, outside
 * any guest: a stream that fails leaves no guest behind, not even a
 * paused one.
 */
#include <stdarg.h>
#include <string.h>

#include "arch/x86/paging.h"
#include "arch/x86/vcpu.h"
#include "kernel/clock.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "lib/fmt.h"
#include "lwip/tcp.h"
#include "migrate/ack.h"
#include "migrate/channel.h"
#include "migrate/receiver.h"
#include "migrate/tls_keys.h"
#include "migrate/transfer.h"

#define FRAME_SHIFT 12
#define BLOCK GUEST_CHUNK
#define BLOCK_ORDER 9 /* 2^9 pages = 2 MiB */
#define FRAMES_PER_BLOCK (BLOCK >> FRAME_SHIFT)
#define DIGEST_PER_POLL 256 /* frames per main-loop turn (1 MiB) */

static const char *const phase_names[] = { "off", "listening", "receiving", "verifying",
					   "answering" };

struct receiver {
	struct mrecv_status st;
	struct tcp_pcb *listen;
	struct mchan ch;             /* the source's connection, TLS unless off */
	struct mstream_dec *dec;     /* from the page allocator: a record is 257 KiB */
	hpa_t table;                 /* page(s) holding blocks[] */
	unsigned table_order;
	hpa_t *blocks;
	uint32_t nblocks;
	bool have_state, failed;
	enum mack_code code;         /* the refusal, once failed */
	char why[MACK_MSG_MAX + 1];
	struct mstream_end end;
	uint64_t cursor, digest;
	struct guest *g;             /* built, runs once the source's commit arrives */
	struct mack_parser commit;   /* the source's reply to our acceptance */
	uint8_t ans[MACK_MAX];
	size_t ans_len, ans_off;
	uint64_t ans_ns, end_ns;
};

static struct receiver r;
static struct guest_state staged_state; /* large; one stream at a time */

const char *migrate_recv_phase_name(enum mrecv_phase p)
{
	return (unsigned)p <= MRECV_ANSWERING ? phase_names[p] : "unknown";
}

const struct mrecv_status *migrate_recv_status(void)
{
	return &r.st;
}

/* ---------------------------------------------------------------- staging */

static void staging_free(void)
{
	uint32_t i;

	for (i = 0; r.blocks && i < r.nblocks; i++)
		if (r.blocks[i])
			physmem_free_pages(r.blocks[i], BLOCK_ORDER);
	if (r.table)
		physmem_free_pages(r.table, r.table_order);
	r.table = 0;
	r.blocks = NULL;
	r.nblocks = 0;
}

/* Blocks for frames frames, zeroed by the allocator: a frame the stream never names reads as zeros. */
static int staging_alloc(uint64_t frames)
{
	uint32_t i, n = (uint32_t)DIV_ROUND_UP(frames, FRAMES_PER_BLOCK);

	r.table_order = palloc_order_for(n * sizeof(hpa_t));
	r.table = physmem_alloc_pages(r.table_order);
	if (!r.table)
		return -ENOMEM;
	r.blocks = phys_to_virt(r.table);
	memset(r.blocks, 0, n * sizeof(hpa_t));
	r.nblocks = n;
	for (i = 0; i < n; i++) {
		r.blocks[i] = physmem_alloc_pages(BLOCK_ORDER);
		if (!r.blocks[i])
			return -ENOMEM;
	}
	return 0;
}

static uint8_t *staged_frame(uint64_t f)
{
	uint8_t *block = phys_to_virt(r.blocks[f / FRAMES_PER_BLOCK]);

	return block + (f % FRAMES_PER_BLOCK) * MSTREAM_PAGE_SIZE;
}

/* ---------------------------------------------------------------- decoder callbacks */

static int refuse_cb(enum mack_code code, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* A callback refuses: remember why, for the answer. */
static int refuse_cb(enum mack_code code, const char *fmt, ...)
{
	va_list ap;

	r.code = code;
	va_start(ap, fmt);
	fmt_vsnprintf(r.why, sizeof(r.why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int on_header(void *ctx, const struct mstream_header *h)
{
	struct guest *g = guest_find(h->guest);

	memcpy(r.st.guest, h->guest, sizeof(r.st.guest));
	memcpy(r.st.host, h->host, sizeof(r.st.host));
	r.st.frames = h->frames;
	if (h->frames > MiB(GUEST_MEM_MAX_MIB) >> FRAME_SHIFT)
		return refuse_cb(MACK_NO_RESOURCES, "%lu MiB is more RAM than a guest may have",
				 (unsigned long)(h->frames >> 8));
	if (g && g->state != GUEST_STOPPED)
		return refuse_cb(MACK_NO_RESOURCES, "a guest named '%s' is already %s here",
				 h->guest, guest_state_name(g->state));
	if (staging_alloc(h->frames))
		return refuse_cb(MACK_NO_RESOURCES, "not enough memory for %lu MiB (%lu MiB free)",
				 (unsigned long)(h->frames >> 8),
				 (unsigned long)(physmem_allocator()->free_pages >> 8));
	return 0;
}

static int on_page(void *ctx, uint64_t frame, const void *data)
{
	/* the decoder checked frame < the header's frames */
	if (data)
		memcpy(staged_frame(frame), data, MSTREAM_PAGE_SIZE);
	else
		memset(staged_frame(frame), 0, MSTREAM_PAGE_SIZE);
	r.st.pages++;
	return 0;
}

static int on_state(void *ctx, const uint8_t *rec, size_t len)
{
	char why[160];

	if (guest_state_decode(rec, len, &staged_state, why, sizeof(why)))
		return refuse_cb(MACK_BAD_STREAM, "state record: %s", why);
	/* a state this CPU cannot run is refused now, not after our acceptance */
	if (vcpu_arch_check_state(&staged_state.cpu, why, sizeof(why)))
		return refuse_cb(MACK_BAD_STREAM, "state record: %s", why);
	if (staged_state.ram_size != r.st.frames << FRAME_SHIFT)
		return refuse_cb(MACK_BAD_STREAM, "state record is for %lu MiB, the header said %lu MiB",
				 (unsigned long)(staged_state.ram_size >> 20),
				 (unsigned long)(r.st.frames >> 8));
	if (strcmp(staged_state.config.name, r.st.guest))
		return refuse_cb(MACK_BAD_STREAM, "state record names guest '%s', the header '%s'",
				 staged_state.config.name, r.st.guest);
	r.have_state = true;
	return 0;
}

static int on_end(void *ctx, const struct mstream_end *e)
{
	r.end = *e;
	return 0;
}

/* The decoder checked the delta; the staged copy is the one it was made against. */
static int on_delta(void *ctx, uint64_t frame, const uint8_t *enc, size_t len)
{
	if (delta_apply(staged_frame(frame), enc, len))
		return -EPROTO;
	r.st.pages++;
	r.st.delta_pages++;
	return 0;
}

static const struct mstream_ops dec_ops = { on_header, on_page, on_state, on_end, NULL, on_delta };

/* ---------------------------------------------------------------- lwIP callbacks */

/* Plaintext from the source: the stream, then its reply to our acceptance. */
static void on_plain(const uint8_t *buf, size_t len)
{
	if (r.st.phase == MRECV_ANSWERING && r.g)
		mack_feed(&r.commit, buf, len); /* its errors are poll's to act on */
	if (r.st.phase != MRECV_RECEIVING || r.failed)
		return;
	if (mstream_feed(r.dec, buf, len) < 0) {
		r.failed = true;
		if (!r.why[0]) {
			r.code = MACK_BAD_STREAM;
			fmt_snprintf(r.why, sizeof(r.why), "%s", r.dec->err);
		}
	}
}

/* One source at a time: another connection meanwhile is reset. */
static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (r.ch.pcb || r.st.phase != MRECV_LISTENING) {
		log_warn("migrate incoming: busy, resetting a second connection");
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	if (mchan_accept(&r.ch, pcb, tls_keys_get()->enabled, on_plain)) {
		log_warn("migrate incoming: %s", tls_keys_ready() ? "cannot set up TLS, resetting the connection"
								  : TLS_KEYS_MISSING);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	r.failed = r.have_state = false;
	r.why[0] = 0;
	r.g = NULL;
	r.ans_len = r.ans_off = 0;
	memset(r.st.guest, 0, sizeof(r.st.guest));
	memset(r.st.host, 0, sizeof(r.st.host));
	r.st.bytes = r.st.pages = r.st.frames = r.st.delta_pages = 0;
	r.st.tls_cycles = r.st.tls_bytes = 0;
	r.st.tls[0] = 0;
	r.st.attempts++;
	r.st.phase = MRECV_RECEIVING;
	mstream_dec_init(r.dec, &dec_ops);
	mack_parser_init(&r.commit);
	log_info("migrate incoming: connection from %s", ipaddr_ntoa(&pcb->remote_ip));
	return ERR_OK;
}

/* ---------------------------------------------------------------- outcomes */

static void note(const char *fmt, ...) PRINTF_LIKE(1, 2);

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(r.st.last, sizeof(r.st.last), fmt, ap);
	va_end(ap);
}

static void drop_pcb(bool graceful)
{
	mchan_close(&r.ch, graceful);
}

static void stop_listening(void)
{
	if (r.listen) {
		tcp_arg(r.listen, NULL);
		tcp_accept(r.listen, NULL);
		tcp_close(r.listen); /* a listening pcb always closes */
	}
	r.listen = NULL;
}

/* Throw away everything of this attempt; listen for the next one (if still listening). */
static void discard(const char *why)
{
	drop_pcb(false);
	staging_free();
	if (r.g) {
		guest_free(r.g); /* built but never run */
		r.g = NULL;
	}
	note("%s%s%s: %s", r.st.guest[0] ? "guest " : "", r.st.guest,
	     r.st.guest[0] ? " discarded" : "connection discarded", why);
	log_warn("migrate incoming: %s", r.st.last);
	r.st.phase = r.listen ? MRECV_LISTENING : MRECV_OFF;
}

/* Queue the answer; poll retries what lwIP did not take yet. */
static void answer(enum mack_code code, const char *msg)
{
	int n = mack_encode(r.ans, sizeof(r.ans), code, msg);

	r.ans_len = n > 0 ? (size_t)n : 0;
	r.ans_off = 0;
	r.ans_ns = clock_ns();
	r.st.phase = MRECV_ANSWERING;
}

static void refuse(enum mack_code code, const char *why)
{
	r.st.refused++;
	staging_free(); /* nothing of a refused stream is kept */
	note("guest %s refused (%s): %s", r.st.guest[0] ? r.st.guest : "?", mack_code_name(code), why);
	log_warn("migrate incoming: %s", r.st.last);
	answer(code, why);
}

/*
 * A new guest with the staged memory as its RAM (taken over, not copied:
 * the source's guest is paused meanwhile) and the staged state loaded.
 */
static int build(char *err, size_t errlen)
{
	struct guest *g = guest_alloc_adopt(&staged_state.config, r.blocks, r.nblocks, err, errlen);
	uint32_t i;

	if (!g)
		return -ENOMEM; /* the blocks are still ours: refuse() frees them */
	for (i = 0; i < r.nblocks; i++)
		r.blocks[i] = 0; /* the guest's now */
	if (guest_load_state(g, &staged_state, err, errlen)) {
		guest_free(g);
		return -EIO;
	}
	r.g = g; /* paused until the source has our acceptance */
	return 0;
}

/* Digest DIGEST_PER_POLL staged frames; at the last, check it and build or refuse. */
static void verify_step(void)
{
	uint64_t end = MIN(r.st.frames, r.cursor + DIGEST_PER_POLL);
	char err[MACK_MSG_MAX];

	for (; r.cursor < end; r.cursor++)
		r.digest = mstream_digest(r.digest, r.cursor, staged_frame(r.cursor));
	if (r.cursor < r.st.frames)
		return;
	if (r.digest != r.end.digest) {
		fmt_snprintf(err, sizeof(err), "memory digest %016lx does not match the source's %016lx",
			     (unsigned long)r.digest, (unsigned long)r.end.digest);
		refuse(MACK_BAD_DIGEST, err);
	} else if (build(err, sizeof(err))) {
		refuse(MACK_NO_RESOURCES, err);
	} else {
		r.st.build_ms = (clock_ns() - r.end_ns) / 1000000;
		staging_free();
		answer(MACK_ACCEPTED, "guest running");
	}
}

/* The source committed: the guest is ours, run it; a graceful close tells the source. */
static void committed(void)
{
	struct guest *g = r.g;

	drop_pcb(true);
	r.g = NULL;
	r.st.accepted++;
	if (g->used && g->state == GUEST_PAUSED)
		g->state = GUEST_RUNNING;
	note("guest %s arrived from %s (%lu pages, %lu bytes)", g->name, r.st.host,
	     (unsigned long)r.st.pages, (unsigned long)r.st.bytes);
	log_info("migrate incoming: %s", r.st.last);
	stop_listening(); /* one guest per `migrate incoming` */
	r.st.phase = MRECV_OFF;
}

/* ---------------------------------------------------------------- polling */

/*
 * The handshake or a record failed: nothing more can be said to the
 * source through the session, so the refusal is mbedTLS's alert (already
 * queued), and ours is in the log and the status.
 */
static void refuse_tls(const char *why)
{
	r.st.refused++;
	staging_free();
	note("connection refused (TLS): %s", why);
	log_warn("migrate incoming: %s", r.st.last);
	r.ans_len = r.ans_off = 0;
	r.ans_ns = clock_ns();
	r.st.phase = MRECV_ANSWERING;
}

static void poll_receiving(uint64_t now)
{
	if (mchan_error(&r.ch))
		refuse_tls(mchan_error(&r.ch));
	else if (r.failed)
		refuse(r.code, r.why);
	else if (r.ch.lost || r.ch.peer_closed)
		discard(r.ch.lost ? "connection lost" : "the source closed the stream before its end");
	else if (now - r.ch.last_ns >= TRANSFER_STALL_NS)
		discard("no data for 30 s");
	else if (r.dec->phase == MSTREAM_DONE) {
		r.st.phase = MRECV_VERIFYING;
		r.cursor = r.digest = 0;
		r.end_ns = now;
	}
}

/* Hand the channel what it takes of our answer. */
static void write_answer(void)
{
	size_t n;

	if (r.ch.pcb && r.ans_off < r.ans_len) {
		n = mchan_write(&r.ch, r.ans + r.ans_off, r.ans_len - r.ans_off);
		if (n != TRANSFER_FAILED)
			r.ans_off += n;
	}
	mchan_flush(&r.ch);
}

/*
 * Accepted: the guest runs only on the source's commit. Without it
 * (connection lost or closed, something else sent, no commit in
 * TRANSFER_COMMIT_NS) it is thrown away unrun: the source either never
 * let go (and resumes it) or keeps its copy paused, in doubt.
 */
static void poll_commit(uint64_t now)
{
	if (r.commit.status == MACK_DONE && r.commit.code == MACK_COMMIT)
		committed();
	else if (r.commit.status == MACK_ERROR)
		discard("the source's reply to our acceptance is not a commit");
	else if (r.commit.status == MACK_DONE)
		discard("the source answered our acceptance with something other than a commit");
	else if (mchan_error(&r.ch))
		discard("TLS failed before the source's commit");
	else if (r.ch.lost || r.ch.peer_closed)
		discard("the connection ended before the source's commit");
	else if (now - r.ans_ns >= TRANSFER_COMMIT_NS)
		discard("no commit from the source");
	else
		write_answer();
}

/* Refused: give the refusal a moment to reach the source, then let the connection go. */
static void poll_refusal(uint64_t now)
{
	bool delivered = r.ans_off >= r.ans_len && mchan_drained(&r.ch);

	if (delivered || r.ch.lost || now - r.ans_ns >= TRANSFER_LINGER_NS) {
		/* a refusal the source may not have read: the refusal stays the last word */
		drop_pcb(delivered && !r.ch.lost);
		r.st.phase = r.listen ? MRECV_LISTENING : MRECV_OFF;
	} else {
		write_answer();
	}
}

static void poll_answering(uint64_t now)
{
	if (r.g)
		poll_commit(now);
	else
		poll_refusal(now);
}

bool migrate_recv_poll(void)
{
	uint64_t now = clock_ns();

	if (r.ch.pcb) {
		r.st.bytes = r.ch.wire_in;
		r.st.tls_cycles = r.ch.tls_cycles;
		r.st.tls_bytes = r.ch.plain_in;
		if (mchan_ready(&r.ch))
			fmt_snprintf(r.st.tls, sizeof(r.st.tls), "%s", mchan_cipher(&r.ch));
	}
	switch (r.st.phase) {
	case MRECV_RECEIVING:
		poll_receiving(now);
		break;
	case MRECV_VERIFYING:
		if (r.ch.lost)
			discard("connection lost while verifying");
		else
			verify_step();
		break;
	case MRECV_ANSWERING:
		poll_answering(now);
		break;
	default:
		return false;
	}
	return r.st.phase >= MRECV_RECEIVING;
}

/* ---------------------------------------------------------------- commands */

static int open_listener(uint16_t port)
{
	struct tcp_pcb *pcb = tcp_new(), *lpcb;

	if (!pcb)
		return -ENOMEM;
	/*
	 * The last accepted connection's pcb waits out TIME_WAIT (2 MSL) on
	 * this port after our close; without SO_REUSEADDR the next
	 * `migrate incoming` within that time could not bind.
	 */
	ip_set_option(pcb, SOF_REUSEADDR);
	if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
		tcp_close(pcb); /* never connected: frees it */
		return -EBUSY;
	}
	lpcb = tcp_listen_with_backlog(pcb, 1);
	if (!lpcb) {
		tcp_close(pcb);
		return -ENOMEM;
	}
	tcp_accept(lpcb, on_accept);
	r.listen = lpcb;
	return 0;
}

int migrate_recv_listen(uint16_t port, char *err, size_t errlen)
{
	hpa_t pa;

	if (r.listen) {
		fmt_snprintf(err, errlen, "already listening on port %u (migrate incoming cancel)",
			     r.st.port);
		return r.st.port == port ? 0 : -EBUSY;
	}
	if (!tls_keys_ready()) {
		fmt_snprintf(err, errlen, "%s", TLS_KEYS_MISSING);
		return -EPERM;
	}
	if (!r.dec) {
		pa = physmem_alloc_pages(palloc_order_for(sizeof(*r.dec)));
		r.dec = pa ? phys_to_virt(pa) : NULL; /* kept for the next stream */
	}
	if (!r.dec) {
		fmt_snprintf(err, errlen, "not enough memory for the stream decoder");
		return -ENOMEM;
	}
	if (open_listener(port)) {
		fmt_snprintf(err, errlen, "cannot listen on port %u (in use, or out of pcbs)", port);
		return -EBUSY;
	}
	r.st.port = port;
	r.st.phase = MRECV_LISTENING;
	log_info("migrate incoming: listening on port %u", port);
	return 0;
}

int migrate_recv_cancel(void)
{
	if (r.st.phase == MRECV_OFF)
		return -EINVAL;
	stop_listening();
	if (r.g && r.st.phase == MRECV_ANSWERING)
		return 0; /* our acceptance is on its way: the source may already have let go */
	if (r.ch.pcb && r.st.phase == MRECV_RECEIVING) {
		/* a last word to the source, best effort: it learns why at once */
		uint8_t ans[MACK_MAX];
		int n = mack_encode(ans, sizeof(ans), MACK_CANCELLED, "cancelled on the destination");

		if (n > 0)
			mchan_write(&r.ch, ans, (size_t)n);
		drop_pcb(true); /* a close, not a reset: the answer still goes out */
	}
	if (r.ch.pcb || r.g || r.blocks)
		discard("cancelled by the operator");
	r.st.phase = MRECV_OFF;
	return 0;
}
