/*
 * netbench over lwIP's raw TCP API. Everything runs in the main loop:
 * the server entirely from lwIP's callbacks, the client from callbacks
 * plus its own waiting loop, which steps the main loop.
 *
 * lwIP rules followed throughout (lwip/tcp.h, tcp.c): after the error
 * callback the pcb is already freed and must not be touched; a callback
 * that calls tcp_abort() must return ERR_ABRT; tcp_close() sends a RST
 * instead of a FIN unless all received data was tcp_recved(); and the
 * callbacks are cleared before a pcb is handed back to lwIP, which may
 * otherwise still call them (with our freed state) while it finishes the
 * close.
 */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/mainloop.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "net/netbench.h"
#include "net/netbench_stream.h"

#define NETBENCH_SESSIONS 4
#define NETBENCH_VERDICT_LEN 16
#define NS_PER_S 1000000000ULL
/* The client gives up after this long without any progress (netbench.h). */
#define NETBENCH_STALL_NS (10 * NS_PER_S)
/* A server session without data for this long has lost its client. */
#define NETBENCH_IDLE_NS (30 * NS_PER_S)
/* lwIP's poll callback period, in TCP_SLOW_INTERVAL units (500 ms). */
#define NETBENCH_POLL_TICKS 2
/* Bytes generated per tcp_write() (whose length is a u16_t). */
#define NETBENCH_CHUNK 16384
/*
 * The NICs are polled and an idle CPU sleeps until the next tick (10 ms),
 * which would stall the stream at every empty window. The client polls
 * without sleeping while the connection makes progress and only sleeps
 * when nothing has moved for this long.
 */
#define NETBENCH_SPIN_NS 20000000ULL

/* ---------------------------------------------------------------- server */

enum session_state { SESSION_FREE, SESSION_RECEIVING, SESSION_VERDICT };

struct session {
	enum session_state state;
	struct tcp_pcb *pcb;
	uint64_t bytes, errors;
	uint64_t start_ns, last_ns;
	bool verdict_queued;
	uint32_t verdict_acked;
};

static struct {
	struct tcp_pcb *listen;
	uint16_t port;
	uint32_t finished;
	uint64_t last_bytes, last_errors, last_ns;
	struct session sessions[NETBENCH_SESSIONS];
} server;

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* No more callbacks for pcb: it is about to be closed or aborted. */
static void pcb_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

static struct session *session_alloc(void)
{
	size_t i;

	for (i = 0; i < NETBENCH_SESSIONS; i++)
		if (server.sessions[i].state == SESSION_FREE)
			return &server.sessions[i];
	return NULL;
}

static void session_free(struct session *s)
{
	memset(s, 0, sizeof(*s));
}

/* Close the session's pcb; ERR_ABRT when it had to be aborted instead. */
static err_t session_close(struct session *s)
{
	struct tcp_pcb *pcb = s->pcb;
	err_t err;

	session_free(s);
	pcb_detach(pcb);
	err = tcp_close(pcb);
	if (err == ERR_OK)
		return ERR_OK;
	log_warn("netbench: close failed (%d), resetting", err);
	tcp_abort(pcb);
	return ERR_ABRT;
}

static err_t session_abort(struct session *s)
{
	struct tcp_pcb *pcb = s->pcb;

	session_free(s);
	pcb_detach(pcb);
	tcp_abort(pcb);
	return ERR_ABRT;
}

/* Queue the verdict; ERR_MEM leaves it for the poll callback to retry. */
static err_t session_send_verdict(struct session *s)
{
	uint8_t v[NETBENCH_VERDICT_LEN];
	err_t err;

	put_le64(v, s->bytes);
	put_le64(v + 8, s->errors);
	err = tcp_write(s->pcb, v, sizeof(v), TCP_WRITE_FLAG_COPY);
	if (err == ERR_MEM)
		return ERR_OK;
	if (err != ERR_OK) {
		log_warn("netbench: cannot send the verdict (%d)", err);
		return session_abort(s);
	}
	s->verdict_queued = true;
	tcp_output(s->pcb);
	return ERR_OK;
}

