/*
 * Parsing a migration target (see target.h).
 */
#include <string.h>

#include "kernel/config.h"
#include "lib/fmt.h"
#include "migrate/target.h"

#define HOST_TEXT_MAX 16 /* "255.255.255.255" and its NUL */

int migrate_port_parse(const char *s, uint16_t *port)
{
	uint64_t v;

	if (fmt_parse_u64(s, &v) || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int migrate_target_parse(const char *s, uint32_t *addr, uint16_t *port, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	size_t hlen = colon ? (size_t)(colon - s) : strlen(s);
	char host[HOST_TEXT_MAX];

	*port = MIGRATE_PORT_DEFAULT;
	if (hlen == 0 || hlen >= sizeof(host)) {
		fmt_snprintf(err, errlen, "'%s' is not HOST[:PORT] with an IPv4 address", s);
		return -EINVAL;
	}
	memcpy(host, s, hlen);
	host[hlen] = 0;
	if (config_parse_ipv4(host, addr)) {
		fmt_snprintf(err, errlen, "'%s' is not an IPv4 address", host);
		return -EINVAL;
	}
	if (colon && migrate_port_parse(colon + 1, port)) {
		fmt_snprintf(err, errlen, "'%s' is not a port from 1 to 65535", colon + 1);
		return -EINVAL;
	}
	return 0;
}
