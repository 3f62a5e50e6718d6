/* Unit tests for kernel/config.c: the hv.cfg parser (and lib/psk.c, for the migrate.psk keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/config.h"

#define MAX_ERRS 32

static struct config cfg;
static struct config_error errs[MAX_ERRS];
static int nerrs;

/* Parse text (len bytes) on top of the defaults. */
static int parse_n(const char *text, size_t len)
{
	config_defaults(&cfg);
	memset(errs, 0x7f, sizeof(errs));
	nerrs = config_parse(&cfg, text, len, errs, MAX_ERRS);
	return nerrs;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* The one line of text is rejected with a message naming want. */
static enum greatest_test_res rejects(const char *text, const char *want)
{
	struct config defaults;

	config_defaults(&defaults);
	ASSERT_EQm(text, 1, parse(text));
	ASSERT_EQ(1, errs[0].line);
	ASSERT(memchr(errs[0].msg, '\0', sizeof(errs[0].msg)));
	if (!strstr(errs[0].msg, want))
		FAILm(errs[0].msg);
	/* Nothing applied from the bad line. */
	ASSERT_MEM_EQ(&defaults, &cfg, sizeof(cfg));
	PASS();
}

TEST defaults(void)
{
	config_defaults(&cfg);
	ASSERT_STR_EQ("hv", cfg.hostname);
	ASSERT_EQ(LOG_INFO, cfg.log_level);
	ASSERT_FALSE(cfg.console_json);
	ASSERT(cfg.console_echo);
	ASSERT_EQ(NET_MODE_NONE, cfg.net_mode);
	ASSERT_EQ(0, cfg.net_address);
	ASSERT_EQ(0, cfg.nguests);
	ASSERT_EQ(0, parse(""));
	ASSERT_EQ(0, config_parse(&cfg, NULL, 0, NULL, 0));
	PASS();
}

TEST every_key_valid(void)
{
	ASSERT_EQ(0, parse("hostname = lab-host-7\n"
			   "log.level = debug\n"
			   "console.mode = json\n"
			   "console.echo = off\n"
			   "net.mode = static\n"
			   "net.address = 192.168.1.10/24\n"
			   "net.gateway = 192.168.1.1\n"
			   "guest = linux.efi mem=256 name=web -- console=ttyS0 quiet\n"
			   "guest = other.bin\n"));
	ASSERT_STR_EQ("lab-host-7", cfg.hostname);
	ASSERT_EQ(LOG_DEBUG, cfg.log_level);
	ASSERT(cfg.console_json);
	ASSERT_FALSE(cfg.console_echo);
	ASSERT_EQ(NET_MODE_STATIC, cfg.net_mode);
	ASSERT_EQ_FMT(0xC0A8010Au, cfg.net_address, "0x%08x");
	ASSERT_EQ_FMT(0xFFFFFF00u, cfg.net_netmask, "0x%08x");
	ASSERT_EQ_FMT(0xC0A80101u, cfg.net_gateway, "0x%08x");
	ASSERT_EQ(2, cfg.nguests);
	ASSERT_STR_EQ("linux.efi", cfg.guests[0].file);
	ASSERT_EQ(256, cfg.guests[0].mem_mib);
	ASSERT_STR_EQ("web", cfg.guests[0].name);
	ASSERT_STR_EQ("console=ttyS0 quiet", cfg.guests[0].args);
	ASSERT_STR_EQ("other", cfg.guests[1].name);
	ASSERT_EQ(GUEST_MEM_DEFAULT_MIB, cfg.guests[1].mem_mib);
	PASS();
}

TEST other_valid_values(void)
{
	char line[100];

	ASSERT_EQ(0, parse("log.level=error\nconsole.mode=text\n"
			   "console.echo=on\nnet.mode=dhcp"));
	ASSERT_EQ(LOG_ERROR, cfg.log_level);
	ASSERT_FALSE(cfg.console_json);
	ASSERT(cfg.console_echo);
	ASSERT_EQ(NET_MODE_DHCP, cfg.net_mode);
	ASSERT_EQ(0, parse("log.level = warn\nnet.mode = none\nnet.address = 0.0.0.0/0"));
	ASSERT_EQ(LOG_WARN, cfg.log_level);
	ASSERT_EQ(NET_MODE_NONE, cfg.net_mode);
	ASSERT_EQ(0, cfg.net_netmask);
	ASSERT_EQ(0, parse("net.address = 255.255.255.255/32"));
	ASSERT_EQ_FMT(0xFFFFFFFFu, cfg.net_address, "0x%08x");
	ASSERT_EQ_FMT(0xFFFFFFFFu, cfg.net_netmask, "0x%08x");
	ASSERT_EQ(0, parse("net.address = 10.1.2.3/8"));
	ASSERT_EQ_FMT(0xFF000000u, cfg.net_netmask, "0x%08x");
	ASSERT_EQ(0, parse("net.address = 10.1.2.3/1"));
	ASSERT_EQ_FMT(0x80000000u, cfg.net_netmask, "0x%08x");
	snprintf(line, sizeof(line), "hostname = %063d", 7);
	ASSERT_EQ(0, parse(line));
	ASSERT_EQ(63, strlen(cfg.hostname));
	PASS();
}

TEST bad_hostname(void)
{
	char line[100];

	CHECK_CALL(rejects("hostname =", "hostname"));
	CHECK_CALL(rejects("hostname = a b", "'a b'"));
	CHECK_CALL(rejects("hostname = a_b", "'a_b'"));
	CHECK_CALL(rejects("hostname = a.example", "'a.example'"));
	CHECK_CALL(rejects("hostname = h\xc3\xa9llo", "hostname"));
	snprintf(line, sizeof(line), "hostname = %064d", 7);
	CHECK_CALL(rejects(line, "hostname"));
	PASS();
}

TEST hostname_character_ranges_end_where_they_should(void)
{
	/* the first and last of each range, and '-' */
	ASSERT_EQ(0, parse("hostname = azAZ09-"));
	ASSERT_STR_EQ("azAZ09-", cfg.hostname);
	/* the byte just outside each end of each range */
	CHECK_CALL(rejects("hostname = a`", "'a`'"));
	CHECK_CALL(rejects("hostname = a{", "'a{'"));
	CHECK_CALL(rejects("hostname = a@", "'a@'"));
	CHECK_CALL(rejects("hostname = a[", "'a['"));
	CHECK_CALL(rejects("hostname = a/", "'a/'"));
	CHECK_CALL(rejects("hostname = a:", "'a:'"));
	CHECK_CALL(rejects("hostname = a,", "'a,'"));
	CHECK_CALL(rejects("hostname = _a", "'_a'")); /* the first byte is checked too */
	PASS();
}

TEST bad_enums(void)
{
	CHECK_CALL(rejects("log.level = verbose", "'verbose'"));
	CHECK_CALL(rejects("log.level = INFO", "'INFO'"));
	CHECK_CALL(rejects("log.level =", "log.level"));
	CHECK_CALL(rejects("console.mode = JSON", "'JSON'"));
	CHECK_CALL(rejects("console.mode = html", "console.mode"));
	CHECK_CALL(rejects("console.echo = yes", "'yes'"));
	CHECK_CALL(rejects("console.echo = 1", "console.echo"));
	CHECK_CALL(rejects("net.mode = auto", "'auto'"));
	CHECK_CALL(rejects("net.mode = dhcp static", "'dhcp static'"));
	PASS();
}

TEST bad_addresses(void)
{
	static const char *const addr[] = {
		"10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/+8",
		"10.0.0.256/24", "010.0.0.1/24", "1.2.3/8", "1.2.3.4.5/8", "x1.2.3.4/8",
		"1.2.3.4/8x", "1.2.3.4/08", "1.2.3.4/100", "/24", "1.2.3.4 /24",
		"1.2.3.4/ 24", "1.2.3.4/24/1", "1111.2.3.4/8", "-1.2.3.4/8",
		"1.2.3.4444444444444444/8", "0x1.2.3.4/8",
	};
	static const char *const gw[] = {
		"1.2.3.4.", "+1.2.3.4", "1..2.3", "256.1.1.1", "1.2.3.4/24", "a.b.c.d",
		"1.2.3.04", "", "1.2.3.4 5",
	};
	char line[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addr); i++) {
		snprintf(line, sizeof(line), "net.address = %s", addr[i]);
		CHECK_CALL(rejects(line, "net.address"));
	}
	for (i = 0; i < ARRAY_SIZE(gw); i++) {
		snprintf(line, sizeof(line), "net.gateway = %s", gw[i]);
		CHECK_CALL(rejects(line, "net.gateway"));
	}
	PASS();
}

