/*
 * Unit tests for migrate/target.c: "HOST[:PORT]" as `migrate` takes it.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "migrate/target.h"

static char err[160];
static uint32_t addr;
static uint16_t port;

static void setup(void *arg)
{
	err[0] = 0;
	addr = 0;
	port = 0;
}

TEST host_alone_takes_the_default_port(void)
{
	ASSERT_EQ(0, migrate_target_parse("10.0.9.2", &addr, &port, err, sizeof(err)));
	ASSERT_EQ(0x0a000902u, addr);
	ASSERT_EQ(MIGRATE_PORT_DEFAULT, port);
	PASS();
}

TEST host_and_port(void)
{
	ASSERT_EQ(0, migrate_target_parse("192.168.1.200:5001", &addr, &port, err, sizeof(err)));
	ASSERT_EQ(0xc0a801c8u, addr);
	ASSERT_EQ(5001, port);
	ASSERT_EQ(0, migrate_target_parse("1.2.3.4:65535", &addr, &port, err, sizeof(err)));
	ASSERT_EQ(65535, port);
	PASS();
}

TEST bad_hosts_are_refused_with_a_message(void)
{
	static const char *const bad[] = {
		"", ":4444", "host", "10.0.9", "10.0.9.256", "10.0.9.2.1", "1.2.3.4.5.6.7.8.9:1",
		"255.255.255.255x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ASSERTm(bad[i], migrate_target_parse(bad[i], &addr, &port, err, sizeof(err)) == -EINVAL);
		ASSERTm(bad[i], err[0] != 0);
	}
	PASS();
}

TEST bad_ports_are_refused(void)
{
	static const char *const bad[] = { "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:x",
					   "1.2.3.4:-1", "1.2.3.4:80:81" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ASSERTm(bad[i], migrate_target_parse(bad[i], &addr, &port, err, sizeof(err)) == -EINVAL);
		ASSERTm(bad[i], strstr(err, "port") != NULL);
	}
	PASS();
}

TEST port_parse(void)
{
	ASSERT_EQ(0, migrate_port_parse("1", &port));
	ASSERT_EQ(1, port);
	ASSERT_EQ(-EINVAL, migrate_port_parse("0", &port));
	ASSERT_EQ(-EINVAL, migrate_port_parse("70000", &port));
	ASSERT_EQ(-EINVAL, migrate_port_parse("", &port));
	PASS();
}

SUITE(target)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(host_alone_takes_the_default_port);
		RUN_TEST(host_and_port);
		RUN_TEST(bad_hosts_are_refused_with_a_message);
		RUN_TEST(bad_ports_are_refused);
		RUN_TEST(port_parse);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(target);
	});
	GREATEST_MAIN_END();
}
