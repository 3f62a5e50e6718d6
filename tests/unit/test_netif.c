/*
 * Unit tests for net/netif.c over the real lwIP 2.1.3 core. Fake NICs
 * stand in for the drivers: send() records frames (or refuses them with
 * -ENOSPC, as a full ring does), poll() hands queued frames to the
 * receive callback, link_up() reports whatever the test says. The frames
 * the tests inject are built by hand, so lwIP's replies are checked
 * against the wire formats (RFC 826, RFC 791, RFC 792, RFC 2131), not
 * against lwIP's own encoders.
 *
 * lwIP keeps global state and net/netif.c has no detach, so one process
 * attaches two interfaces once and every test starts from the same
 * point: links up, eth0 at OUR_IP, fake NICs empty.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/clock.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "net/netif.h"
#include "net/port.h"
#include "net/rawframes.h"
#include "tests/unit/netif_frames.h"
#include "tests/unit/netif_host_stubs.h"

#define NFAKE 5        /* one more than net/netif.c's NETIF_MAX */
#define FRAME_MAX 1600 /* larger than any frame a NIC may deliver */
#define RXQ 8
#define TXQ 16
#define MS 1000000ULL

struct fake_nic {
	struct nic nic;
	uint8_t rx[RXQ][FRAME_MAX];
	size_t rx_len[RXQ];
	int rx_head, rx_tail;
	uint8_t tx[TXQ][FRAME_MAX];
	size_t tx_len[TXQ];
	int tx_count;
	int enospc;  /* sends still to refuse with -ENOSPC */
	int refused; /* sends refused so far */
	int polls;
	bool link;
	/* frames sent in place (send_ref), held until fake_complete_refs */
	const void *ref_frame[TXQ];
	void *ref_cookie[TXQ];
	size_t ref_len[TXQ];
	int refs;
};

static struct fake_nic fakes[NFAKE];
static struct net_if *ifc0, *ifc1;

static int fake_send(struct nic *nic, const void *frame, size_t len)
{
	struct fake_nic *f = nic->priv;

	if (f->enospc > 0) {
		f->enospc--;
		f->refused++;
		return -ENOSPC;
	}
	if (len > FRAME_MAX)
		return -EINVAL;
	if (f->tx_count < TXQ) {
		memcpy(f->tx[f->tx_count], frame, len);
		f->tx_len[f->tx_count] = len;
	}
	f->tx_count++;
	return 0;
}

/* Advances the queue head before each callback: the send path polls again from inside it. */
static int fake_poll(struct nic *nic, nic_rx_fn rx, int budget)
{
	struct fake_nic *f = nic->priv;
	int n = 0;

	f->polls++;
	while (n < budget && f->rx_head < f->rx_tail) {
		int i = f->rx_head++;

		n++;
		rx(nic, f->rx[i], f->rx_len[i]);
	}
	return n;
}

static bool fake_link_up(struct nic *nic)
{
	return ((struct fake_nic *)nic->priv)->link;
}

static const struct nic_ops fake_ops = {
	.send = fake_send,
	.poll = fake_poll,
	.link_up = fake_link_up,
};

/* Keeps the caller's frame by reference, as a DMA engine would. */
static int fake_send_ref(struct nic *nic, const void *frame, size_t len, void *cookie)
{
	struct fake_nic *f = nic->priv;

	if (f->enospc > 0) {
		f->enospc--;
		f->refused++;
		return -ENOSPC;
	}
	if (f->refs == TXQ || len > FRAME_MAX)
		return -EINVAL;
	f->ref_frame[f->refs] = frame;
	f->ref_len[f->refs] = len;
	f->ref_cookie[f->refs++] = cookie;
	return 0;
}

/* The device is done with every frame it holds. */
static void fake_complete_refs(struct fake_nic *f)
{
	int i;

	for (i = 0; i < f->refs; i++)
		f->nic.tx_done(&f->nic, f->ref_cookie[i]);
	f->refs = 0;
}

static const struct nic_ops fake_ref_ops = {
	.send = fake_send,
	.send_ref = fake_send_ref,
	.poll = fake_poll,
	.link_up = fake_link_up,
};

