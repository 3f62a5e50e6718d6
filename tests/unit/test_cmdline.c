/*
 * cmdline: word splitting (quotes, escapes, tabs, limits), lookup, and
 * dispatch against a fake command table with a capturing reply sink.
 */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/cmdline.h"
#include "tests/fuzz/json_check.h"

/* ---------------------------------------------------------- split */

static char line[512];
static char *argv_[CMDLINE_MAX_ARGS + 1];
static const char *err;

static int split(const char *s)
{
	snprintf(line, sizeof(line), "%s", s);
	err = NULL;
	return cmdline_split(line, argv_, CMDLINE_MAX_ARGS, &err);
}

TEST split_spaces_and_tabs(void)
{
	ASSERT_EQ(3, split("  log \t debug\tnow  "));
	ASSERT_STR_EQ("log", argv_[0]);
	ASSERT_STR_EQ("debug", argv_[1]);
	ASSERT_STR_EQ("now", argv_[2]);
	ASSERT_EQ(NULL, argv_[3]);
	ASSERT_EQ(NULL, err);
	PASS();
}

TEST split_blank(void)
{
	ASSERT_EQ(0, split(""));
	ASSERT_EQ(0, split(" \t  \t"));
	ASSERT_EQ(NULL, argv_[0]);
	PASS();
}

TEST split_quotes(void)
{
	ASSERT_EQ(3, split("echo \"a b\tc\" d"));
	ASSERT_STR_EQ("echo", argv_[0]);
	ASSERT_STR_EQ("a b\tc", argv_[1]);
	ASSERT_STR_EQ("d", argv_[2]);
	ASSERT_EQ(1, split("foo\"bar baz\"qux"));
	ASSERT_STR_EQ("foobar bazqux", argv_[0]);
	ASSERT_EQ(3, split("a \"\" b"));
	ASSERT_STR_EQ("", argv_[1]);
	ASSERT_STR_EQ("b", argv_[2]);
	ASSERT_EQ(2, split("\"\"\"\" x"));
	ASSERT_STR_EQ("", argv_[0]);
	PASS();
}

TEST split_escapes(void)
{
	ASSERT_EQ(2, split("\"a\\\"b\" \"c\\\\d\""));
	ASSERT_STR_EQ("a\"b", argv_[0]);
	ASSERT_STR_EQ("c\\d", argv_[1]);
	/* Other backslashes, and any outside quotes, are literal. */
	ASSERT_EQ(2, split("\"a\\nb\" x\\y"));
	ASSERT_STR_EQ("a\\nb", argv_[0]);
	ASSERT_STR_EQ("x\\y", argv_[1]);
	ASSERT_EQ(1, split("x\\\"y\""));
	ASSERT_STR_EQ("x\\y", argv_[0]);
	PASS();
}

TEST split_unterminated(void)
{
	ASSERT_EQ(-1, split("echo \"abc"));
	ASSERT_STR_EQ("unterminated quote", err);
	ASSERT_EQ(-1, split("\"a\\\""));
	ASSERT_STR_EQ("unterminated quote", err);
	ASSERT_EQ(-1, split("\""));
	PASS();
}

TEST split_argument_limit(void)
{
	char s[128] = "";
	int i;

	for (i = 0; i < CMDLINE_MAX_ARGS; i++)
		strcat(s, "w ");
	ASSERT_EQ(CMDLINE_MAX_ARGS, split(s));
	strcat(s, "x");
	ASSERT_EQ(-1, split(s));
	ASSERT_STR_EQ("too many arguments", err);
	/* err may be NULL; max_args 0 takes nothing. */
	snprintf(line, sizeof(line), "a");
	ASSERT_EQ(-1, cmdline_split(line, argv_, 0, NULL));
	snprintf(line, sizeof(line), "  ");
	ASSERT_EQ(0, cmdline_split(line, argv_, 0, NULL));
	PASS();
}

/* ---------------------------------------------------------- dispatch */

static int ran_argc;
static char ran_name[32];

static void run_record(struct reply *r, int argc, char **argv)
{
	ran_argc = argc;
	snprintf(ran_name, sizeof(ran_name), "%s", argv[0]);
	reply_u64(r, "argc", (uint64_t)argc);
	if (argc > 1)
		reply_str(r, "first", argv[1]);
}

static const struct command table[] = {
	{ "log", "LEVEL", "set the log level", 1, 1, false, run_record },
	{ "echo", "[WORDS...]", "say it back", 0, -1, false, run_record },
	{ "quit", "", "leave", 0, 0, false, run_record },
	{ "mem", "ADDR [LEN]", "dump", 1, 2, false, run_record },
	{ "secret", NULL, "not listed", 0, 0, true, run_record },
};

#include "tests/unit/capture_sink.h"

static struct capture cap;
static struct reply rep;

static const struct reply_sink sink = { capture_write, &cap };

/* Split s, dispatch it in mode, return the rendered reply. */
static const char *run_line(enum reply_mode mode, const char *s)
{
	int argc = split(s);

	cap.len = 0;
	cap.out[0] = '\0';
	ran_argc = -1;
	ran_name[0] = '\0';
	reply_begin(&rep, mode, &sink, argc > 0 ? argv_[0] : "");
	command_dispatch(table, ARRAY_SIZE(table), &rep, argc, argv_);
	reply_end(&rep);
	return cap.out;
}

/* argv ends with NULL when there is room, and nothing is written past
 * max_args when the words fill it (a heap array of exactly that size, so
 * the sanitizer sees a write past it). */
