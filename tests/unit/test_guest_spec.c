/* Unit tests for kernel/guest_spec.c: "FILE [mem=MiB] [name=NAME] [-- ARGS]". */
#include <stdio.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/guest_spec.h"

static struct guest_spec spec;
static char err[128];

static int parse(const char *s)
{
	memset(&spec, 0, sizeof(spec));
	memset(err, 'x', sizeof(err));
	return guest_spec_parse(s, &spec, err, sizeof(err));
}

/* Parsing s fails, and the message mentions want. */
static enum greatest_test_res fails_with(const char *s, const char *want)
{
	ASSERT_EQm(s, -EINVAL, parse(s));
	ASSERT(memchr(err, '\0', sizeof(err)));
	if (!strstr(err, want))
		FAILm(err);
	PASS();
}

static void repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

TEST file_only_gets_defaults(void)
{
	ASSERT_EQ(0, parse("linux.efi"));
	ASSERT_STR_EQ("linux.efi", spec.file);
	ASSERT_EQ(GUEST_MEM_DEFAULT_MIB, spec.mem_mib);
	ASSERT_STR_EQ("linux", spec.name);
	ASSERT_STR_EQ("", spec.args);
	ASSERT_STR_EQ("", err);
	PASS();
}

TEST all_parts_with_odd_spacing(void)
{
	ASSERT_EQ(0, parse("  vmlinuz.bin\tmem=256  name=web-1 --  "
			   "console=ttyS0 \t root=/dev/vda  "));
	ASSERT_STR_EQ("vmlinuz.bin", spec.file);
	ASSERT_EQ(256, spec.mem_mib);
	ASSERT_STR_EQ("web-1", spec.name);
	ASSERT_STR_EQ("console=ttyS0 root=/dev/vda", spec.args);
	PASS();
}

TEST everything_after_double_dash_is_args(void)
{
	ASSERT_EQ(0, parse("k -- mem=5 name=x -- b"));
	ASSERT_STR_EQ("mem=5 name=x -- b", spec.args);
	ASSERT_EQ(GUEST_MEM_DEFAULT_MIB, spec.mem_mib);
	ASSERT_STR_EQ("k", spec.name);
	ASSERT_EQ(0, parse("k --"));
	ASSERT_STR_EQ("", spec.args);
	/* "--x" is not the separator. */
	CHECK_CALL(fails_with("k --x", "'--x'"));
	PASS();
}

TEST mem_bounds_and_syntax(void)
{
	ASSERT_EQ(0, parse("k mem=2"));
	ASSERT_EQ(2, spec.mem_mib);
	ASSERT_EQ(0, parse("k mem=65536"));
	ASSERT_EQ(65536, spec.mem_mib);
	ASSERT_EQ(0, parse("k mem=0064"));
	ASSERT_EQ(64, spec.mem_mib);
	ASSERT_EQ(0, parse("k mem=8 mem=16"));
	ASSERT_EQ(16, spec.mem_mib);
	CHECK_CALL(fails_with("k mem=1", "mem=1"));
	CHECK_CALL(fails_with("k mem=0", "mem=0"));
	CHECK_CALL(fails_with("k mem=65537", "mem=65537"));
	CHECK_CALL(fails_with("k mem=99999999999999999999999", "mem=9999"));
	CHECK_CALL(fails_with("k mem=4294967360", "mem=4294967360"));
	CHECK_CALL(fails_with("k mem=", "mem="));
	CHECK_CALL(fails_with("k mem=12x", "mem=12x"));
	CHECK_CALL(fails_with("k mem=-5", "mem=-5"));
	CHECK_CALL(fails_with("k mem=+5", "mem=+5"));
	CHECK_CALL(fails_with("k mem=0x10", "mem=0x10"));
	CHECK_CALL(fails_with("k mem=1.5", "mem=1.5"));
	PASS();
}

TEST name_rules(void)
{
	char buf[80], word[64];

	ASSERT_EQ(0, parse("k name=A.b_c-9"));
	ASSERT_STR_EQ("A.b_c-9", spec.name);
	CHECK_CALL(fails_with("k name=a/b", "name=a/b"));
	CHECK_CALL(fails_with("k name=a+b", "name=a+b"));
	CHECK_CALL(fails_with("k name=\xc3\xa9t\xc3\xa9", "name="));
	CHECK_CALL(fails_with("k name=", "name"));
	/* each range's ends are in, the characters just outside are not */
	ASSERT_EQ(0, parse("k name=azAZ09"));
	ASSERT_STR_EQ("azAZ09", spec.name);
	CHECK_CALL(fails_with("k name=a`", "name=a`"));
	CHECK_CALL(fails_with("k name=a{", "name=a{"));
	CHECK_CALL(fails_with("k name=a@", "name=a@"));
	CHECK_CALL(fails_with("k name=a[", "name=a["));
	CHECK_CALL(fails_with("k name=a:", "name=a:"));
	repeat(word, 'n', GUEST_NAME_MAX - 1);
	snprintf(buf, sizeof(buf), "k name=%s", word);
	ASSERT_EQ(0, parse(buf));
	ASSERT_STR_EQ(word, spec.name);
	repeat(word, 'n', GUEST_NAME_MAX);
	snprintf(buf, sizeof(buf), "k name=%s", word);
	CHECK_CALL(fails_with(buf, "too long"));
	PASS();
}