static void fake_reset(struct fake_nic *f, int index)
{
	void *netif = f->nic.netif;
	void (*tx_done)(struct nic *, void *) = f->nic.tx_done;

	memset(f, 0, sizeof(*f));
	snprintf(f->nic.name, sizeof(f->nic.name), "eth%d", index);
	f->nic.model = "fake";
	memcpy(f->nic.mac, (uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x50 + index) }, 6);
	f->nic.ops = &fake_ops;
	f->nic.priv = f;
	f->nic.netif = netif;
	f->nic.tx_done = tx_done; /* both set by net_if_attach, once */
	f->link = true;
}

static void fake_queue(struct fake_nic *f, const void *frame, size_t len)
{
	memcpy(f->rx[f->rx_tail], frame, len);
	f->rx_len[f->rx_tail++] = len;
}

static void poll_links_now(void)
{
	stub_clock_advance(200 * MS);
	net_if_poll_all();
	sys_check_timeouts();
}

static void fakes_reset(void)
{
	int i;

	for (i = 0; i < NFAKE; i++)
		fake_reset(&fakes[i], i);
}

/* Every test starts with links up, eth0 at OUR_IP and nothing queued or recorded. */
static void setup(void *unused)
{
	if (!ifc0) {
		fakes_reset();
		lwip_port_init();
		ifc0 = net_if_attach(&fakes[0].nic);
		ifc1 = net_if_attach(&fakes[1].nic);
	}
	fakes_reset();
	poll_links_now();
	net_if_configure(ifc0, NET_MODE_STATIC, OUR_IP, OUR_MASK, OUR_GW);
	fakes_reset();
	rawframes_reset();
	stub_log_clear();
}

static unsigned pool_in_use(void)
{
	return lwip_stats.memp[MEMP_PBUF_POOL]->used;
}

/* Teach eth0 the peer's MAC the way a real peer would: by asking for ours. */
static void learn_peer(void)
{
	uint8_t f[64];

	fake_queue(&fakes[0], f, build_arp_request(f, OUR_IP));
	net_if_poll_all();
	fakes[0].tx_count = 0;
}

TEST attach_takes_mac_and_mtu(void)
{
	struct netif *n = ifc0->netif;

	ASSERT_EQ(n, fakes[0].nic.netif);
	ASSERT_EQ(6, n->hwaddr_len);
	ASSERT_MEM_EQ(fakes[0].nic.mac, n->hwaddr, 6);
	ASSERT_MEM_EQ(fakes[1].nic.mac, ifc1->netif->hwaddr, 6);
	ASSERT_EQ(1500, n->mtu);
	ASSERT(netif_is_up(n));
	ASSERT(n->flags & NETIF_FLAG_ETHARP);
	ASSERT(n->flags & NETIF_FLAG_BROADCAST);
	PASS();
}

TEST first_interface_is_default(void)
{
	ASSERT_EQ(ifc0->netif, netif_default);
	ASSERT(ifc1->netif != netif_default);
	PASS();
}

TEST find_by_name_and_index(void)
{
	ASSERT_EQ(ifc0, net_if_find("eth0"));
	ASSERT_EQ(ifc1, net_if_find("eth1"));
	ASSERT_EQ(NULL, net_if_find("eth9"));
	ASSERT_EQ(ifc0, net_if_at(0));
	ASSERT_EQ(ifc1, net_if_at(1));
	ASSERT_EQ(NULL, net_if_at(-1));
	ASSERT_EQ(NULL, net_if_at(net_if_count()));
	PASS();
}

TEST configure_static_then_none(void)
{
	struct netif *n = ifc1->netif;

	net_if_configure(ifc1, NET_MODE_STATIC, 0xc0a80105, 0xffff0000, 0xc0a80101);
	ASSERT_EQ(NET_MODE_STATIC, ifc1->mode);
	ASSERT_EQ_FMT(lwip_htonl(0xc0a80105), ip4_addr_get_u32(netif_ip4_addr(n)), "%08x");
	ASSERT_EQ_FMT(lwip_htonl(0xffff0000), ip4_addr_get_u32(netif_ip4_netmask(n)), "%08x");
	ASSERT_EQ_FMT(lwip_htonl(0xc0a80101), ip4_addr_get_u32(netif_ip4_gw(n)), "%08x");
	net_if_configure(ifc1, NET_MODE_NONE, 0xc0a80105, 0xffff0000, 0xc0a80101);
	ASSERT_EQ(NET_MODE_NONE, ifc1->mode);
	ASSERT_EQ(0u, ip4_addr_get_u32(netif_ip4_addr(n)));
	ASSERT_EQ(0u, ip4_addr_get_u32(netif_ip4_netmask(n)));
	ASSERT_EQ(0u, ip4_addr_get_u32(netif_ip4_gw(n)));
	PASS();
}