/* The client closed its side: everything has arrived. */
static err_t session_finish(struct session *s)
{
	uint64_t ns = clock_ns() - s->start_ns;

	s->state = SESSION_VERDICT;
	server.finished++;
	server.last_bytes = s->bytes;
	server.last_errors = s->errors;
	server.last_ns = ns;
	log_info("netbench: %lu bytes from %s in %lu ms, %lu wrong", s->bytes,
		 ipaddr_ntoa(&s->pcb->remote_ip), ns / 1000000, s->errors);
	return session_send_verdict(s);
}

static err_t server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct session *s = arg;
	struct pbuf *q;

	if (!p)
		return s->state == SESSION_RECEIVING ? session_finish(s) : ERR_OK;
	if (err != ERR_OK || s->state != SESSION_RECEIVING) {
		/* not data we can count: drop it, but keep the window open */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	for (q = p; q; q = q->next) {
		s->errors += netbench_check(s->bytes, q->payload, q->len);
		s->bytes += q->len;
	}
	s->last_ns = clock_ns();
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

/* The verdict's bytes are acknowledged once all 16 are: then close. */
static err_t server_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct session *s = arg;

	s->last_ns = clock_ns();
	if (s->state != SESSION_VERDICT)
		return ERR_OK;
	s->verdict_acked += len;
	return s->verdict_acked >= NETBENCH_VERDICT_LEN ? session_close(s) : ERR_OK;
}

/* lwIP freed the pcb (reset by the peer, or given up on). */
static void server_err(void *arg, err_t err)
{
	struct session *s = arg;

	if (!s)
		return;
	if (s->state == SESSION_RECEIVING)
		log_warn("netbench: session lost (%d) after %lu bytes", err, s->bytes);
	session_free(s);
}

/* Every second: retry a verdict lwIP had no memory for; drop silent clients. */
static err_t server_poll(void *arg, struct tcp_pcb *pcb)
{
	struct session *s = arg;

	if (!s)
		return ERR_OK;
	if (clock_ns() - s->last_ns >= NETBENCH_IDLE_NS) {
		log_warn("netbench: session idle, dropped after %lu bytes", s->bytes);
		return session_abort(s);
	}
	if (s->state == SESSION_VERDICT && !s->verdict_queued)
		return session_send_verdict(s);
	return ERR_OK;
}

static err_t server_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct session *s;

	if (err != ERR_OK || !pcb)
		return ERR_VAL; /* lwIP ran out of pcbs: nothing to set up */
	s = session_alloc();
	if (!s) {
		log_warn("netbench: %d sessions busy, refusing %s", NETBENCH_SESSIONS,
			 ipaddr_ntoa(&pcb->remote_ip));
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	s->state = SESSION_RECEIVING;
	s->pcb = pcb;
	s->start_ns = s->last_ns = clock_ns();
	tcp_arg(pcb, s);
	tcp_recv(pcb, server_recv);
	tcp_sent(pcb, server_sent);
	tcp_err(pcb, server_err);
	tcp_poll(pcb, server_poll, NETBENCH_POLL_TICKS);
	return ERR_OK;
}

int netbench_server_start(uint16_t port)
{
	struct tcp_pcb *pcb, *lpcb;
	err_t err;

	if (server.listen)
		return server.port == port ? 0 : -EBUSY;
	if (port == 0)
		return -EINVAL;
	pcb = tcp_new();
	if (!pcb)
		return -ENOMEM;
	err = tcp_bind(pcb, IP_ANY_TYPE, port);
	if (err != ERR_OK) {
		tcp_close(pcb); /* never connected: frees it */
		return err == ERR_USE ? -EBUSY : -EINVAL;
	}
	lpcb = tcp_listen_with_backlog(pcb, NETBENCH_SESSIONS);
	if (!lpcb) {
		tcp_close(pcb); /* on failure tcp_listen leaves pcb as it was */
		return -ENOMEM;
	}
	tcp_accept(lpcb, server_accept);
	server.listen = lpcb;
	server.port = port;
	log_info("netbench: listening on port %u", port);
	return 0;
}

