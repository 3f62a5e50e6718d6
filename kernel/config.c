/*
 * hv.cfg parser. Pure: see config.h for the format.
 *
 * The file comes from a FAT partition anyone can edit, so the parser
 * assumes nothing: any bytes, any line ends, any length. Each line is
 * judged on its own and a bad one is reported and skipped; values are
 * stored only once fully validated, so a bad line never half-applies.
 */
#include <stdarg.h>
#include <string.h>

#include "kernel/config.h"
#include "lib/fmt.h"

#define CONFIG_LINE_MAX 511 /* bytes, not counting the line end */
#define CONFIG_QUOTE_MAX 40 /* bytes of a bad word quoted in a message */

struct config_key {
	const char *name;
	/* Apply value to c, or describe the problem in msg and fail. */
	int (*apply)(struct config *c, const char *value, char *msg, size_t len);
};

static int PRINTF_LIKE(3, 4) config_fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->hostname, "hv", 3);
	c->log_level = LOG_INFO;
	c->console_json = false;
	c->console_echo = true;
	c->net_mode = NET_MODE_NONE;
	c->migrate_tls = true;
}

/* One decimal part of a dotted quad; no leading zeros (octal to some). */
static const char *config_parse_octet(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0;

	while (n < 4 && s[n] >= '0' && s[n] <= '9')
		v = v * 10 + (uint32_t)(s[n++] - '0');
	if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0'))
		return NULL;
	*out = v;
	return s + n;
}

int config_parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t addr = 0, octet;
	int i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -EINVAL;
		s = config_parse_octet(s, &octet);
		if (!s)
			return -EINVAL;
		addr = addr << 8 | octet;
	}
	if (*s)
		return -EINVAL;
	*out = addr;
	return 0;
}

static int config_hostname(struct config *c, const char *v, char *msg, size_t len)
{
	size_t n = strlen(v), i;

	for (i = 0; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			break;
	}
	if (n == 0 || n >= CONFIG_HOSTNAME_MAX || i < n)
		return config_fail(msg, len, "bad hostname '%.*s' (letters, digits, '-', max %d)",
				   CONFIG_QUOTE_MAX, v, CONFIG_HOSTNAME_MAX - 1);
	memcpy(c->hostname, v, n + 1);
	return 0;
}

static int config_log_level(struct config *c, const char *v, char *msg, size_t len)
{
	enum log_level level;

	if (log_level_parse(v, &level))
		return config_fail(msg, len, "bad log.level '%.*s' (error, warn, info, debug)",
				   CONFIG_QUOTE_MAX, v);
	c->log_level = level;
	return 0;
}

static int config_console_mode(struct config *c, const char *v, char *msg, size_t len)
{
	if (strcmp(v, "text") && strcmp(v, "json"))
		return config_fail(msg, len, "bad console.mode '%.*s' (text, json)",
				   CONFIG_QUOTE_MAX, v);
	c->console_json = strcmp(v, "json") == 0;
	return 0;
}

static int config_console_echo(struct config *c, const char *v, char *msg, size_t len)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return config_fail(msg, len, "bad console.echo '%.*s' (on, off)",
				   CONFIG_QUOTE_MAX, v);
	c->console_echo = strcmp(v, "on") == 0;
	return 0;
}

static int config_net_mode(struct config *c, const char *v, char *msg, size_t len)
{
	static const char *const modes[] = {
		[NET_MODE_NONE] = "none",
		[NET_MODE_DHCP] = "dhcp",
		[NET_MODE_STATIC] = "static",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (strcmp(v, modes[i]) == 0) {
			c->net_mode = (enum net_mode)i;
			return 0;
		}
	}
	return config_fail(msg, len, "bad net.mode '%.*s' (none, dhcp, static)",
			   CONFIG_QUOTE_MAX, v);
}

/* "0".."32" without leading zeros; returns -1 when not a prefix length. */
static int config_parse_prefix(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0')
		return s[0] - '0';
	if (s[0] >= '1' && s[0] <= '3' && s[1] >= '0' && s[1] <= '9' && s[2] == '\0') {
		int v = (s[0] - '0') * 10 + (s[1] - '0');

		return v <= 32 ? v : -1;
	}
	return -1;
}

static int config_net_address(struct config *c, const char *v, char *msg, size_t len)
{
	char quad[16];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : 0;
	uint32_t addr;
	int prefix;

	if (!slash || n >= sizeof(quad))
		goto bad;
	memcpy(quad, v, n);
	quad[n] = '\0';
	prefix = config_parse_prefix(slash + 1);
	if (config_parse_ipv4(quad, &addr) || prefix < 0)
		goto bad;
	c->net_address = addr;
	/* A shift by 32 is undefined, so /0 is spelled out. */
	c->net_netmask = prefix ? ~0U << (32 - prefix) : 0;
	return 0;
bad:
	return config_fail(msg, len, "bad net.address '%.*s' (A.B.C.D/PREFIX, PREFIX 0..32)",
			   CONFIG_QUOTE_MAX, v);
}

