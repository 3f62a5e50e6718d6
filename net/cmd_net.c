/*
 * Console commands for the network: net, net set, ping, netbench.
 */
#include <string.h>
#include "kernel/commands.h"
#include "kernel/config.h"
#include "lib/fmt.h"
#include "kernel/printk.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "net/netbench.h"
#include "net/netif.h"
#include "net/ping.h"
#include "net/rawframes.h"
#include "lwip/etharp.h"

static void reply_ip(struct reply *r, const char *key, const ip4_addr_t *a)
{
	reply_ipv4(r, key, lwip_ntohl(ip4_addr_get_u32(a)));
}

static void reply_if(struct reply *r, const struct net_if *ifc)
{
	const struct nic *nic = ifc->nic;
	const struct nic_stats *st = &nic->stats;

	reply_obj_begin(r, NULL);
	reply_str(r, "name", nic->name);
	reply_str(r, "model", nic->model);
	reply_strf(r, "mac", "%02x:%02x:%02x:%02x:%02x:%02x", nic->mac[0], nic->mac[1],
		   nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5]);
	reply_bool(r, "link", ifc->link);
	reply_str(r, "mode", config_net_mode_name(ifc->mode));
	reply_ip(r, "address", netif_ip4_addr(ifc->netif));
	reply_ip(r, "netmask", netif_ip4_netmask(ifc->netif));
	reply_ip(r, "gateway", netif_ip4_gw(ifc->netif));
	reply_u64(r, "rx_frames", st->rx_frames);
	reply_u64(r, "rx_bytes", st->rx_bytes);
	reply_u64(r, "rx_dropped", st->rx_dropped);
	reply_u64(r, "tx_frames", st->tx_frames);
	reply_u64(r, "tx_bytes", st->tx_bytes);
	reply_u64(r, "tx_dropped", st->tx_dropped);
	reply_u64(r, "resets", st->resets);
	reply_obj_end(r);
}

/* net set IF static A.B.C.D/N [GW] | net set IF dhcp | net set IF none */
static void net_set(struct reply *r, int argc, char **argv)
{
	struct net_if *ifc = argc > 2 ? net_if_find(argv[2]) : NULL;
	struct config c;
	char line[96];
	int bad;

	if (argc < 4 || argc > 6) {
		reply_error(r, "usage: net set IF static A.B.C.D/PREFIX [GATEWAY] | net set IF dhcp|none");
		return;
	}
	if (!ifc) {
		reply_error(r, "no interface '%s'", argv[2]);
		return;
	}
	/* reuse hv.cfg's validation so the console and the file accept the same values */
	config_defaults(&c);
	fmt_snprintf(line, sizeof(line), "net.mode = %s\n%s%s%s%s%s", argv[3],
		     argc > 4 ? "net.address = " : "", argc > 4 ? argv[4] : "", argc > 4 ? "\n" : "",
		     argc > 5 ? "net.gateway = " : "", argc > 5 ? argv[5] : "");
	bad = config_parse(&c, line, strlen(line), NULL, 0);
	if (bad || (c.net_mode == NET_MODE_STATIC) != (argc > 4)) {
		reply_error(r, "bad network settings: %s%s%s", argv[3], argc > 4 ? " " : "",
			    argc > 4 ? argv[4] : "");
		return;
	}
	net_if_configure(ifc, c.net_mode, c.net_address, c.net_netmask, c.net_gateway);
	reply_str(r, "name", ifc->nic->name);
	reply_str(r, "mode", config_net_mode_name(ifc->mode));
	reply_ip(r, "address", netif_ip4_addr(ifc->netif));
}

static void cmd_net(struct reply *r, int argc, char **argv)
{
	int i;

	if (argc > 1 && !strcmp(argv[1], "set")) {
		net_set(r, argc, argv);
		return;
	}
	if (argc > 1) {
		reply_error(r, "usage: net | net set IF ...");
		return;
	}
	reply_arr_begin(r, "interfaces");
	for (i = 0; i < net_if_count(); i++)
		reply_if(r, net_if_at(i));
	reply_arr_end(r);
}