TEST name_limit_in_the_message_and_first_byte_checked(void)
{
	char buf[80], word[64], want[16];

	repeat(word, 'n', GUEST_NAME_MAX);
	snprintf(buf, sizeof(buf), "k name=%s", word);
	snprintf(want, sizeof(want), "(max %d)", GUEST_NAME_MAX - 1);
	CHECK_CALL(fails_with(buf, want));
	CHECK_CALL(fails_with("k name=/a", "name=/a"));
	PASS();
}

TEST unknown_options_and_extra_words(void)
{
	CHECK_CALL(fails_with("k foo=1", "unknown option 'foo=1'"));
	CHECK_CALL(fails_with("k Mem=64", "'Mem=64'"));
	CHECK_CALL(fails_with("k =", "'='"));
	CHECK_CALL(fails_with("k =x", "unknown option '=x'")); /* a leading '=' is an option */
	CHECK_CALL(fails_with("k other", "'other'"));
	CHECK_CALL(fails_with("k mem=64 console=ttyS0", "'console=ttyS0'"));
	PASS();
}

TEST missing_file(void)
{
	CHECK_CALL(fails_with("", "missing file"));
	CHECK_CALL(fails_with(" \t ", "missing file"));
	CHECK_CALL(fails_with("mem=64", "missing file"));
	CHECK_CALL(fails_with("-- a b", "missing file"));
	PASS();
}

TEST file_rules(void)
{
	char buf[80], want[32];

	CHECK_CALL(fails_with("a/b.efi", "'a/b.efi'"));
	CHECK_CALL(fails_with("a\\b.efi", "a\\b.efi"));
	CHECK_CALL(fails_with("..", "'..'"));
	CHECK_CALL(fails_with("k\x01", "control character"));
	CHECK_CALL(fails_with("k -- a\x7f", "control character"));
	/* '!' and '~' are the first and last printable file characters */
	ASSERT_EQ(0, parse("!k~"));
	ASSERT_STR_EQ("!k~", spec.file);
	CHECK_CALL(fails_with("k\x7f", "control character 0x7f"));
	CHECK_CALL(fails_with("*k", "*k")); /* the first character is checked too */
	repeat(buf, 'f', GUEST_FILE_MAX - 1);
	ASSERT_EQ(0, parse(buf));
	ASSERT_STR_EQ(buf, spec.file);
	repeat(buf, 'f', GUEST_FILE_MAX);
	CHECK_CALL(fails_with(buf, "too long"));
	snprintf(want, sizeof(want), "(max %d)", GUEST_FILE_MAX - 1);
	CHECK_CALL(fails_with(buf, want));
	PASS();
}

TEST default_name_from_file(void)
{
	char buf[80];

	ASSERT_EQ(0, parse("my+kernel.v2.efi"));
	ASSERT_STR_EQ("my_kernel.v2", spec.name);
	ASSERT_EQ(0, parse(".hidden"));
	ASSERT_STR_EQ(".hidden", spec.name);
	ASSERT_EQ(0, parse("noext"));
	ASSERT_STR_EQ("noext", spec.name);
	ASSERT_EQ(0, parse("trailing."));
	ASSERT_STR_EQ("trailing", spec.name);
	repeat(buf, 'L', GUEST_FILE_MAX - 1);
	ASSERT_EQ(0, parse(buf));
	ASSERT_EQ(GUEST_NAME_MAX - 1, strlen(spec.name));
	ASSERT_EQ(0, parse("x.efi name=given"));
	ASSERT_STR_EQ("given", spec.name);
	PASS();
}

TEST args_length_limit(void)
{
	char buf[GUEST_ARGS_MAX + 16];

	memcpy(buf, "k -- ", 5);
	repeat(buf + 5, 'a', GUEST_ARGS_MAX - 1);
	ASSERT_EQ(0, parse(buf));
	ASSERT_EQ(GUEST_ARGS_MAX - 1, strlen(spec.args));
	repeat(buf + 5, 'a', GUEST_ARGS_MAX);
	CHECK_CALL(fails_with(buf, "too long"));
	/* The joining spaces count too. */
	repeat(buf + 5, 'a', GUEST_ARGS_MAX - 2);
	strcat(buf, " b");
	CHECK_CALL(fails_with(buf, "too long"));
	repeat(buf + 5, 'a', GUEST_ARGS_MAX - 3);
	strcat(buf, " b");
	ASSERT_EQ(0, parse(buf));
	ASSERT_EQ(GUEST_ARGS_MAX - 1, strlen(spec.args));
	PASS();
}