TEST parse_ipv4_directly(void)
{
	uint32_t a = 0x12345678;

	ASSERT_EQ(0, config_parse_ipv4("0.0.0.0", &a));
	ASSERT_EQ(0, a);
	ASSERT_EQ(0, config_parse_ipv4("1.2.3.4", &a));
	ASSERT_EQ_FMT(0x01020304u, a, "0x%08x");
	ASSERT_EQ(0, config_parse_ipv4("255.0.10.199", &a));
	ASSERT_EQ_FMT(0xFF000AC7u, a, "0x%08x");
	ASSERT_EQ(-EINVAL, config_parse_ipv4("1.2.3.4 ", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4(" 1.2.3.4", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4("", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4("1.2.3.", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4("1.2.3.300", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4("1.2.3.00", &a));
	ASSERT_EQ(-EINVAL, config_parse_ipv4(NULL, &a));
	ASSERT_EQ_FMT(0xFF000AC7u, a, "0x%08x");
	PASS();
}

TEST bad_guests(void)
{
	CHECK_CALL(rejects("guest =", "missing file"));
	CHECK_CALL(rejects("guest = mem=64", "missing file"));
	CHECK_CALL(rejects("guest = k.efi mem=1", "mem=1"));
	CHECK_CALL(rejects("guest = k.efi colour=red", "colour=red"));
	PASS();
}

TEST unknown_and_malformed_keys(void)
{
	CHECK_CALL(rejects("foo = 1", "unknown key 'foo'"));
	CHECK_CALL(rejects("Hostname = x", "'Hostname'"));
	CHECK_CALL(rejects("host name = x", "'host name'"));
	CHECK_CALL(rejects("h\xc3\xb4st = x", "unknown key"));
	CHECK_CALL(rejects("= x", "missing key"));
	/* a line without '=' is not quoted back: it may be a pasted key */
	CHECK_CALL(rejects("hostname", "expected 'key = value'"));
	CHECK_CALL(rejects("hostname x", "expected 'key = value'"));
	ASSERT_FALSE(strstr(errs[0].msg, "hostname x"));
	CHECK_CALL(rejects("hostname = a = b", "hostname"));
	PASS();
}

TEST comments_and_blanks(void)
{
	ASSERT_EQ(0, parse("# a comment = with equals\n"
			   "\n"
			   "   \t  \n"
			   "  # indented comment\n"
			   "hostname = a # trailing comment\n"
			   "log.level=debug#tight\n"
			   "#hostname = never\n"));
	ASSERT_STR_EQ("a", cfg.hostname);
	ASSERT_EQ(LOG_DEBUG, cfg.log_level);
	ASSERT_EQ(1, parse("hostname # = x\n"));
	ASSERT_STR_EQ("hv", cfg.hostname);
	PASS();
}

TEST crlf_and_no_final_newline(void)
{
	ASSERT_EQ(0, parse("hostname = a\r\nlog.level = debug\r\n\r\nnet.mode = dhcp"));
	ASSERT_STR_EQ("a", cfg.hostname);
	ASSERT_EQ(LOG_DEBUG, cfg.log_level);
	ASSERT_EQ(NET_MODE_DHCP, cfg.net_mode);
	ASSERT_EQ(0, parse("hostname = b\r"));
	ASSERT_STR_EQ("b", cfg.hostname);
	/* A lone CR is not a line end. */
	ASSERT_EQ(1, parse("hostname = c\rlog.level = debug\n"));
	ASSERT(strstr(errs[0].msg, "control character"));
	ASSERT_STR_EQ("hv", cfg.hostname);
	ASSERT_EQ(LOG_INFO, cfg.log_level);
	PASS();
}

TEST nul_bytes(void)
{
	static const char text[] = "hostname = a\0b\n"
				   "log.level = debug # \0 in a comment is fine\n"
				   "\0\n"
				   "net.mode = dhcp\n";

	ASSERT_EQ(2, parse_n(text, sizeof(text) - 1));
	ASSERT_EQ(1, errs[0].line);
	ASSERT_EQ(3, errs[1].line);
	ASSERT(strstr(errs[0].msg, "0x00"));
	ASSERT_STR_EQ("hv", cfg.hostname);
	ASSERT_EQ(LOG_DEBUG, cfg.log_level);
	ASSERT_EQ(NET_MODE_DHCP, cfg.net_mode);
	PASS();
}

TEST long_lines(void)
{
	size_t big = 100000;
	char *text = malloc(big + 64);
	char line[600];

	/* 511 bytes is fine, even with a CR before the LF. */
	memset(line, ' ', 511);
	memcpy(line, "hostname = ok", 13);
	memcpy(line + 511, "\r\n", 3);
	ASSERT_EQ(0, parse(line));
	ASSERT_STR_EQ("ok", cfg.hostname);
	/* 512 bytes is not, even when it is only a comment. */
	memset(line, '#', 512);
	line[512] = '\0';
	ASSERT_EQ(1, parse(line));
	ASSERT(strstr(errs[0].msg, "line too long"));

	ASSERT(text);
	memset(text, 'k', big);
	strcpy(text + big, "\nhostname = after\n");
	ASSERT_EQ(1, parse(text));
	ASSERT_EQ(1, errs[0].line);
	ASSERT(strstr(errs[0].msg, "line too long"));
	ASSERT_STR_EQ("after", cfg.hostname);
	free(text);
	PASS();
}

TEST last_wins(void)
{
	ASSERT_EQ(0, parse("hostname = first\nhostname = second\n"
			   "log.level = debug\nlog.level = error\n"));
	ASSERT_STR_EQ("second", cfg.hostname);
	ASSERT_EQ(LOG_ERROR, cfg.log_level);
	/* A bad later value keeps the earlier good one. */
	ASSERT_EQ(1, parse("hostname = first\nhostname = bad_one\n"));
	ASSERT_EQ(2, errs[0].line);
	ASSERT_STR_EQ("first", cfg.hostname);
	ASSERT_EQ(1, parse("net.address = 10.0.0.2/16\nnet.address = 10.0.0.3/40\n"));
	ASSERT_EQ_FMT(0x0A000002u, cfg.net_address, "0x%08x");
	ASSERT_EQ_FMT(0xFFFF0000u, cfg.net_netmask, "0x%08x");
	PASS();
}

TEST guests_append_and_overflow(void)
{
	char text[2048] = "";
	size_t i;

	for (i = 0; i < CONFIG_MAX_GUESTS + 2; i++) {
		char line[64];

		snprintf(line, sizeof(line), "guest = g%zu.efi mem=%zu\n", i, 8 + i);
		strcat(text, line);
	}
	ASSERT_EQ(2, parse(text));
	ASSERT_EQ(CONFIG_MAX_GUESTS, cfg.nguests);
	ASSERT_EQ(CONFIG_MAX_GUESTS + 1, errs[0].line);
	ASSERT_EQ(CONFIG_MAX_GUESTS + 2, errs[1].line);
	ASSERT(strstr(errs[0].msg, "too many guests"));
	for (i = 0; i < CONFIG_MAX_GUESTS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%zu", i);
		ASSERT_STR_EQ(name, cfg.guests[i].name);
		ASSERT_EQ(8 + i, cfg.guests[i].mem_mib);
	}
	/* A bad guest line takes no slot. */
	ASSERT_EQ(1, parse("guest = a.efi\nguest = b.efi mem=x\nguest = c.efi\n"));
	ASSERT_EQ(2, cfg.nguests);
	ASSERT_STR_EQ("c.efi", cfg.guests[1].file);
	PASS();
}

TEST error_numbers_and_limits(void)
{
	const char *text = "hostname = ok\n"
			   "bogus = 1\n"
			   "\n"
			   "log.level = loud\n"
			   "# fine\n"
			   "net.mode = x\n"
			   "no equals here\n"
			   "console.echo = maybe";
	struct config_error two[2];
	int n;

	ASSERT_EQ(5, parse(text));
	ASSERT_EQ(2, errs[0].line);
	ASSERT_EQ(4, errs[1].line);
	ASSERT_EQ(6, errs[2].line);
	ASSERT_EQ(7, errs[3].line);
	ASSERT_EQ(8, errs[4].line);
	ASSERT_STR_EQ("ok", cfg.hostname);

	memset(two, 0, sizeof(two));
	config_defaults(&cfg);
	n = config_parse(&cfg, text, strlen(text), two, 2);
	ASSERT_EQ(5, n);
	ASSERT_EQ(2, two[0].line);
	ASSERT_EQ(4, two[1].line);
	config_defaults(&cfg);
	ASSERT_EQ(5, config_parse(&cfg, text, strlen(text), NULL, 0));
	ASSERT_STR_EQ("ok", cfg.hostname);
	PASS();
}

TEST parse_applies_on_top(void)
{
	const char *more = "log.level = debug\n";

	ASSERT_EQ(0, parse("hostname = base\nguest = a.efi\n"));
	ASSERT_EQ(0, config_parse(&cfg, more, strlen(more), errs, MAX_ERRS));
	ASSERT_STR_EQ("base", cfg.hostname);
	ASSERT_EQ(LOG_DEBUG, cfg.log_level);
	ASSERT_EQ(1, cfg.nguests);
	/* len bounds the text: the NUL-free tail is never read. */
	ASSERT_EQ(0, parse_n("hostname = abcdef", 13));
	ASSERT_STR_EQ("ab", cfg.hostname);
	PASS();
}

TEST garbage_never_breaks_invariants(void)
{
	char *buf = malloc(4096);
	int iter;

	ASSERT(buf);
	srand(5);
	for (iter = 0; iter < 2000; iter++) {
		size_t len = (size_t)rand() % 4096, i, lines = 0;
		int n;

		for (i = 0; i < len; i++) {
			int r = rand() % 16;

			buf[i] = r == 0 ? '\n' : r == 1 ? '=' : r == 2 ? ' ' : (char)rand();
			lines += buf[i] == '\n';
		}
		n = parse_n(buf, len);
		ASSERT(n >= 0 && (size_t)n <= lines + 1);
		ASSERT(cfg.nguests <= CONFIG_MAX_GUESTS);
		ASSERT(memchr(cfg.hostname, '\0', sizeof(cfg.hostname)));
		for (i = 0; i < (size_t)MIN(n, MAX_ERRS); i++) {
			ASSERT(errs[i].line >= 1 && (size_t)errs[i].line <= lines + 1);
			ASSERT(memchr(errs[i].msg, '\0', sizeof(errs[i].msg)));
			ASSERT(errs[i].msg[0] != '\0');
		}
	}
	free(buf);
	PASS();
}

#define HEX32 "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"

TEST migrate_tls_keys(void)
{
	config_defaults(&cfg);
	ASSERT(cfg.migrate_tls);
	ASSERT_EQ(0, cfg.migrate_psk_len);
	ASSERT_STR_EQ("", cfg.migrate_psk_identity);
	ASSERT_EQ(0, parse("migrate.tls = off\n"
			   "migrate.psk = " HEX32 "\n"
			   "migrate.psk-identity = hv-pair.1@lab:a_b\n"));
	ASSERT_FALSE(cfg.migrate_tls);
	ASSERT_EQ(32, cfg.migrate_psk_len);
	ASSERT_EQ(0x00, cfg.migrate_psk[0]);
	ASSERT_EQ(0x11, cfg.migrate_psk[1]);
	ASSERT_EQ(0xff, cfg.migrate_psk[31]);
	ASSERT_STR_EQ("hv-pair.1@lab:a_b", cfg.migrate_psk_identity);
	ASSERT_EQ(0, parse("migrate.psk = 000102030405060708090a0b0c0d0e0f\n")); /* 16 bytes */
	ASSERT_EQ(16, cfg.migrate_psk_len);
	PASS();
}

/* A bad key is refused without a word of it in the message. */
static enum greatest_test_res rejects_key(const char *value, const char *secret_part)
{
	char line[200];

	snprintf(line, sizeof(line), "migrate.psk = %s\n", value);
	CHECK_CALL(rejects(line, "bad migrate.psk"));
	ASSERT_FALSE(strstr(errs[0].msg, secret_part));
	ASSERT(strstr(errs[0].msg, "value not shown"));
	PASS();
}

TEST bad_migrate_keys(void)
{
	char long_key[131];

	memset(long_key, 'a', 130);
	long_key[130] = '\0';
	CHECK_CALL(rejects_key("00112233445566778899aabbccddee", "778899")); /* 15 bytes */
	CHECK_CALL(rejects_key(HEX32 "0", "778899"));                        /* odd */
	CHECK_CALL(rejects_key("0011223344556677889xaabbccddeeff", "6677")); /* not hex */
	CHECK_CALL(rejects_key(long_key, "aaaa"));                           /* 65 bytes */
	CHECK_CALL(rejects_key("correct horse battery staple", "horse"));    /* a phrase */
	CHECK_CALL(rejects("migrate.psk-identity = two words\n", "bad migrate.psk-identity"));
	CHECK_CALL(rejects("migrate.psk-identity = a/b\n", "bad migrate.psk-identity"));
	ASSERT_FALSE(strstr(errs[0].msg, "a/b"));
	CHECK_CALL(rejects("migrate.tls = yes\n", "bad migrate.tls"));
	/* a key pasted without its name is not quoted back either */
	CHECK_CALL(rejects(HEX32 "\n", "expected 'key = value'"));
	ASSERT_FALSE(strstr(errs[0].msg, "0011"));
	PASS();
}

TEST longest_identity_fits_and_one_more_does_not(void)
{
	char line[120], id[66];

	memset(id, 'x', 65);
	id[64] = '\0';
	snprintf(line, sizeof(line), "migrate.psk-identity = %s\n", id);
	ASSERT_EQ(0, parse(line));
	ASSERT_STR_EQ(id, cfg.migrate_psk_identity);
	id[64] = 'x';
	id[65] = '\0';
	snprintf(line, sizeof(line), "migrate.psk-identity = %s\n", id);
	CHECK_CALL(rejects(line, "bad migrate.psk-identity"));
	PASS();
}

SUITE(config)
{
	SHUFFLED_TESTS({
		RUN_TEST(defaults);
		RUN_TEST(every_key_valid);
		RUN_TEST(other_valid_values);
		RUN_TEST(bad_hostname);
		RUN_TEST(hostname_character_ranges_end_where_they_should);
		RUN_TEST(bad_enums);
		RUN_TEST(bad_addresses);
		RUN_TEST(parse_ipv4_directly);
		RUN_TEST(bad_guests);
		RUN_TEST(unknown_and_malformed_keys);
		RUN_TEST(comments_and_blanks);
		RUN_TEST(crlf_and_no_final_newline);
		RUN_TEST(nul_bytes);
		RUN_TEST(long_lines);
		RUN_TEST(last_wins);
		RUN_TEST(guests_append_and_overflow);
		RUN_TEST(error_numbers_and_limits);
		RUN_TEST(parse_applies_on_top);
		RUN_TEST(garbage_never_breaks_invariants);
		RUN_TEST(migrate_tls_keys);
		RUN_TEST(bad_migrate_keys);
		RUN_TEST(longest_identity_fits_and_one_more_does_not);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(config);
	});
	GREATEST_MAIN_END();
}