static int parse_host(struct reply *r, const char *s, uint32_t *addr)
{
	if (config_parse_ipv4(s, addr)) {
		reply_error(r, "'%s' is not an IPv4 address", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_count(struct reply *r, const char *s, uint64_t max, uint64_t *out)
{
	if (fmt_parse_u64(s, out) || *out == 0 || *out > max) {
		reply_error(r, "'%s' is not a count from 1 to %lu", s, max);
		return -EINVAL;
	}
	return 0;
}

static void ping_progress(uint32_t seq, bool ok, uint64_t rtt_us)
{
	if (ok)
		kprintf("reply seq=%u time=%lu.%03lu ms\n", seq, rtt_us / 1000, rtt_us % 1000);
	else
		kprintf("no reply seq=%u\n", seq);
}

static void cmd_ping(struct reply *r, int argc, char **argv)
{
	struct ping_result res;
	uint64_t count = 4;
	uint32_t addr;
	int err;

	if (parse_host(r, argv[1], &addr) || (argc > 2 && parse_count(r, argv[2], PING_MAX_COUNT, &count)))
		return;
	err = ping_run(addr, (uint32_t)count, &res, reply_text_mode(r) ? ping_progress : NULL);
	if (err) {
		reply_error(r, "ping failed (%d): no route or no memory", err);
		return;
	}
	reply_str(r, "host", argv[1]);
	reply_u64(r, "sent", res.sent);
	reply_u64(r, "received", res.received);
	reply_u64(r, "loss_pct", res.sent ? (res.sent - res.received) * 100 / res.sent : 0);
	reply_u64(r, "rtt_min_us", res.rtt_min_us);
	reply_u64(r, "rtt_avg_us", res.rtt_avg_us);
	reply_u64(r, "rtt_max_us", res.rtt_max_us);
	reply_u64(r, "duplicates", res.duplicates);
}

static void cmd_netbench_tcp(struct reply *r, int argc, char **argv);

static void bench_progress(uint64_t sent)
{
	kprintf("netbench: %lu MiB sent\n", sent >> 20);
}

static void netbench_server(struct reply *r)
{
	struct netbench_server_stats st;
	int err = netbench_server_start(NETBENCH_PORT);

	if (err) {
		reply_error(r, "cannot listen on port %u (%d)", NETBENCH_PORT, err);
		return;
	}
	netbench_server_stats(&st);
	reply_bool(r, "listening", st.listening);
	reply_u64(r, "port", st.port);
	reply_u64(r, "sessions", st.sessions);
	reply_u64(r, "last_bytes", st.last_bytes);
	reply_u64(r, "last_errors", st.last_errors);
}

/* netbench raw A.B.C.D [FRAMES]: blast raw frames at a peer (after a ping resolved its MAC). */
static void netbench_raw(struct reply *r, int argc, char **argv)
{
	struct net_if *ifc = net_if_at(0);
	struct eth_addr *mac = NULL;
	const ip4_addr_t *found_ip = NULL;
	ip4_addr_t ip;
	uint64_t frames = 20000, ns;
	uint32_t addr, sent;

	if (!ifc) {
		reply_error(r, "no network interface");
		return;
	}
	if (parse_host(r, argv[2], &addr) || (argc > 3 && parse_count(r, argv[3], 10000000, &frames)))
		return;
	ip4_addr_set_u32(&ip, lwip_htonl(addr));
	if (etharp_find_addr(ifc->netif, &ip, &mac, &found_ip) < 0 || !mac) {
		reply_error(r, "no ARP entry for %s: ping it first", argv[2]);
		return;
	}
	ns = rawframes_send(ifc->nic, mac->addr, (uint32_t)frames, &sent);
	reply_u64(r, "frames_sent", sent);
	reply_u64(r, "bytes_sent", (uint64_t)sent * NIC_MTU_FRAME);
	reply_u64(r, "ms", ns / 1000000);
	reply_u64(r, "kib_per_s", ns ? (uint64_t)sent * NIC_MTU_FRAME * 1000000000ULL / 1024 / ns : 0);
}

/* netbench raw-stats | raw-reset: what this side received of a peer's blast. */
static void netbench_raw_stats(struct reply *r, bool reset)
{
	struct rawframes_stats st;
	uint64_t ns;

	rawframes_stats(&st);
	ns = st.last_ns - st.first_ns;
	reply_u64(r, "frames", st.frames);
	reply_u64(r, "bytes", st.bytes);
	reply_u64(r, "ms", ns / 1000000);
	reply_u64(r, "kib_per_s", ns ? st.bytes * 1000000000ULL / 1024 / ns : 0);
	if (reset)
		rawframes_reset();
}

static void cmd_netbench(struct reply *r, int argc, char **argv)
{
	if (!strcmp(argv[1], "raw") && argc >= 3) {
		netbench_raw(r, argc, argv);
		return;
	}
	if (!strcmp(argv[1], "raw-stats") || !strcmp(argv[1], "raw-reset")) {
		netbench_raw_stats(r, !strcmp(argv[1], "raw-reset"));
		return;
	}
	cmd_netbench_tcp(r, argc, argv);
}

static void cmd_netbench_tcp(struct reply *r, int argc, char **argv)
{
	struct netbench_result res;
	uint64_t mib = 16;
	uint32_t addr;
	int err;

	if (argc > 3) {
		reply_error(r, "usage: netbench server | A.B.C.D [MiB] | raw A.B.C.D [FRAMES] | raw-stats | raw-reset");
		return;
	}
	if (!strcmp(argv[1], "server")) {
		if (argc > 2)
			reply_error(r, "usage: netbench server");
		else
			netbench_server(r);
		return;
	}
	if (parse_host(r, argv[1], &addr) || (argc > 2 && parse_count(r, argv[2], NETBENCH_MAX_MIB, &mib)))
		return;
	err = netbench_client_run(addr, NETBENCH_PORT, (uint32_t)mib, &res,
				  reply_text_mode(r) ? bench_progress : NULL);
	if (err) {
		reply_error(r, "netbench to %s failed: %s", argv[1],
			    err == -ECONNREFUSED ? "connection refused" :
			    err == -ETIMEDOUT ? "timed out" :
			    err == -ECONNRESET || err == -EIO ? "connection reset" :
			    err == -EPROTO ? "no verdict from the server" : "error");
		return;
	}
	reply_str(r, "host", argv[1]);
	reply_u64(r, "bytes_sent", res.bytes_sent);
	reply_u64(r, "bytes_verified", res.bytes_verified);
	reply_u64(r, "errors", res.errors);
	reply_bool(r, "intact", res.errors == 0 && res.bytes_verified == res.bytes_sent);
	reply_u64(r, "ms", res.ns / 1000000);
	reply_strf(r, "mb_per_s", "%lu.%02lu", res.kib_per_s * 1024 / 1000000,
		   res.kib_per_s * 1024 / 10000 % 100);
	reply_u64(r, "kib_per_s", res.kib_per_s);
}

COMMAND(net, "[set IF static A.B.C.D/N [GW] | set IF dhcp|none]", "interfaces, addresses, counters", 0, 5, false, cmd_net);
COMMAND(ping, "A.B.C.D [COUNT]", "ICMP echo from the hypervisor", 1, 2, false, cmd_ping);
COMMAND(netbench, "server | A.B.C.D [MiB] | raw A.B.C.D [FRAMES] | raw-stats | raw-reset", "TCP throughput to a peer (bytes checked); raw frame rate", 1, 3, false, cmd_netbench);
