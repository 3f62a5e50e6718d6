/*
 * A migration connection, TLS or plain (see channel.h).
 *
 * Ciphertext leaves the session in chunks (carry) because TCP may take
 * only part of one: the session's FIFO cannot take bytes back.
 */
#include <string.h>

#include "kernel/clock.h"
#include "migrate/channel.h"
#include "migrate/tls.h"
#include "migrate/tls_keys.h"
#include "migrate/transfer.h"

/* Plaintext decrypted in one go; delivered before the next. */
static uint8_t plain[4096];

/* Test hooks for the next connection, and what MIGRATE_FAULT_RECORD kept. */
static struct {
	uint64_t flip_at, cut_at;
	bool record, replay;
} armed;
static uint8_t recorded[MCHAN_RECORD_BYTES];
static size_t recorded_len;

void mchan_arm_fault(enum migrate_fault f, uint64_t offset)
{
	switch (f) {
	case MIGRATE_FAULT_CORRUPT:
		armed.flip_at = offset + 1;
		break;
	case MIGRATE_FAULT_TRUNCATE:
		armed.cut_at = offset + 1;
		break;
	case MIGRATE_FAULT_RECORD:
		armed.record = true;
		break;
	case MIGRATE_FAULT_REPLAY:
		armed.replay = true;
		break;
	}
}

/* The connection takes the armed faults. */
static void take_faults(struct mchan *ch)
{
	ch->flip_at = armed.flip_at;
	ch->cut_at = armed.cut_at;
	ch->recording = armed.record;
	ch->replaying = armed.replay;
	if (ch->recording)
		recorded_len = 0;
	memset(&armed, 0, sizeof(armed));
}

/* What the test hooks do to bytes about to go out: n cut short, or 0 once truncated. */
static size_t before_wire(struct mchan *ch, size_t n)
{
	uint64_t limit = ch->cut_at - 1;

	if (!ch->cut_at)
		return n;
	if (ch->wire_out >= limit)
		return 0;
	return (size_t)MIN((uint64_t)n, limit - ch->wire_out);
}

static void after_wire(struct mchan *ch, const uint8_t *buf, size_t k)
{
	size_t room = sizeof(recorded) - recorded_len;

	if (ch->recording && room) {
		memcpy(recorded + recorded_len, buf, MIN(k, room));
		recorded_len += MIN(k, room);
	}
	if (ch->cut_at && ch->wire_out == ch->cut_at - 1)
		tcp_shutdown(ch->pcb, 0, 1); /* our FIN: the peer sees the stream end here */
}

/* ---------------------------------------------------------------- to TCP */

/*
 * transfer_write, counting the wire and applying the test hook: the byte
 * at flip_at - 1 goes out with one bit flipped, as a faulty link would.
 */
static size_t write_wire(struct mchan *ch, const uint8_t *buf, size_t n)
{
	uint64_t at = ch->flip_at - 1;
	uint8_t flipped;
	size_t k;

	n = before_wire(ch, n);
	if (!n)
		return 0;
	if (ch->flip_at && at >= ch->wire_out && at - ch->wire_out < n) {
		k = (size_t)(at - ch->wire_out);
		if (k) {
			k = transfer_write(ch->pcb, buf, k);
		} else {
			flipped = buf[0] ^ 0x01;
			k = transfer_write(ch->pcb, &flipped, 1);
			if (k == 1)
				ch->flip_at = 0;
		}
	} else {
		k = transfer_write(ch->pcb, buf, n);
	}
	if (k == TRANSFER_FAILED) {
		ch->lost = true;
		return k;
	}
	ch->wire_out += k;
	after_wire(ch, buf, k);
	return k;
}

