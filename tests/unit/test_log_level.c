/* Unit tests for kernel/log_level.c: level names both ways. */
#include "greatest.h"
#include "unit_order.h"
#include "kernel/log.h"

TEST names(void)
{
	ASSERT_STR_EQ("error", log_level_name(LOG_ERROR));
	ASSERT_STR_EQ("warn", log_level_name(LOG_WARN));
	ASSERT_STR_EQ("info", log_level_name(LOG_INFO));
	ASSERT_STR_EQ("debug", log_level_name(LOG_DEBUG));
	ASSERT_STR_EQ("?", log_level_name((enum log_level)4));
	ASSERT_STR_EQ("?", log_level_name((enum log_level)-1));
	PASS();
}

TEST parse_round_trips(void)
{
	enum log_level l, in;

	for (in = LOG_ERROR; in <= LOG_DEBUG; in++) {
		l = (enum log_level)99;
		ASSERT_EQ(0, log_level_parse(log_level_name(in), &l));
		ASSERT_EQ(in, l);
	}
	PASS();
}

TEST parse_rejects_others(void)
{
	static const char *const bad[] = {
		"", "Error", "INFO", "warning", "debug ", " info", "inf", "infoo", "3", "?",
	};
	enum log_level l = LOG_WARN;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQm(bad[i], -EINVAL, log_level_parse(bad[i], &l));
	ASSERT_EQ(-EINVAL, log_level_parse(NULL, &l));
	ASSERT_EQ(LOG_WARN, l);
	PASS();
}

SUITE(log_level)
{
	SHUFFLED_TESTS({
		RUN_TEST(names);
		RUN_TEST(parse_round_trips);
		RUN_TEST(parse_rejects_others);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(log_level);
	});
	GREATEST_MAIN_END();
}