/* RFC 2131 DHCPDISCOVER: broadcast from 0.0.0.0:68 to :67, our MAC as chaddr. */
TEST configure_dhcp_discovers_and_static_stops_it(void)
{
	const uint8_t *f = fakes[1].tx[0], *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	int sent, i;

	net_if_configure(ifc1, NET_MODE_DHCP, 0, 0, 0);
	ASSERT_EQ(NET_MODE_DHCP, ifc1->mode);
	ASSERT_EQ(1, fakes[1].tx_count);
	ASSERT_MEM_EQ(bcast_mac, f, 6);
	ASSERT_EQ(FRAME_ETHTYPE_IPV4, get16(f + 12));
	ASSERT_EQ(FRAME_PROTO_UDP, ip[9]);
	ASSERT_EQ(68, get16(udp));
	ASSERT_EQ(67, get16(udp + 2));
	ASSERT_EQ(1, bootp[0]); /* BOOTREQUEST */
	ASSERT_MEM_EQ(fakes[1].nic.mac, bootp + 28, 6);
	ASSERT_EQ_FMT(0x63825363u, get32(bootp + 236), "%08x");
	ASSERT_EQ(53, bootp[240]); /* first option: message type */
	ASSERT_EQ(1, bootp[242]);  /* DHCPDISCOVER */
	net_if_configure(ifc1, NET_MODE_STATIC, 0xc0a80105, 0xffff0000, 0);
	sent = fakes[1].tx_count;
	for (i = 0; i < 300; i++) { /* 30 s: DISCOVER would be resent several times */
		stub_clock_advance(100 * MS);
		sys_check_timeouts();
	}
	ASSERT_EQ(sent, fakes[1].tx_count);
	ASSERT_EQ_FMT(lwip_htonl(0xc0a80105), ip4_addr_get_u32(netif_ip4_addr(ifc1->netif)), "%08x");
	PASS();
}

TEST arp_request_gets_reply(void)
{
	uint8_t req[64];
	const uint8_t *f = fakes[0].tx[0], *a = f + 14;

	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT(fakes[0].tx_len[0] >= 42);
	ASSERT_MEM_EQ(peer_mac, f, 6);
	ASSERT_MEM_EQ(fakes[0].nic.mac, f + 6, 6);
	ASSERT_EQ(FRAME_ETHTYPE_ARP, get16(f + 12));
	ASSERT_EQ(1, get16(a));
	ASSERT_EQ(FRAME_ETHTYPE_IPV4, get16(a + 2));
	ASSERT_EQ(6, a[4]);
	ASSERT_EQ(4, a[5]);
	ASSERT_EQ(FRAME_ARP_REPLY, get16(a + 6));
	ASSERT_MEM_EQ(fakes[0].nic.mac, a + 8, 6);
	ASSERT_EQ_FMT(OUR_IP, get32(a + 14), "%08x");
	ASSERT_MEM_EQ(peer_mac, a + 18, 6);
	ASSERT_EQ_FMT(PEER_IP, get32(a + 24), "%08x");
	ASSERT_EQ(0, fakes[1].tx_count);
	ASSERT_EQ(0u, pool_in_use());
	PASS();
}

TEST arp_for_other_address_ignored(void)
{
	uint8_t req[64];

	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP + 1));
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(0, fakes[0].tx_count);
	PASS();
}

TEST icmp_echo_gets_reply(void)
{
	static uint8_t req[FRAME_MAX];
	size_t len = build_echo(req, fakes[0].nic.mac, 0x1234, 7, 56);
	const uint8_t *f = fakes[0].tx[0], *ip = f + 14, *icmp = ip + 20;

	learn_peer();
	fake_queue(&fakes[0], req, len);
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ(len, fakes[0].tx_len[0]);
	ASSERT_MEM_EQ(peer_mac, f, 6);
	ASSERT_MEM_EQ(fakes[0].nic.mac, f + 6, 6);
	ASSERT_EQ(FRAME_ETHTYPE_IPV4, get16(f + 12));
	ASSERT_EQ(0x45, ip[0]);
	ASSERT_EQ(20 + 8 + 56, get16(ip + 2));
	ASSERT_EQ(FRAME_PROTO_ICMP, ip[9]);
	ASSERT_EQ(0, inet_sum(ip, 20));
	ASSERT_EQ_FMT(OUR_IP, get32(ip + 12), "%08x");
	ASSERT_EQ_FMT(PEER_IP, get32(ip + 16), "%08x");
	ASSERT_EQ(FRAME_ICMP_ECHO_REPLY, icmp[0]);
	ASSERT_EQ(0, icmp[1]);
	ASSERT_EQ(0, inet_sum(icmp, 8 + 56));
	ASSERT_EQ(0x1234, get16(icmp + 4));
	ASSERT_EQ(7, get16(icmp + 6));
	ASSERT_MEM_EQ(req + 14 + 28, icmp + 8, 56);
	ASSERT_EQ(0u, pool_in_use());
	PASS();
}

