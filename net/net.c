/*
 * Network bring-up. lwIP runs with NO_SYS=1: one thread of control, the
 * core's main loop, drives its timers and the NIC polling here.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/pci.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "net/net.h"
#include "net/netif.h"
#include "net/nic.h"
#include "net/port.h"

/* keep polling this long after the last frame: NICs are polled, and a halt waits for the next tick */
#define NET_BUSY_NS 50000000ULL
/*
 * After that, for a while, wake from idle every millisecond rather than
 * at the 100 Hz tick: a conversation in progress (pings a second apart,
 * requests and replies) is answered within a millisecond, and a quiet
 * machine still sleeps between ticks.
 */
#define NET_ACTIVE_NS 2000000000ULL
#define NET_ACTIVE_POLL_NS 1000000ULL

static bool started;
static uint64_t last_frame_ns;

void net_init(const struct config *cfg)
{
	struct net_if *first = NULL;
	int i;

	lwip_port_init();
	started = true;
	pci_scan();
	e1000_probe();
	virtio_net_probe();
	for (i = 0; i < nic_count(); i++) {
		struct net_if *ifc = net_if_attach(nic_get(i));

		if (ifc && !first)
			first = ifc;
	}
	log_info("net: lwIP %s, %d interface(s)", LWIP_VERSION_STRING, net_if_count());
	if (first)
		net_if_configure(first, cfg->net_mode, cfg->net_address, cfg->net_netmask,
				cfg->net_gateway);
	else if (cfg->net_mode != NET_MODE_NONE)
		log_warn("net: hv.cfg configures the network but no NIC was found");
}

uint64_t net_next_wakeup(void)
{
	if (!started || !last_frame_ns || clock_ns() - last_frame_ns >= NET_ACTIVE_NS)
		return 0;
	return rdtsc() + NET_ACTIVE_POLL_NS * clock_tsc_hz() / 1000000000ULL;
}

bool net_poll(void)
{
	int frames;

	if (!started)
		return false;
	frames = net_if_poll_all();
	sys_check_timeouts();
	net_if_flush_all(); /* what the timers sent */
	if (frames)
		last_frame_ns = clock_ns();
	return frames > 0 || clock_ns() - last_frame_ns < NET_BUSY_NS;
}
