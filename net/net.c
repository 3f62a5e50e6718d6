/*
 * Network bring-up. lwIP runs with NO_SYS=1: one thread of control, the
 * core's main loop, drives its timers here. NIC drivers come with the
 * networking issue; until then the stack runs with no interface.
 */
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "kernel/log.h"
#include "net/net.h"
#include "net/port.h"

static bool started;

void net_init(const struct config *cfg)
{
	lwip_port_init();
	started = true;
	log_info("net: lwIP %s started; no NIC driver yet (net.mode %s ignored)",
		 LWIP_VERSION_STRING, cfg->net_mode == NET_MODE_NONE ? "none" : "set");
}

void net_poll(void)
{
	if (started)
		sys_check_timeouts();
}