TEST error_leaves_output_alone(void)
{
	struct guest_spec before;
	char small[8];

	memset(&spec, 0x5a, sizeof(spec));
	before = spec;
	ASSERT_EQ(-EINVAL, guest_spec_parse("k mem=1", &spec, small, sizeof(small)));
	ASSERT_MEM_EQ(&before, &spec, sizeof(spec));
	ASSERT_EQ(7, strlen(small));
	ASSERT_EQ(-EINVAL, guest_spec_parse("k bad=1", &spec, NULL, 0));
	ASSERT_EQ(0, guest_spec_parse("ok mem=9", &spec, NULL, 0));
	ASSERT_EQ(9, spec.mem_mib);
	PASS();
}

TEST initrd_joins_the_module_list(void)
{
	ASSERT_EQ(0, parse("vmlinuz mem=256 initrd=initrd.gz mod=more.cpio -- console=ttyS0"));
	ASSERT_EQ(2, spec.nmodules);
	ASSERT_STR_EQ("initrd.gz", spec.modules[0]);
	ASSERT_STR_EQ("more.cpio", spec.modules[1]);
	ASSERT_STR_EQ("console=ttyS0", spec.args);
	CHECK_CALL(fails_with("vmlinuz initrd=", "empty file name"));
	CHECK_CALL(fails_with("vmlinuz initrd=a/b", "bad file name"));
	PASS();
}

TEST long_bad_word_is_quoted_shortly(void)
{
	char buf[600];

	memcpy(buf, "k bogus=", 8);
	repeat(buf + 8, 'z', 500);
	CHECK_CALL(fails_with(buf, "'bogus=zzz"));
	ASSERT(strlen(err) < 100);
	PASS();
}

TEST modules_in_order_and_limited(void)
{
	char line[512];
	int i, n;

	ASSERT_EQ(0, parse("k.elf mod=initrd.img mem=8 mod=b.bin -- mod=not-a-module"));
	ASSERT_EQ(2U, spec.nmodules);
	ASSERT_STR_EQ("initrd.img", spec.modules[0]);
	ASSERT_STR_EQ("b.bin", spec.modules[1]);
	ASSERT_STR_EQ("mod=not-a-module", spec.args);
	ASSERT_EQ(0, parse("k.elf"));
	ASSERT_EQ(0U, spec.nmodules);
	CHECK_CALL(fails_with("k.elf mod=", "empty file name"));
	CHECK_CALL(fails_with("k.elf mod=a/b", "bad file name"));
	CHECK_CALL(fails_with("k.elf mod=..", "bad file name"));
	n = snprintf(line, sizeof(line), "k.elf");
	for (i = 0; i <= GUEST_MODULES_MAX; i++)
		n += snprintf(line + n, sizeof(line) - n, " mod=m%d", i);
	CHECK_CALL(fails_with(line, "too many modules"));
	PASS();
}

TEST argv_form(void)
{
	char *full[] = { "k.efi", "mem=128", "", "--", "a b", "", "c" };
	char *bad[] = { "k.efi", "nope" };
	char *opt_only[] = { "name=x" };

	memset(&spec, 0, sizeof(spec));
	ASSERT_EQ(0, guest_spec_parse_argv(7, full, &spec, err, sizeof(err)));
	ASSERT_STR_EQ("k.efi", spec.file);
	ASSERT_EQ(128, spec.mem_mib);
	ASSERT_STR_EQ("k", spec.name);
	ASSERT_STR_EQ("a b c", spec.args);
	ASSERT_EQ(-EINVAL, guest_spec_parse_argv(2, bad, &spec, err, sizeof(err)));
	ASSERT(strstr(err, "'nope'"));
	ASSERT_EQ(-EINVAL, guest_spec_parse_argv(0, full, &spec, err, sizeof(err)));
	ASSERT(strstr(err, "missing file"));
	ASSERT_EQ(-EINVAL, guest_spec_parse_argv(1, opt_only, &spec, err, sizeof(err)));
	ASSERT(strstr(err, "missing file"));
	PASS();
}

SUITE(guest_spec)
{
	SHUFFLED_TESTS({
		RUN_TEST(file_only_gets_defaults);
		RUN_TEST(all_parts_with_odd_spacing);
		RUN_TEST(everything_after_double_dash_is_args);
		RUN_TEST(mem_bounds_and_syntax);
		RUN_TEST(name_rules);
		RUN_TEST(name_limit_in_the_message_and_first_byte_checked);
		RUN_TEST(unknown_options_and_extra_words);
		RUN_TEST(missing_file);
		RUN_TEST(file_rules);
		RUN_TEST(default_name_from_file);
		RUN_TEST(args_length_limit);
		RUN_TEST(error_leaves_output_alone);
		RUN_TEST(long_bad_word_is_quoted_shortly);
		RUN_TEST(initrd_joins_the_module_list);
		RUN_TEST(argv_form);
		RUN_TEST(modules_in_order_and_limited);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(guest_spec);
	});
	GREATEST_MAIN_END();
}