/*
 * Each malformed frame must be dropped by lwIP and counted: in its own
 * counter where the outcome does not depend on how short frames reach
 * lwIP, else in any of the drop counters ("total").
 */
struct bad_frame {
	const char *name;
	void (*build)(uint8_t *f, size_t *len);
	STAT_COUNTER *counter; /* NULL: the total */
	bool uncounted;        /* lwIP drops it silently */
};

static unsigned drops_total(void)
{
	return lwip_stats.etharp.drop + lwip_stats.ip.drop + lwip_stats.icmp.drop;
}

static size_t echo_to_us(uint8_t *f, size_t data_len)
{
	return build_echo(f, fakes[0].nic.mac, 1, 1, data_len);
}

static void bad_empty(uint8_t *f, size_t *len) { *len = 0; }
static void bad_runt(uint8_t *f, size_t *len) { echo_to_us(f, 0); *len = 10; }
static void bad_header_only(uint8_t *f, size_t *len) { echo_to_us(f, 0); *len = 14; }
static void bad_ethertype(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); put16(f + 12, 0x1234); }
static void bad_version(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); f[14] = 0x65; }
static void bad_ihl_short(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); f[14] = 0x44; }
static void bad_ihl_long(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); f[14] = 0x4f; }
static void bad_truncated(uint8_t *f, size_t *len) { *len = echo_to_us(f, 64) - 40; }
static void bad_ip_sum(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); f[14 + 10] ^= 0x01; }
static void bad_icmp_sum(uint8_t *f, size_t *len) { *len = echo_to_us(f, 8); f[34 + 8] ^= 0x01; }

/*
 * Ends after the sender's address: the target address it lacks must not
 * be read from the pool buffer's previous frame, which (pools being LIFO)
 * is learn_peer's request for our own address.
 */
static void bad_arp_short(uint8_t *f, size_t *len) { *len = build_arp_request(f, OUR_IP) - 10; }

static void bad_oversized(uint8_t *f, size_t *len)
{
	size_t i;

	echo_to_us(f, 0);
	for (i = 14; i < FRAME_MAX; i++)
		f[i] = (uint8_t)(i * 131 + 17);
	f[14] = 0x45; /* IPv4, with a garbage header checksum */
	*len = FRAME_MAX;
}

static const struct bad_frame bad_frames[] = {
	{ "empty", bad_empty, NULL, false },
	{ "runt", bad_runt, NULL, false },
	{ "header only", bad_header_only, NULL, false },
	{ "garbage ethertype", bad_ethertype, &lwip_stats.etharp.proterr, false },
	{ "IP version 6", bad_version, &lwip_stats.ip.err, false },
	{ "IHL 4", bad_ihl_short, &lwip_stats.ip.lenerr, false },
	{ "IHL 15", bad_ihl_long, &lwip_stats.ip.lenerr, false },
	{ "truncated", bad_truncated, &lwip_stats.ip.lenerr, false },
	{ "bad IP checksum", bad_ip_sum, &lwip_stats.ip.chkerr, false },
	{ "bad ICMP checksum", bad_icmp_sum, &lwip_stats.icmp.chkerr, false },
	{ "short ARP", bad_arp_short, NULL, true },
	{ "oversized garbage", bad_oversized, &lwip_stats.ip.drop, false },
};

TEST malformed_frame_dropped(const struct bad_frame *b)
{
	static uint8_t f[FRAME_MAX];
	size_t len;
	unsigned before;

	learn_peer();
	b->build(f, &len);
	before = b->counter ? *b->counter : drops_total();
	fake_queue(&fakes[0], f, len);
	ASSERT_EQm(b->name, 1, net_if_poll_all());
	ASSERT_EQm(b->name, 0, fakes[0].tx_count);
	if (!b->uncounted)
		ASSERT_EQm(b->name, before + 1, b->counter ? *b->counter : drops_total());
	ASSERT_EQm(b->name, 0u, pool_in_use());
	PASS();
}