void netbench_server_stats(struct netbench_server_stats *s)
{
	s->listening = server.listen != NULL;
	s->port = server.port;
	s->sessions = server.finished;
	s->last_bytes = server.last_bytes;
	s->last_errors = server.last_errors;
	s->last_ns = server.last_ns;
}

/* ---------------------------------------------------------------- client */

struct client {
	struct tcp_pcb *pcb;        /* NULL once lwIP has freed it */
	uint64_t total, written, acked, next_report;
	uint64_t connect_ns, verdict_ns, progress_ns;
	uint8_t verdict[NETBENCH_VERDICT_LEN];
	unsigned verdict_len;
	bool connected, shut, done;
	int err;                    /* what ended the test, once done */
};

static struct client client;
static uint8_t client_buf[NETBENCH_CHUNK];

/* End the test with err; the waiting loop, not a callback, releases the pcb. */
static void client_end(struct client *c, int err)
{
	if (c->done)
		return;
	c->done = true;
	c->err = err;
}

/*
 * Hand lwIP as much of the stream as it takes; shut the sending side after
 * the last byte. send: also call tcp_output. Callbacks from tcp_input pass
 * false: tcp_input sends when they return, and each tcp_output walks the
 * whole unacknowledged queue.
 */
static void client_pump(struct client *c, bool send)
{
	uint64_t left;
	u16_t room, len;
	err_t err;

	if (!c->pcb || !c->connected || c->shut || c->done)
		return;
	while ((left = c->total - c->written) > 0) {
		room = tcp_sndbuf(c->pcb);
		if (room < TCP_MSS && room < left)
			break; /* wait for a segment's worth: no runt writes */
		len = (u16_t)MIN(MIN((uint64_t)room, left), sizeof(client_buf));
		netbench_fill(c->written, client_buf, len);
		err = tcp_write(c->pcb, client_buf, len,
				TCP_WRITE_FLAG_COPY | (len < left ? TCP_WRITE_FLAG_MORE : 0));
		if (err == ERR_MEM)
			break; /* segments or heap exhausted: retried when acks free them */
		if (err != ERR_OK) {
			log_warn("netbench: tcp_write failed (%d)", err);
			client_end(c, -EIO);
			return;
		}
		c->written += len;
	}
	if (c->written == c->total) {
		/* a FIN after the data tells the server to count and answer */
		err = tcp_shutdown(c->pcb, 0, 1);
		if (err == ERR_OK)
			c->shut = true;
		else if (err != ERR_MEM)
			client_end(c, -EIO);
	}
	if (send)
		tcp_output(c->pcb);
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct client *c = arg;

	if (err != ERR_OK) { /* lwIP 2.1.3 always passes ERR_OK; be ready for more */
		client_end(c, -EIO);
		return ERR_OK;
	}
	c->connected = true;
	c->connect_ns = c->progress_ns = clock_ns();
	client_pump(c, false);
	return ERR_OK;
}

static err_t client_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct client *c = arg;

	c->acked = MIN(c->acked + len, c->total);
	c->progress_ns = clock_ns();
	client_pump(c, false);
	return ERR_OK;
}

/* Collect the verdict; anything but exactly 16 bytes after our FIN is a protocol error. */
static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct client *c = arg;
	unsigned take;

	if (!p) {
		client_end(c, c->verdict_len == NETBENCH_VERDICT_LEN ? 0 : -EPROTO);
		return ERR_OK;
	}
	take = MIN((unsigned)p->tot_len, NETBENCH_VERDICT_LEN - c->verdict_len);
	pbuf_copy_partial(p, c->verdict + c->verdict_len, (u16_t)take, 0);
	c->verdict_len += take;
	c->progress_ns = clock_ns();
	if (err != ERR_OK || take < p->tot_len || !c->shut)
		client_end(c, -EPROTO);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (c->verdict_len == NETBENCH_VERDICT_LEN) {
		c->verdict_ns = c->progress_ns;
		client_end(c, 0);
	}
	return ERR_OK;
}

