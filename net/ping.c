/*
 * ICMP echo (RFC 792) through a raw lwIP PCB. lwIP's own ICMP code only
 * answers requests; the raw PCB sees every ICMP message before it does,
 * takes the echo replies that carry our identifier and leaves the rest
 * (requests to answer, errors, other pingers' replies) to lwIP.
 */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/mainloop.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "net/ping.h"
#include "net/port.h"

/* As ping(8): 56 data bytes, the send time first, a pattern after it. */
#define PING_DATA_LEN 56
#define PING_STAMP_LEN 8
#define PING_ICMP_LEN (sizeof(struct icmp_echo_hdr) + PING_DATA_LEN)
/* Requests remembered, so a second reply is a duplicate rather than bad. */
#define PING_WINDOW 64
/*
 * The NICs are polled: an idle CPU sleeps until the next tick (10 ms).
 * Keep polling for this long after sending so the round-trip time is not
 * rounded up to a tick, then sleep between polls until the timeout.
 */
#define PING_SPIN_NS 20000000ULL
#define NS_PER_MS 1000000ULL

struct ping_req {
	uint16_t seq;
	bool used, answered;
	uint64_t sent_ns;
};

struct ping_state {
	struct raw_pcb *pcb;
	ip_addr_t dst;
	uint16_t id;
	uint16_t current;    /* the request being waited for */
	bool got;            /* ... and its reply came */
	uint64_t rtt_ns;
	struct ping_result *res;
	struct ping_req reqs[PING_WINDOW];
};

static struct ping_state ping;

/* Data byte k of request seq after the stamp: a corrupted echo shows. */
static uint8_t ping_pattern(uint16_t seq, unsigned k)
{
	return (uint8_t)(0xa5 ^ (k * 29) ^ seq ^ (seq >> 8));
}

static bool ping_data_ok(const uint8_t *data, const struct ping_req *r)
{
	uint64_t stamp;
	unsigned k;

	memcpy(&stamp, data, sizeof(stamp));
	if (stamp != r->sent_ns)
		return false; /* also a reply to an earlier run's request */
	for (k = PING_STAMP_LEN; k < PING_DATA_LEN; k++)
		if (data[k] != ping_pattern(r->seq, k))
			return false;
	return true;
}

/* An echo reply with our identifier: account for it. */
static void ping_take(struct ping_state *st, const ip_addr_t *src, const uint8_t *icmp,
		      size_t len)
{
	struct icmp_echo_hdr hdr;
	struct ping_req *r;

	memcpy(&hdr, icmp, sizeof(hdr));
	r = &st->reqs[lwip_ntohs(hdr.seqno) % PING_WINDOW];
	if (len != PING_ICMP_LEN || inet_chksum(icmp, (u16_t)len) != 0 ||
	    !ip_addr_cmp(src, &st->dst) || !r->used || r->seq != lwip_ntohs(hdr.seqno) ||
	    !ping_data_ok(icmp + sizeof(hdr), r)) {
		st->res->bad++;
		return;
	}
	if (r->answered) {
		st->res->duplicates++;
		return;
	}
	r->answered = true;
	if (r->seq != st->current) {
		/* its wait is over and it was reported lost; not counted now */
		log_debug("ping: late reply seq=%u", r->seq);
		return;
	}
	st->rtt_ns = clock_ns() - r->sent_ns;
	st->got = true;
}

/*
 * lwIP's raw input hook: p starts at the IPv4 header. Returns 1 when the
 * packet was ours (and frees it), 0 to let lwIP's ICMP have it unchanged.
 */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct ping_state *st = arg;
	uint8_t buf[IP_HLEN_MAX + PING_ICMP_LEN];
	struct icmp_echo_hdr hdr;
	u16_t n, ihl;

	n = pbuf_copy_partial(p, buf, sizeof(buf), 0);
	if (n < IP_HLEN)
		return 0;
	ihl = IPH_HL_BYTES((struct ip_hdr *)buf);
	if (ihl < IP_HLEN || n < ihl + sizeof(hdr))
		return 0;
	memcpy(&hdr, buf + ihl, sizeof(hdr));
	if (hdr.type != ICMP_ER || hdr.code != 0 || lwip_ntohs(hdr.id) != st->id)
		return 0;
	/* the length is the packet's, not the copy's: longer replies are bad */
	ping_take(st, addr, buf + ihl, (size_t)(p->tot_len - ihl));
	pbuf_free(p);
	return 1;
}