/* A 1600-byte echo arrives in a pbuf chain; the reply leaves in MTU-sized fragments. */
TEST oversized_echo_answered_in_fragments(void)
{
	static uint8_t req[FRAME_MAX];
	size_t len = build_echo(req, fakes[0].nic.mac, 9, 9, FRAME_MAX - 42);
	int i;

	learn_peer();
	fake_queue(&fakes[0], req, len);
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(2, fakes[0].tx_count);
	for (i = 0; i < 2; i++) {
		ASSERT(fakes[0].tx_len[i] <= NIC_MTU_FRAME);
		ASSERT_EQ(0, inet_sum(fakes[0].tx[i] + 14, 20));
	}
	ASSERT_EQ(0x2000, get16(fakes[0].tx[0] + 14 + 6) & 0x2000); /* more fragments */
	ASSERT_EQ(0u, pool_in_use());
	PASS();
}

TEST rawframes_consumed_before_lwip(void)
{
	static uint8_t f[200];
	STAT_COUNTER proterr = lwip_stats.etharp.proterr, drop = lwip_stats.etharp.drop;
	struct rawframes_stats s;

	build_eth(f, fakes[0].nic.mac, RAWFRAMES_ETHERTYPE);
	memset(f + 14, 0x5a, sizeof(f) - 14);
	fake_queue(&fakes[0], f, 100);
	fake_queue(&fakes[0], f, sizeof(f));
	ASSERT_EQ(2, net_if_poll_all());
	rawframes_stats(&s);
	ASSERT_EQ(2u, s.frames);
	ASSERT_EQ(300u, s.bytes);
	ASSERT_EQ(clock_ns(), s.first_ns);
	ASSERT_EQ(proterr, lwip_stats.etharp.proterr);
	ASSERT_EQ(drop, lwip_stats.etharp.drop);
	ASSERT_EQ(0, fakes[0].tx_count);
	fake_queue(&fakes[0], f, 13); /* too short to carry an EtherType */
	net_if_poll_all();
	rawframes_stats(&s);
	ASSERT_EQ(2u, s.frames);
	PASS();
}

TEST link_follows_nic_after_interval(void)
{
	struct netif *n = ifc0->netif;
	const uint8_t *a = fakes[0].tx[0] + 14;

	ASSERT(netif_is_link_up(n));
	fakes[0].link = false;
	stub_clock_advance(50 * MS);
	net_if_poll_all();
	ASSERT(netif_is_link_up(n)); /* not checked yet: 50 ms < 100 ms */
	stub_clock_advance(60 * MS);
	net_if_poll_all();
	ASSERT_FALSE(netif_is_link_up(n));
	ASSERT_FALSE(ifc0->link);
	ASSERT(netif_is_link_up(ifc1->netif));
	ASSERT(strstr(stub_log_text(), "eth0: link down"));
	fakes[0].link = true;
	stub_clock_advance(101 * MS);
	net_if_poll_all();
	ASSERT(netif_is_link_up(n));
	ASSERT(strstr(stub_log_text(), "eth0: link up"));
	ASSERT_EQ(1, fakes[0].tx_count);
	/* coming up with an address announces it: gratuitous ARP (RFC 5227 section 3) */
	ASSERT_EQ(FRAME_ETHTYPE_ARP, get16(fakes[0].tx[0] + 12));
	ASSERT_EQ_FMT(OUR_IP, get32(a + 14), "%08x");
	ASSERT_EQ_FMT(OUR_IP, get32(a + 24), "%08x");
	stub_log_clear();
	poll_links_now(); /* unchanged: nothing to report or announce */
	ASSERT_EQ(NULL, strstr(stub_log_text(), "link"));
	ASSERT_EQ(1, fakes[0].tx_count);
	PASS();
}

TEST full_ring_retried_after_poll(void)
{
	uint8_t req[64];

	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	fakes[0].enospc = 1;
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(1, fakes[0].refused);
	ASSERT_EQ(2, fakes[0].polls); /* the main loop's, and the send path's */
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ(FRAME_ARP_REPLY, get16(fakes[0].tx[0] + 14 + 6));
	ASSERT_EQ(0u, fakes[0].nic.stats.tx_dropped);
	PASS();
}

