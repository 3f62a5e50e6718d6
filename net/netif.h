/*
 * NICs as lwIP network interfaces: one struct netif per NIC, frames
 * moved between the driver and lwIP, addresses configured statically or
 * by DHCP.
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include "kernel/config.h"
#include "net/nic.h"

struct netif;

struct net_if {
	struct netif *netif;
	struct nic *nic;
	enum net_mode mode;
	bool link;
};

/* Create the interface for nic (the first one becomes the default route). */
struct net_if *net_if_attach(struct nic *nic);

/* The interface called name ("eth0"), or NULL; by index. */
struct net_if *net_if_find(const char *name);
struct net_if *net_if_at(int i);
int net_if_count(void);

/*
 * Configure an interface: NET_MODE_STATIC with address, netmask and
 * gateway (host byte order; gateway 0 for none), NET_MODE_DHCP, or
 * NET_MODE_NONE (no address).
 */
void net_if_configure(struct net_if *ifc, enum net_mode mode, uint32_t addr, uint32_t mask,
		     uint32_t gw);

/*
 * Poll every NIC: received frames into lwIP, link changes, then the
 * doorbells for what lwIP sent. Returns frames handled.
 */
int net_if_poll_all(void);

/* Hand every frame queued on any NIC to its device (see nic_ops.flush). */
void net_if_flush_all(void);

#endif