static int config_net_gateway(struct config *c, const char *v, char *msg, size_t len)
{
	uint32_t addr;

	if (config_parse_ipv4(v, &addr))
		return config_fail(msg, len, "bad net.gateway '%.*s' (A.B.C.D)",
				   CONFIG_QUOTE_MAX, v);
	c->net_gateway = addr;
	return 0;
}

static int config_guest(struct config *c, const char *v, char *msg, size_t len)
{
	struct guest_spec g;

	if (c->nguests >= CONFIG_MAX_GUESTS)
		return config_fail(msg, len, "too many guests (max %d)", CONFIG_MAX_GUESTS);
	if (guest_spec_parse(v, &g, msg, len))
		return -EINVAL;
	c->guests[c->nguests++] = g;
	return 0;
}

static int config_migrate_tls(struct config *c, const char *v, char *msg, size_t len)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return config_fail(msg, len, "bad migrate.tls '%.*s' (on, off)",
				   CONFIG_QUOTE_MAX, v);
	c->migrate_tls = strcmp(v, "on") == 0;
	return 0;
}

/* The message never quotes the value: a near-miss is nearly the key. */
static int config_migrate_psk(struct config *c, const char *v, char *msg, size_t len)
{
	if (psk_parse_hex(v, c->migrate_psk, &c->migrate_psk_len))
		return config_fail(msg, len, "bad migrate.psk (%d-%d hex digits; value not shown)",
				   2 * PSK_MIN_BYTES, 2 * PSK_MAX_BYTES);
	return 0;
}

static int config_migrate_identity(struct config *c, const char *v, char *msg, size_t len)
{
	if (!psk_identity_ok(v))
		return config_fail(msg, len, "bad migrate.psk-identity (1-%d of letters, digits, "
				   "'.', '_', '-', '@', ':'; value not shown)", PSK_IDENTITY_MAX);
	memcpy(c->migrate_psk_identity, v, strlen(v) + 1);
	return 0;
}

static const struct config_key config_keys[] = {
	{ "hostname", config_hostname },
	{ "log.level", config_log_level },
	{ "console.mode", config_console_mode },
	{ "console.echo", config_console_echo },
	{ "net.mode", config_net_mode },
	{ "net.address", config_net_address },
	{ "net.gateway", config_net_gateway },
	{ "guest", config_guest },
	{ "migrate.tls", config_migrate_tls },
	{ "migrate.psk", config_migrate_psk },
	{ "migrate.psk-identity", config_migrate_identity },
};

static bool config_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim spaces and tabs around s[0..n) in place; returns the new start. */
static char *config_trim(char *s, size_t n)
{
	while (n && config_space(s[n - 1]))
		n--;
	s[n] = '\0';
	while (config_space(*s))
		s++;
	return s;
}

static int config_apply(struct config *c, char *line, char *msg, size_t len)
{
	char *eq = strchr(line, '='), *key, *value;
	size_t i;

	if (!eq)
		/* not quoted: the line could be a key someone pasted alone */
		return config_fail(msg, len, "expected 'key = value'");
	key = config_trim(line, (size_t)(eq - line));
	value = config_trim(eq + 1, strlen(eq + 1));
	if (!*key)
		return config_fail(msg, len, "missing key before '='");
	for (i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (strcmp(key, config_keys[i].name) == 0)
			return config_keys[i].apply(c, value, msg, len);
	return config_fail(msg, len, "unknown key '%.*s'", CONFIG_QUOTE_MAX, key);
}

/* Judge one line (without its '\n'); 0 when fine or blank. */
static int config_line(struct config *c, const char *text, size_t n,
		       char *msg, size_t len)
{
	char buf[CONFIG_LINE_MAX + 1], *s;
	size_t i;

	if (n && text[n - 1] == '\r')
		n--;
	if (n > CONFIG_LINE_MAX)
		return config_fail(msg, len, "line too long (max %d bytes)", CONFIG_LINE_MAX);
	/* The comment goes first: it may hold anything. */
	for (i = 0; i < n && text[i] != '#'; i++)
		;
	n = i;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return config_fail(msg, len, "control character 0x%02x in line", ch);
	}
	memcpy(buf, text, n);
	s = config_trim(buf, n);
	if (!*s)
		return 0;
	return config_apply(c, s, msg, len);
}

int config_parse(struct config *c, const char *text, size_t len,
		 struct config_error *errs, int max_errs)
{
	size_t pos = 0;
	int lineno = 0, bad = 0;

	while (text && pos < len) {
		size_t end = pos;
		char msg[sizeof(errs->msg)];

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		msg[0] = '\0';
		if (config_line(c, text + pos, end - pos, msg, sizeof(msg))) {
			if (errs && bad < max_errs) {
				errs[bad].line = lineno;
				memcpy(errs[bad].msg, msg, sizeof(msg));
			}
			bad++;
		}
		pos = end + 1;
	}
	return bad;
}

const char *config_net_mode_name(enum net_mode mode)
{
	static const char *const names[] = { "none", "dhcp", "static" };

	return (unsigned)mode < ARRAY_SIZE(names) ? names[mode] : "unknown";
}