/* The retry's poll also takes frames that arrived meanwhile; none is lost or repeated. */
TEST retry_poll_delivers_pending_frames(void)
{
	uint8_t req[64];
	size_t len = build_arp_request(req, OUR_IP);

	fake_queue(&fakes[0], req, len);
	fake_queue(&fakes[0], req, len);
	fakes[0].enospc = 1;
	net_if_poll_all();
	ASSERT_EQ(2, fakes[0].rx_head);
	ASSERT_EQ(2, fakes[0].tx_count);
	ASSERT_EQ(FRAME_ARP_REPLY, get16(fakes[0].tx[0] + 14 + 6));
	ASSERT_EQ(FRAME_ARP_REPLY, get16(fakes[0].tx[1] + 14 + 6));
	ASSERT_EQ(0u, pool_in_use());
	PASS();
}

TEST ring_still_full_after_retry_fails(void)
{
	uint8_t req[64];

	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	fakes[0].enospc = 2;
	net_if_poll_all();
	ASSERT_EQ(2, fakes[0].refused);
	ASSERT_EQ(0, fakes[0].tx_count);
	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	net_if_poll_all();
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ(0u, pool_in_use());
	PASS();
}

TEST oversized_output_counted_as_tx_dropped(void)
{
	struct netif *n = ifc0->netif;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, NIC_MTU_FRAME + 1, PBUF_RAM);

	ASSERT(p);
	ASSERT_EQ(ERR_IF, n->linkoutput(n, p));
	pbuf_free(p);
	ASSERT_EQ(1u, fakes[0].nic.stats.tx_dropped);
	ASSERT_EQ(0, fakes[0].tx_count);
	p = pbuf_alloc(PBUF_RAW, NIC_MTU_FRAME, PBUF_RAM);
	ASSERT(p);
	ASSERT_EQ(ERR_OK, n->linkoutput(n, p));
	pbuf_free(p);
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ((size_t)NIC_MTU_FRAME, fakes[0].tx_len[0]);
	PASS();
}

TEST pbuf_exhaustion_counts_rx_dropped(void)
{
	static struct pbuf *hoard[PBUF_POOL_SIZE + 1];
	uint8_t req[64];
	int n = 0, i;

	while (n < (int)ARRAY_SIZE(hoard) && (hoard[n] = pbuf_alloc(PBUF_RAW, 64, PBUF_POOL)))
		n++;
	ASSERT_EQ(PBUF_POOL_SIZE, n);
	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	net_if_poll_all();
	for (i = 0; i < n; i++)
		pbuf_free(hoard[i]);
	ASSERT_EQ(1u, fakes[0].nic.stats.rx_dropped);
	ASSERT_EQ(0, fakes[0].tx_count);
	fake_queue(&fakes[0], req, build_arp_request(req, OUR_IP));
	net_if_poll_all();
	ASSERT_EQ(1, fakes[0].tx_count);
	PASS();
}

/*
 * With a driver that sends in place, a frame in one pbuf goes by reference
 * and the pbuf stays allocated until the driver is done.
 */
TEST in_place_frames_held_until_done(void)
{
	static uint8_t req[FRAME_MAX];
	size_t len = build_echo(req, fakes[0].nic.mac, 0x4321, 9, 200);
	unsigned idle = pool_in_use();
	const uint8_t *f;

	fakes[0].nic.ops = &fake_ref_ops;
	learn_peer();
	fake_queue(&fakes[0], req, len);
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(0, fakes[0].tx_count); /* nothing copied */
	ASSERT_EQ(1, fakes[0].refs);
	ASSERT_EQ(len, fakes[0].ref_len[0]);
	f = fakes[0].ref_frame[0];
	ASSERT_MEM_EQ(peer_mac, f, 6);
	ASSERT_EQ(FRAME_PROTO_ICMP, f[14 + 9]);
	ASSERT_EQ(0, f[14 + 20]); /* echo reply */
	ASSERT_EQ(0, inet_sum(f + 14, 20));
	ASSERT_EQ(idle + 1, pool_in_use()); /* held by the "device" */
	fake_complete_refs(&fakes[0]);
	ASSERT_EQ(idle, pool_in_use());
	PASS();
}