void mchan_flush(struct mchan *ch)
{
	size_t n;

	if (!ch->pcb || !ch->connected)
		return; /* nothing queued before the handshake of TCP: truncation counts from there */
	while (ch->replaying && ch->replay_off < recorded_len) {
		n = write_wire(ch, recorded + ch->replay_off, recorded_len - ch->replay_off);
		if (n == TRANSFER_FAILED || !n)
			break;
		ch->replay_off += n;
	}
	while (ch->tls) {
		if (ch->carry_off == ch->carry_len) {
			ch->carry_len = mtls_take_ciphertext(ch->tls, ch->carry, sizeof(ch->carry));
			ch->carry_off = 0;
			if (!ch->carry_len)
				break;
		}
		n = write_wire(ch, ch->carry + ch->carry_off, ch->carry_len - ch->carry_off);
		if (n == TRANSFER_FAILED || !n)
			break;
		ch->carry_off += n;
	}
	if (ch->pcb)
		tcp_output(ch->pcb);
}

size_t mchan_write(struct mchan *ch, const uint8_t *buf, size_t n)
{
	uint64_t t;
	size_t k;
	int w;

	if (!ch->pcb)
		return TRANSFER_FAILED;
	if (ch->replaying)
		return 0;
	if (!ch->tls) {
		k = write_wire(ch, buf, n);
		if (k != TRANSFER_FAILED)
			ch->plain_out += k;
		return k;
	}
	mchan_flush(ch); /* room in the session for more */
	t = clock_cycles();
	w = mtls_write(ch->tls, buf, n);
	ch->tls_cycles += clock_cycles() - t;
	if (w < 0)
		return TRANSFER_FAILED;
	ch->plain_out += (size_t)w;
	return (size_t)w;
}

/* ---------------------------------------------------------------- from TCP */

/* Hand on what the session has decrypted; whether there was any. */
static bool drain_plaintext(struct mchan *ch)
{
	bool any = false;
	uint64_t t;
	int n;

	for (;;) {
		t = clock_cycles();
		n = mtls_read(ch->tls, plain, sizeof(plain));
		ch->tls_cycles += clock_cycles() - t;
		if (n <= 0)
			return any;
		ch->plain_in += (size_t)n;
		ch->deliver(plain, (size_t)n);
		any = true;
	}
}

/*
 * Bytes from the peer. Through the session, a chunk at a time: its FIFO
 * empties as records are decrypted and delivered. After a TLS error the
 * rest is dropped (mchan_error says why; the owner ends the connection).
 */
static void take_in(struct mchan *ch, const uint8_t *buf, size_t len)
{
	uint64_t t;
	size_t n;

	if (!ch->tls) {
		ch->plain_in += len;
		ch->deliver(buf, len);
		return;
	}
	while (len) {
		t = clock_cycles();
		n = mtls_put_ciphertext(ch->tls, buf, len);
		ch->tls_cycles += clock_cycles() - t;
		buf += n;
		len -= n;
		if (!drain_plaintext(ch) && !n)
			break;
	}
}

/* ---------------------------------------------------------------- lwIP callbacks */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct mchan *ch = arg;

	ch->connected = err == ERR_OK;
	ch->lost = err != ERR_OK;
	ch->last_ns = clock_ns();
	mchan_flush(ch); /* the client's hello */
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct mchan *ch = arg;

	ch->wire_acked += len;
	ch->last_ns = clock_ns();
	mchan_flush(ch);
	return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct mchan *ch = arg;
	struct pbuf *q;
	uint64_t at;

	if (!p) {
		ch->peer_closed = true;
		if (ch->tls) {
			mtls_put_eof(ch->tls);
			drain_plaintext(ch);
		}
		return ERR_OK;
	}
	for (q = p, at = ch->wire_in; q; at += q->len, q = q->next) {
		if (at < sizeof(ch->first_in))
			memcpy(ch->first_in + at, q->payload,
			       MIN((size_t)q->len, sizeof(ch->first_in) - (size_t)at));
		take_in(ch, q->payload, q->len);
	}
	ch->wire_in += p->tot_len;
	ch->last_ns = clock_ns();
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	mchan_flush(ch); /* the handshake's answers, alerts */
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	struct mchan *ch = arg;

	ch->pcb = NULL; /* lwIP freed it */
	ch->lost = true;
}