/* Build and send request seq; 0 or an lwIP error. */
static err_t ping_send(struct ping_state *st, uint16_t seq)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, PING_ICMP_LEN, PBUF_RAM);
	struct ping_req *r = &st->reqs[seq % PING_WINDOW];
	struct icmp_echo_hdr hdr;
	uint8_t *icmp, *data;
	unsigned k;
	err_t err;

	if (!p)
		return ERR_MEM;
	icmp = p->payload; /* PBUF_RAM: one contiguous buffer */
	data = icmp + sizeof(hdr);
	*r = (struct ping_req){ .seq = seq, .used = true, .sent_ns = clock_ns() };
	memcpy(data, &r->sent_ns, PING_STAMP_LEN);
	for (k = PING_STAMP_LEN; k < PING_DATA_LEN; k++)
		data[k] = ping_pattern(seq, k);
	hdr = (struct icmp_echo_hdr){ .type = ICMP_ECHO, .code = 0, .chksum = 0,
				      .id = lwip_htons(st->id), .seqno = lwip_htons(seq) };
	memcpy(icmp, &hdr, sizeof(hdr));
	hdr.chksum = inet_chksum(icmp, PING_ICMP_LEN);
	memcpy(icmp, &hdr, sizeof(hdr));
	st->current = seq;
	st->got = false;
	err = raw_sendto(st->pcb, p, &st->dst);
	pbuf_free(p);
	return err;
}

/* Keep the system running until the reply to the current request or the timeout. */
static bool ping_wait(struct ping_state *st)
{
	uint64_t sent_ns = st->reqs[st->current % PING_WINDOW].sent_ns, now;

	while (!st->got) {
		now = clock_ns();
		if (now - sent_ns >= PING_TIMEOUT_MS * NS_PER_MS)
			return false;
		mainloop_step(now - sent_ns >= PING_SPIN_NS);
	}
	return true;
}

static void ping_account(struct ping_result *out, uint64_t rtt_us, uint64_t *sum_us)
{
	if (out->received == 0 || rtt_us < out->rtt_min_us)
		out->rtt_min_us = rtt_us;
	if (rtt_us > out->rtt_max_us)
		out->rtt_max_us = rtt_us;
	out->received++;
	*sum_us += rtt_us;
}

static int ping_errno(err_t err)
{
	return err == ERR_MEM || err == ERR_BUF ? -ENOMEM : -EIO;
}

/* Send the requests one by one; 0, or the error when the first could not be sent. */
static int ping_loop(struct ping_state *st, uint32_t count,
		     void (*progress)(uint32_t seq, bool ok, uint64_t rtt_us))
{
	struct ping_result *out = st->res;
	uint64_t sum_us = 0, rtt_us;
	uint32_t i;
	bool ok;
	err_t err;

	for (i = 1; i <= count; i++) {
		err = ping_send(st, (uint16_t)i);
		if (err != ERR_OK && out->sent == 0)
			return ping_errno(err);
		ok = false;
		rtt_us = 0;
		if (err == ERR_OK) {
			out->sent++;
			ok = ping_wait(st);
		} else {
			log_debug("ping: sending seq=%u failed (%d)", i, err);
		}
		if (ok) {
			rtt_us = st->rtt_ns / 1000;
			ping_account(out, rtt_us, &sum_us);
		}
		if (progress)
			progress(i, ok, rtt_us);
	}
	if (out->received)
		out->rtt_avg_us = sum_us / out->received;
	return 0;
}

int ping_run(uint32_t addr, uint32_t count, struct ping_result *out,
	     void (*progress)(uint32_t seq, bool ok, uint64_t rtt_us))
{
	struct ping_state *st = &ping;
	int ret;

	memset(out, 0, sizeof(*out));
	if (st->pcb)
		return -EBUSY; /* a progress callback that pings again */
	if (st->id == 0) /* fixed for the run of the hypervisor, as ping(8) uses its pid */
		st->id = (uint16_t)(lwip_port_rand() | 1);
	memset(st->reqs, 0, sizeof(st->reqs));
	ip_addr_set_ip4_u32_val(st->dst, lwip_htonl(addr));
	st->res = out;
	st->pcb = raw_new(IP_PROTO_ICMP);
	if (!st->pcb)
		return -ENOMEM;
	raw_recv(st->pcb, ping_recv, st);
	ret = ping_loop(st, count, progress);
	raw_remove(st->pcb);
	st->pcb = NULL;
	st->res = NULL;
	return ret;
}
