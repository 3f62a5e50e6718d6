/*
 * hv.cfg, the configuration file on the ESP. Pure parser.
 *
 * Format: one "key = value" per line; '#' starts a comment; blank lines
 * ignored; keys are case-sensitive. Known keys:
 *   hostname = NAME            letters, digits, '-', up to 63
 *   log.level = error|warn|info|debug
 *   console.mode = text|json   reply rendering at boot
 *   console.echo = on|off
 *   net.mode = none|dhcp|static
 *   net.address = A.B.C.D/PREFIX    (static)
 *   net.gateway = A.B.C.D           (static, optional)
 *   guest = FILE [mem=MiB] [name=NAME] [mod=FILE]... [-- ARGS]   (repeatable)
 *   migrate.tls = on|off            encrypt and authenticate migrations (default on)
 *   migrate.psk = HEX               the pre-shared key, 16-64 bytes (lib/psk.h); never shown
 *   migrate.psk-identity = NAME     its identity (lib/psk.h)
 * A bad line is reported with its number and skipped; the other lines
 * still apply, so one typo never stops the hypervisor from booting.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "kernel/guest_spec.h"
#include "kernel/log.h"
#include "lib/psk.h"
#include "lib/types.h"

#define CONFIG_MAX_GUESTS 16
#define CONFIG_HOSTNAME_MAX 64

enum net_mode { NET_MODE_NONE, NET_MODE_DHCP, NET_MODE_STATIC };

struct config {
	char hostname[CONFIG_HOSTNAME_MAX];
	enum log_level log_level;
	bool console_json;
	bool console_echo;
	enum net_mode net_mode;
	uint32_t net_address; /* host byte order */
	uint32_t net_netmask;
	uint32_t net_gateway;
	size_t nguests;
	struct guest_spec guests[CONFIG_MAX_GUESTS];
	bool migrate_tls;
	uint8_t migrate_psk[PSK_MAX_BYTES]; /* secret: never logged or shown */
	size_t migrate_psk_len;             /* 0: none configured */
	char migrate_psk_identity[PSK_IDENTITY_MAX + 1];
};

struct config_error {
	int line; /* 1-based */
	char msg[96];
};

/* Defaults: hostname "hv", log info, text console with echo, no network, no guests,
 * migration TLS on but no key or identity. */
void config_defaults(struct config *c);

/*
 * Apply text (len bytes, need not be NUL-terminated, may hold any bytes)
 * on top of c. Returns the number of bad lines; the first max_errs of
 * them are described in errs.
 */
int config_parse(struct config *c, const char *text, size_t len, struct config_error *errs, int max_errs);

/* Name of a network mode ("none", "dhcp", "static"). */
const char *config_net_mode_name(enum net_mode mode);

/* Parse "A.B.C.D" into host byte order. Returns 0 or -EINVAL. */
int config_parse_ipv4(const char *s, uint32_t *out);

#endif
