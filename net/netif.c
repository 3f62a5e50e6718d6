/*
 * lwIP network interfaces over our NIC drivers. lwIP runs with NO_SYS=1
 * in the main loop, so frames go straight from the driver's poll into
 * netif->input, and lwIP's output straight into the driver's send.
 */
#include <string.h>
#include "kernel/clock.h"
#include "kernel/log.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "net/netif.h"
#include "net/rawframes.h"

#define NETIF_MAX 4
#define RX_BUDGET 64
#define LINK_CHECK_NS 100000000ULL
#define ETH_MIN_FRAME 60 /* IEEE 802.3 minimum frame without FCS: the wire pads shorter ones */

static struct netif netifs[NETIF_MAX];
static struct net_if ifs[NETIF_MAX];
static int count;
static uint64_t last_link_check;

static void rx_frame(struct nic *nic, const void *frame, size_t len)
{
	struct netif *n = nic->netif;
	struct pbuf *p;

	static const uint8_t zeros[ETH_MIN_FRAME];

	if (rawframes_consume(frame, len))
		return;
	/*
	 * Pad runts to the Ethernet minimum with zeros: lwIP 2.1.3's etharp_input
	 * reads a whole ARP header without checking the length, which would
	 * otherwise see stale bytes of an earlier frame in the pool buffer.
	 */
	p = pbuf_alloc(PBUF_RAW, (u16_t)MAX(len, ETH_MIN_FRAME), PBUF_POOL);
	if (!p) {
		nic->stats.rx_dropped++; /* out of pbufs: TCP retransmits, nothing breaks */
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (len < ETH_MIN_FRAME)
		pbuf_take_at(p, zeros, (u16_t)(ETH_MIN_FRAME - len), (u16_t)len);
	if (n->input(p, n) != ERR_OK)
		pbuf_free(p);
}

/*
 * Queue with send (or send_ref), and when the ring is full reap completions
 * and try once more. Budget 0 delivers no received frame: lwIP is in the
 * middle of sending and must not be re-entered.
 */
static int xmit(struct nic *nic, const void *frame, size_t len, void *ref)
{
	int err = ref ? nic->ops->send_ref(nic, frame, len, ref) : nic->ops->send(nic, frame, len);

	if (err != -ENOSPC)
		return err;
	nic_flush(nic);
	nic->ops->poll(nic, rx_frame, 0);
	return ref ? nic->ops->send_ref(nic, frame, len, ref) : nic->ops->send(nic, frame, len);
}

/* A frame the driver sent in place is done: drop the reference link_output took. */
static void tx_done(struct nic *nic, void *cookie)
{
	pbuf_free(cookie);
}

/*
 * Whether the device may read p where it is until it is done: one pbuf
 * that owns its bytes (PBUF_RAM or PBUF_POOL, allocated with the struct),
 * not one that points at memory someone else may change or free.
 */
static bool sendable_in_place(const struct pbuf *p)
{
	return !p->next && p->len >= ETH_MIN_FRAME &&
	       (p->type_internal & PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS);
}

/*
 * A frame in one pbuf (all of TCP's, LWIP_NETIF_TX_SINGLE_PBUF) goes to a
 * driver that can send in place without a copy, holding a reference until
 * the device is done: lwIP does not retransmit a segment whose pbuf is
 * still referenced (tcp_output_segment_busy). Others are gathered into
 * one buffer and copied.
 */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	struct net_if *ifc = n->state;
	struct nic *nic = ifc->nic;
	uint8_t frame[NIC_MTU_FRAME];
	int err;

	if (p->tot_len > sizeof(frame)) {
		nic->stats.tx_dropped++;
		return ERR_IF;
	}
	if (nic->ops->send_ref && sendable_in_place(p)) {
		pbuf_ref(p);
		err = xmit(nic, p->payload, p->len, p);
		if (err)
			pbuf_free(p);
		return err ? ERR_MEM : ERR_OK;
	}
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	err = xmit(nic, frame, p->tot_len, NULL);
	return err ? ERR_MEM : ERR_OK;
}

static err_t netif_setup(struct netif *n)
{
	struct net_if *ifc = n->state;

	n->name[0] = 'e';
	n->name[1] = 't';
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, ifc->nic->mac, ETH_HWADDR_LEN);
	n->mtu = 1500;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	n->output = etharp_output;
	n->linkoutput = link_output;
	return ERR_OK;
}

struct net_if *net_if_attach(struct nic *nic)
{
	struct net_if *ifc;

	if (count == NETIF_MAX)
		return NULL;
	ifc = &ifs[count];
	ifc->netif = &netifs[count];
	ifc->nic = nic;
	if (!netif_add(ifc->netif, NULL, NULL, NULL, ifc, netif_setup, ethernet_input))
		return NULL;
	nic->netif = ifc->netif;
	nic->tx_done = tx_done;
	netif_set_up(ifc->netif);
	if (count == 0)
		netif_set_default(ifc->netif);
	count++;
	return ifc;
}

struct net_if *net_if_find(const char *name)
{
	int i;

	for (i = 0; i < count; i++)
		if (!strcmp(ifs[i].nic->name, name))
			return &ifs[i];
	return NULL;
}

struct net_if *net_if_at(int i)
{
	return i >= 0 && i < count ? &ifs[i] : NULL;
}

int net_if_count(void)
{
	return count;
}

void net_if_configure(struct net_if *ifc, enum net_mode mode, uint32_t addr, uint32_t mask,
		     uint32_t gw)
{
	ip4_addr_t a, m, g;

	dhcp_release_and_stop(ifc->netif);
	ip4_addr_set_u32(&a, lwip_htonl(mode == NET_MODE_STATIC ? addr : 0));
	ip4_addr_set_u32(&m, lwip_htonl(mode == NET_MODE_STATIC ? mask : 0));
	ip4_addr_set_u32(&g, lwip_htonl(mode == NET_MODE_STATIC ? gw : 0));
	netif_set_addr(ifc->netif, &a, &m, &g);
	ifc->mode = mode;
	if (mode == NET_MODE_DHCP && dhcp_start(ifc->netif) != ERR_OK)
		log_warn("net: %s: cannot start DHCP", ifc->nic->name);
}

static void check_links(void)
{
	int i;

	for (i = 0; i < count; i++) {
		bool up = ifs[i].nic->ops->link_up(ifs[i].nic);

		if (up == ifs[i].link)
			continue;
		ifs[i].link = up;
		if (up)
			netif_set_link_up(ifs[i].netif);
		else
			netif_set_link_down(ifs[i].netif);
		log_info("net: %s: link %s", ifs[i].nic->name, up ? "up" : "down");
	}
}

void net_if_flush_all(void)
{
	int i;

	for (i = 0; i < count; i++)
		nic_flush(ifs[i].nic);
}

int net_if_poll_all(void)
{
	uint64_t now = clock_ns();
	int i, frames = 0;

	for (i = 0; i < count; i++)
		frames += ifs[i].nic->ops->poll(ifs[i].nic, rx_frame, RX_BUDGET);
	net_if_flush_all();
	if (now - last_link_check > LINK_CHECK_NS) {
		last_link_check = now;
		check_links();
	}
	return frames;
}