static void attach(struct mchan *ch, struct tcp_pcb *pcb)
{
	ch->pcb = pcb;
	tcp_arg(pcb, ch);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

/* ---------------------------------------------------------------- set-up */

static int start(struct mchan *ch, bool tls, bool server, mchan_deliver_fn deliver)
{
	const struct tls_keys *k = tls_keys_get();

	ch->pcb = NULL;
	ch->tls = NULL;
	ch->deliver = deliver;
	ch->connected = ch->lost = ch->peer_closed = false;
	ch->wire_out = ch->wire_acked = ch->wire_in = 0;
	ch->plain_out = ch->plain_in = ch->tls_cycles = 0;
	ch->carry_len = ch->carry_off = ch->replay_off = 0;
	ch->last_ns = clock_ns();
	if (!tls)
		return 0;
	if (!k->psk_len || !k->identity[0])
		return -EINVAL;
	return server ? mtls_init_server(&ch->tls, k->psk, k->psk_len, k->identity)
		      : mtls_init_client(&ch->tls, k->psk, k->psk_len, k->identity);
}

int mchan_connect(struct mchan *ch, uint32_t addr, uint16_t port, bool tls,
		  mchan_deliver_fn deliver)
{
	struct tcp_pcb *pcb;
	int ret;

	take_faults(ch);
	ret = start(ch, tls && !ch->replaying, false, deliver);
	if (!ret)
		ret = transfer_connect(&pcb, addr, port, on_connected, on_sent, on_recv, on_err);
	if (ret) {
		mtls_free(ch->tls);
		ch->tls = NULL;
		return ret;
	}
	attach(ch, pcb);
	return 0;
}

int mchan_accept(struct mchan *ch, struct tcp_pcb *pcb, bool tls, mchan_deliver_fn deliver)
{
	int ret;

	memset(ch, 0, sizeof(*ch)); /* no test hooks on this side */
	ret = start(ch, tls, true, deliver);

	if (ret)
		return ret;
	ch->connected = true;
	attach(ch, pcb);
	return 0;
}

/* ---------------------------------------------------------------- state */

bool mchan_ready(const struct mchan *ch)
{
	return ch->pcb && ch->connected && !ch->replaying && (!ch->tls || mtls_handshake_done(ch->tls));
}

bool mchan_drained(const struct mchan *ch)
{
	return ch->wire_acked == ch->wire_out && ch->carry_off == ch->carry_len &&
	       (!ch->tls || !mtls_ciphertext_pending(ch->tls));
}

const char *mchan_error(const struct mchan *ch)
{
	return ch->tls && mtls_error(ch->tls) ? mtls_error_text(ch->tls) : NULL;
}

const char *mchan_peer_hint(const struct mchan *ch)
{
	/* a TLS record header: handshake (22) or alert (21), version 3.x (RFC 5246 6.2.1) */
	bool tls_record = ch->wire_in >= 2 && (ch->first_in[0] == 22 || ch->first_in[0] == 21) &&
			  ch->first_in[1] == 3;

	if (!ch->tls && !ch->replaying && tls_record)
		return "the peer speaks TLS and we do not (migrate set tls on, on both sides)";
	return NULL;
}

const char *mchan_cipher(const struct mchan *ch)
{
	return ch->tls ? mtls_cipher_suite(ch->tls) : "none (tls off)";
}

void mchan_close(struct mchan *ch, bool graceful)
{
	struct tcp_pcb *pcb = ch->pcb;

	if (pcb && graceful && ch->tls) {
		mtls_close(ch->tls);
		mchan_flush(ch);
	}
	mtls_free(ch->tls);
	ch->tls = NULL;
	if (!pcb)
		return;
	ch->pcb = NULL;
	transfer_detach(pcb);
	if (!graceful || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}