TEST split_null_terminates_within_bounds(void)
{
	char **argv = malloc(3 * sizeof(*argv));
	char words[] = "a b c", two[] = "a b";

	ASSERT(argv);
	ASSERT_EQ(3, cmdline_split(words, argv, 3, NULL));
	ASSERT_STR_EQ("c", argv[2]);
	argv[2] = words;
	ASSERT_EQ(2, cmdline_split(two, argv, 3, NULL));
	ASSERT_EQ(NULL, argv[2]);
	free(argv);
	PASS();
}

TEST find_commands(void)
{
	ASSERT_EQ(&table[0], command_find(table, ARRAY_SIZE(table), "log"));
	ASSERT_EQ(&table[4], command_find(table, ARRAY_SIZE(table), "secret"));
	ASSERT_EQ(NULL, command_find(table, ARRAY_SIZE(table), "lo"));
	ASSERT_EQ(NULL, command_find(table, ARRAY_SIZE(table), "logs"));
	ASSERT_EQ(NULL, command_find(table, ARRAY_SIZE(table), "LOG"));
	ASSERT_EQ(NULL, command_find(table, ARRAY_SIZE(table), NULL));
	/* n bounds the search. */
	ASSERT_EQ(NULL, command_find(table, 2, "quit"));
	PASS();
}

TEST dispatch_runs_with_arguments(void)
{
	ASSERT_STR_EQ("argc: 2\nfirst: debug\n", run_line(REPLY_TEXT, "log debug"));
	ASSERT_EQ(2, ran_argc);
	ASSERT_STR_EQ("log", ran_name);
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"log\",\"argc\":2,\"first\":\"debug\"}\n",
		      run_line(REPLY_JSON, "log debug"));
	run_line(REPLY_JSON, "log \"de bug\"");
	ASSERT_STR_EQ("{\"ok\":true,\"cmd\":\"log\",\"argc\":2,\"first\":\"de bug\"}\n",
		      cap.out);
	PASS();
}

TEST dispatch_blank_line_does_nothing(void)
{
	ASSERT_STR_EQ("ok\n", run_line(REPLY_TEXT, "   "));
	ASSERT_EQ(-1, ran_argc);
	ASSERT_FALSE(rep.failed);
	PASS();
}

TEST dispatch_unknown(void)
{
	ASSERT_STR_EQ("error: unknown command 'nope'; try help\n",
		      run_line(REPLY_TEXT, "nope 1 2"));
	ASSERT_EQ(-1, ran_argc);
	ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"nope\","
		      "\"error\":\"unknown command 'nope'; try help\"}\n",
		      run_line(REPLY_JSON, "nope"));
	PASS();
}

TEST dispatch_unknown_binary_name(void)
{
	const char *out = run_line(REPLY_JSON, "\x01\xff\\\x7f");

	ASSERT(json_check(out, strlen(out) - 1));
	ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"\\u0001\\u00ff\\\\\\u007f\","
		      "\"error\":\"unknown command '\\u0001\\u00ff\\\\\\u007f'; try help\"}\n",
		      out);
	PASS();
}

TEST dispatch_argument_counts(void)
{
	ASSERT_STR_EQ("error: usage: log LEVEL\n", run_line(REPLY_TEXT, "log"));
	ASSERT_STR_EQ("error: usage: log LEVEL\n", run_line(REPLY_TEXT, "log a b"));
	ASSERT_EQ(-1, ran_argc);
	ASSERT_STR_EQ("error: usage: quit\n", run_line(REPLY_TEXT, "quit now"));
	ASSERT_STR_EQ("argc: 1\n", run_line(REPLY_TEXT, "quit"));
	ASSERT_STR_EQ("error: usage: mem ADDR [LEN]\n", run_line(REPLY_TEXT, "mem 1 2 3"));
	ASSERT_STR_EQ("argc: 3\nfirst: 1\n", run_line(REPLY_TEXT, "mem 1 2"));
	ASSERT_STR_EQ("{\"ok\":false,\"cmd\":\"log\",\"error\":\"usage: log LEVEL\"}\n",
		      run_line(REPLY_JSON, "log"));
	PASS();
}

TEST dispatch_unlimited_and_hidden(void)
{
	run_line(REPLY_TEXT, "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15");
	ASSERT_EQ(CMDLINE_MAX_ARGS, ran_argc);
	ASSERT_STR_EQ("argc: 1\n", run_line(REPLY_TEXT, "echo"));
	ASSERT_STR_EQ("argc: 1\n", run_line(REPLY_TEXT, "secret"));
	ASSERT_STR_EQ("secret", ran_name);
	ASSERT_STR_EQ("error: usage: secret\n", run_line(REPLY_TEXT, "secret x"));
	PASS();
}

SUITE(cmdline_split_suite)
{
	SHUFFLED_TESTS({
		RUN_TEST(split_spaces_and_tabs);
		RUN_TEST(split_blank);
		RUN_TEST(split_quotes);
		RUN_TEST(split_escapes);
		RUN_TEST(split_unterminated);
		RUN_TEST(split_argument_limit);
		RUN_TEST(split_null_terminates_within_bounds);
	});
}

SUITE(cmdline_dispatch_suite)
{
	SHUFFLED_TESTS({
		RUN_TEST(find_commands);
		RUN_TEST(dispatch_runs_with_arguments);
		RUN_TEST(dispatch_blank_line_does_nothing);
		RUN_TEST(dispatch_unknown);
		RUN_TEST(dispatch_unknown_binary_name);
		RUN_TEST(dispatch_argument_counts);
		RUN_TEST(dispatch_unlimited_and_hidden);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(cmdline_split_suite);
		RUN_SUITE(cmdline_dispatch_suite);
	});
	GREATEST_MAIN_END();
}