/* lwIP freed the pcb: refused (reset before connecting), timed out, or reset. */
static void client_err(void *arg, err_t err)
{
	struct client *c = arg;

	c->pcb = NULL;
	if (!c->connected)
		client_end(c, err == ERR_RST ? -ECONNREFUSED : err == ERR_ABRT ? -ETIMEDOUT : -EIO);
	else
		client_end(c, -EIO);
}

static int client_start(struct client *c, uint32_t addr, uint16_t port, uint32_t mib)
{
	ip_addr_t dst;
	err_t err;

	memset(c, 0, sizeof(*c));
	c->total = MiB(mib);
	c->next_report = MiB(1);
	c->progress_ns = clock_ns();
	c->pcb = tcp_new();
	if (!c->pcb)
		return -ENOMEM;
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, client_recv);
	tcp_sent(c->pcb, client_sent);
	tcp_err(c->pcb, client_err);
	ip_addr_set_ip4_u32_val(dst, lwip_htonl(addr));
	err = tcp_connect(c->pcb, &dst, port, client_connected);
	if (err != ERR_OK) {
		/* still CLOSED: tcp_abort only frees it */
		pcb_detach(c->pcb);
		tcp_abort(c->pcb);
		c->pcb = NULL;
		log_warn("netbench: cannot connect (%d)", err);
		return err == ERR_MEM || err == ERR_BUF ? -ENOMEM : -EIO;
	}
	return 0;
}

static void client_report(struct client *c, void (*progress)(uint64_t sent))
{
	if (!progress || c->acked < c->next_report)
		return;
	progress(c->acked);
	c->next_report = ALIGN_DOWN(c->acked, MiB(1)) + MiB(1);
}

/* Step the main loop until the verdict, an error, or no progress for too long. */
static void client_wait(struct client *c, void (*progress)(uint64_t sent))
{
	uint64_t quiet;

	while (!c->done) {
		quiet = clock_ns() - c->progress_ns;
		if (quiet >= NETBENCH_STALL_NS) {
			client_end(c, -ETIMEDOUT);
			break;
		}
		mainloop_step(quiet >= NETBENCH_SPIN_NS);
		client_pump(c, true);
		client_report(c, progress);
	}
	client_report(c, progress);
}

/* Let go of the pcb: a graceful close after a verdict, a reset after an error. */
static void client_stop(struct client *c)
{
	struct tcp_pcb *pcb = c->pcb;

	if (!pcb)
		return;
	c->pcb = NULL;
	pcb_detach(pcb);
	if (c->err || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static void client_result(const struct client *c, struct netbench_result *out)
{
	out->bytes_sent = c->written;
	if (c->verdict_len == NETBENCH_VERDICT_LEN) {
		out->bytes_verified = get_le64(c->verdict);
		out->errors = get_le64(c->verdict + 8);
		out->ns = c->verdict_ns - c->connect_ns;
	}
	/* bytes_sent is at most 4 GiB: times 10^9 fits in 64 bits */
	if (out->ns)
		out->kib_per_s = out->bytes_sent * NS_PER_S / 1024 / out->ns;
}

int netbench_client_run(uint32_t addr, uint16_t port, uint32_t mib, struct netbench_result *out,
			void (*progress)(uint64_t sent))
{
	struct client *c = &client;
	static bool running;
	int err;

	memset(out, 0, sizeof(*out));
	if (running)
		return -EBUSY; /* a progress callback that starts another test */
	if (mib == 0 || mib > NETBENCH_MAX_MIB)
		return -EINVAL;
	err = client_start(c, addr, port, mib);
	if (err)
		return err;
	running = true;
	client_wait(c, progress);
	client_stop(c);
	running = false;
	client_result(c, out);
	return c->err;
}