/* A refused in-place send is retried once after a poll, and a final refusal frees the pbuf. */
TEST in_place_refused_releases_pbuf(void)
{
	static uint8_t req[FRAME_MAX];
	size_t len = build_echo(req, fakes[0].nic.mac, 0x4321, 10, 200);
	unsigned idle = pool_in_use();

	fakes[0].nic.ops = &fake_ref_ops;
	learn_peer();
	fake_queue(&fakes[0], req, len);
	fakes[0].enospc = 1;
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(1, fakes[0].refused);
	ASSERT_EQ(1, fakes[0].refs); /* the retry took it */
	fake_complete_refs(&fakes[0]);
	fake_queue(&fakes[0], req, len);
	fakes[0].enospc = 2;
	ASSERT_EQ(1, net_if_poll_all());
	ASSERT_EQ(3, fakes[0].refused);
	ASSERT_EQ(0, fakes[0].refs);
	ASSERT_EQ(idle, pool_in_use());
	PASS();
}

/* Only a pbuf that owns its bytes goes by reference; one pointing at the caller's memory is copied. */
TEST in_place_only_for_owned_memory(void)
{
	static uint8_t mine[100];
	struct netif *n = ifc0->netif;
	struct pbuf *ref = pbuf_alloc(PBUF_RAW, sizeof(mine), PBUF_REF);
	struct pbuf *ram = pbuf_alloc(PBUF_RAW, sizeof(mine), PBUF_RAM);

	ASSERT(ref && ram);
	memset(mine, 0xa5, sizeof(mine));
	ref->payload = mine;
	pbuf_take(ram, mine, sizeof(mine));
	fakes[0].nic.ops = &fake_ref_ops;
	ASSERT_EQ(ERR_OK, n->linkoutput(n, ref));
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ(0, fakes[0].refs);
	ASSERT_MEM_EQ(mine, fakes[0].tx[0], sizeof(mine));
	ASSERT_EQ(ERR_OK, n->linkoutput(n, ram));
	ASSERT_EQ(1, fakes[0].tx_count);
	ASSERT_EQ(1, fakes[0].refs);
	ASSERT_EQ(ram->payload, fakes[0].ref_frame[0]);
	pbuf_free(ref);
	pbuf_free(ram); /* the "device" still holds it */
	ASSERT_EQ(1, ram->ref);
	fake_complete_refs(&fakes[0]);
	PASS();
}

/* Runs last: it uses up net/netif.c's remaining slots. */
TEST attach_refuses_past_table(void)
{
	int i;

	for (i = net_if_count(); i < NFAKE - 1; i++)
		ASSERT(net_if_attach(&fakes[i].nic));
	ASSERT_EQ(NFAKE - 1, net_if_count());
	ASSERT_EQ(NULL, net_if_attach(&fakes[NFAKE - 1].nic));
	ASSERT_EQ(NULL, fakes[NFAKE - 1].nic.netif);
	ASSERT_EQ(NFAKE - 1, net_if_count());
	PASS();
}

SUITE(netif_suite)
{
	SHUFFLED_TESTS({
		size_t i;

		SET_SETUP(setup, NULL);
		RUN_TEST(attach_takes_mac_and_mtu);
		RUN_TEST(first_interface_is_default);
		RUN_TEST(find_by_name_and_index);
		RUN_TEST(configure_static_then_none);
		RUN_TEST(configure_dhcp_discovers_and_static_stops_it);
		RUN_TEST(arp_request_gets_reply);
		RUN_TEST(arp_for_other_address_ignored);
		RUN_TEST(icmp_echo_gets_reply);
		for (i = 0; i < ARRAY_SIZE(bad_frames); i++)
			RUN_TEST1(malformed_frame_dropped, &bad_frames[i]);
		RUN_TEST(oversized_echo_answered_in_fragments);
		RUN_TEST(rawframes_consumed_before_lwip);
		RUN_TEST(link_follows_nic_after_interval);
		RUN_TEST(full_ring_retried_after_poll);
		RUN_TEST(retry_poll_delivers_pending_frames);
		RUN_TEST(ring_still_full_after_retry_fails);
		RUN_TEST(oversized_output_counted_as_tx_dropped);
		RUN_TEST(pbuf_exhaustion_counts_rx_dropped);
		RUN_TEST(in_place_frames_held_until_done);
		RUN_TEST(in_place_refused_releases_pbuf);
		RUN_TEST(in_place_only_for_owned_memory);
		RUN_TEST(attach_refuses_past_table);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(netif_suite);
	});
	GREATEST_MAIN_END();
}
