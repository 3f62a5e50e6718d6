/*
 * fmt: checked against the host C library's snprintf over every
 * combination of flags, width, precision ('*' included), length modifier
 * and a set of edge values, at several buffer sizes so truncation, the
 * terminating NUL and the return value are all compared.
 */
#define _GNU_SOURCE /* memfd_create */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/fmt.h"

#define GUARD 0xa5
#define BUF_BYTES 320

static const size_t sizes[] = { 0, 1, 2, 5, 13, 40, 300 };
static long n_checks;
static long n_mismatch;

static void report(const char *f, size_t size, int ra, int rb,
		   const char *a, const char *b)
{
	if (n_mismatch++ < 20)
		fprintf(stderr, "mismatch fmt=\"%s\" size=%zu: ours %d \"%.*s\" libc %d \"%.*s\"\n",
			f, size, ra, (int)MIN(size, 80), a, rb, (int)MIN(size, 80), b);
}

/*
 * Call fmt_snprintf and snprintf with the same arguments into guarded
 * buffers of each size and compare return values and every byte,
 * including the guard past size.
 */
#define CMP_ONE(f, ws, w, ps, p, v)						\
	do {									\
		char a_[BUF_BYTES], b_[BUF_BYTES];				\
		size_t i_;							\
		for (i_ = 0; i_ < ARRAY_SIZE(sizes); i_++) {			\
			size_t s_ = sizes[i_];					\
			int ra_, rb_;						\
			memset(a_, GUARD, sizeof(a_));				\
			memset(b_, GUARD, sizeof(b_));				\
			if ((ws) && (ps)) {					\
				ra_ = fmt_snprintf(a_, s_, f, w, p, v);		\
				rb_ = snprintf(b_, s_, f, w, p, v);		\
			} else if (ws) {					\
				ra_ = fmt_snprintf(a_, s_, f, w, v);		\
				rb_ = snprintf(b_, s_, f, w, v);		\
			} else if (ps) {					\
				ra_ = fmt_snprintf(a_, s_, f, p, v);		\
				rb_ = snprintf(b_, s_, f, p, v);		\
			} else {						\
				ra_ = fmt_snprintf(a_, s_, f, v);		\
				rb_ = snprintf(b_, s_, f, v);			\
			}							\
			n_checks++;						\
			if (ra_ != rb_ || memcmp(a_, b_, sizeof(a_)))		\
				report(f, s_, ra_, rb_, a_, b_);		\
		}								\
	} while (0)

static const int64_t int_values[] = {
	0, 1, -1, 7, 42, -42, 127, 128, 255, 256, -128, -129, 32767, 32768,
	65535, 65536, -32769, INT_MAX, INT_MIN, UINT_MAX, 1234567890123LL,
	INT64_MAX, INT64_MIN,
};

static const char *const width_specs[] = { "", "1", "7", "30", "*" };
static const int star_widths[] = { 9, -9, 0 };
static const char *const prec_specs[] = { "", ".", ".0", ".1", ".4", ".30", ".*" };
static const int star_precs[] = { -3, 0, 2, 25 };

/* One integer conversion with the length modifier lm, the value cast to
 * the type that modifier names. */
static void cmp_int(const char *f, const char *lm, bool sgn, int ws, int w,
		    int ps, int p, int64_t v)
{
	if (!strcmp(lm, "ll")) {
		if (sgn)
			CMP_ONE(f, ws, w, ps, p, (long long)v);
		else
			CMP_ONE(f, ws, w, ps, p, (unsigned long long)v);
	} else if (!strcmp(lm, "l")) {
		if (sgn)
			CMP_ONE(f, ws, w, ps, p, (long)v);
		else
			CMP_ONE(f, ws, w, ps, p, (unsigned long)v);
	} else if (!strcmp(lm, "z")) {
		CMP_ONE(f, ws, w, ps, p, (size_t)v);
	} else if (!strcmp(lm, "t")) {
		CMP_ONE(f, ws, w, ps, p, (ptrdiff_t)v);
	} else if (!strcmp(lm, "j")) {
		if (sgn)
			CMP_ONE(f, ws, w, ps, p, (intmax_t)v);
		else
			CMP_ONE(f, ws, w, ps, p, (uintmax_t)v);
	} else {
		/* "", h and hh all take an int-promoted argument. */
		if (sgn)
			CMP_ONE(f, ws, w, ps, p, (int)v);
		else
			CMP_ONE(f, ws, w, ps, p, (unsigned int)v);
	}
}

/* Build "<%FLAGS WIDTH PREC LEN CONV>" and compare for every star value. */
static void cmp_spec(const char *flags, const char *wspec, const char *pspec,
		     const char *lm, char conv, int64_t v)
{
	bool sgn = conv == 'd' || conv == 'i';
	int ws = wspec[0] == '*', ps = !strcmp(pspec, ".*");
	size_t wi, pi;
	char f[64];

	snprintf(f, sizeof(f), "<%%%s%s%s%s%c>", flags, wspec, pspec, lm, conv);
	for (wi = 0; wi < (ws ? ARRAY_SIZE(star_widths) : 1); wi++)
		for (pi = 0; pi < (ps ? ARRAY_SIZE(star_precs) : 1); pi++)
			cmp_int(f, lm, sgn, ws, star_widths[wi], ps,
				star_precs[pi], v);
}

/* Every subset of the flag characters in set. */
static void flag_subset(char *out, const char *set, unsigned int mask)
{
	size_t i;

	for (i = 0; set[i]; i++)
		if (mask & (1u << i))
			*out++ = set[i];
	*out = '\0';
}

static void cmp_conv(char conv, const char *flagset, const char *lm)
{
	unsigned int mask, nflags = (unsigned int)strlen(flagset);
	size_t wi, pi, vi;
	char flags[8];

	for (mask = 0; mask < (1u << nflags); mask++) {
		flag_subset(flags, flagset, mask);
		for (wi = 0; wi < ARRAY_SIZE(width_specs); wi++)
			for (pi = 0; pi < ARRAY_SIZE(prec_specs); pi++)
				for (vi = 0; vi < ARRAY_SIZE(int_values); vi++)
					cmp_spec(flags, width_specs[wi],
						 prec_specs[pi], lm, conv,
						 int_values[vi]);
	}
}

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };

TEST signed_conversions_match_libc(void)
{
	size_t li;

	n_checks = 0;
	n_mismatch = 0;
	for (li = 0; li < ARRAY_SIZE(lengths); li++)
		cmp_conv('d', "-0+ ", lengths[li]);
	cmp_conv('i', "-0+ ", "");
	cmp_conv('i', "-0+ ", "ll");
	/* every flag x width x precision x length x value x size ran */
	ASSERT(n_checks > 1000000);
	ASSERT_EQ(0, n_mismatch);
	PASS();
}

TEST unsigned_conversions_match_libc(void)
{
	static const char convs[] = "uxXo";
	size_t li, ci;

	n_checks = 0;
	n_mismatch = 0;
	for (ci = 0; convs[ci]; ci++)
		for (li = 0; li < ARRAY_SIZE(lengths); li++)
			cmp_conv(convs[ci], "-0#", lengths[li]);
	ASSERT(n_checks > 1000000);
	ASSERT_EQ(0, n_mismatch);
	PASS();
}

TEST strings_and_chars_match_libc(void)
{
	static const char *const strs[] = { "", "x", "hello", "a rather longer string of text" };
	static const int chars[] = { 'a', ' ', '~', 0 };
	static const char *const wspecs[] = { "", "1", "8", "40", "-8", "-40" };
	char f[32];
	size_t wi, pi, si;

	n_checks = 0;
	n_mismatch = 0;
	for (wi = 0; wi < ARRAY_SIZE(wspecs); wi++) {
		for (pi = 0; pi < ARRAY_SIZE(prec_specs) - 1; pi++) {
			snprintf(f, sizeof(f), "[%%%s%ss]", wspecs[wi], prec_specs[pi]);
			for (si = 0; si < ARRAY_SIZE(strs); si++)
				CMP_ONE(f, 0, 0, 0, 0, strs[si]);
		}
		snprintf(f, sizeof(f), "[%%%sc]", wspecs[wi]);
		for (si = 0; si < ARRAY_SIZE(chars); si++)
			CMP_ONE(f, 0, 0, 0, 0, chars[si]);
		snprintf(f, sizeof(f), "[%%*.*s]");
		for (si = 0; si < ARRAY_SIZE(strs); si++) {
			CMP_ONE(f, 1, -12, 1, 3, strs[si]);
			CMP_ONE(f, 1, 12, 1, -1, strs[si]);
		}
	}
	ASSERT_EQ((long)(ARRAY_SIZE(wspecs) * ((ARRAY_SIZE(prec_specs) - 1) * ARRAY_SIZE(strs) +
				    ARRAY_SIZE(chars) + 2 * ARRAY_SIZE(strs)) *
			   ARRAY_SIZE(sizes)), n_checks);
	ASSERT_EQ(0, n_mismatch);
	PASS();
}

TEST pointers_match_libc(void)
{
	static const char *const specs[] = { "%p", "%20p", "%-20p", "%1p", "(%p)" };
	static int obj;
	const void *ptrs[] = { &obj, (void *)1, (void *)0xffffffffffffffffULL,
			       (void *)0xdeadbeef };
	size_t i, k;

	n_checks = 0;
	n_mismatch = 0;
	for (i = 0; i < ARRAY_SIZE(specs); i++)
		for (k = 0; k < ARRAY_SIZE(ptrs); k++)
			CMP_ONE(specs[i], 0, 0, 0, 0, ptrs[k]);
	ASSERT_EQ((long)(ARRAY_SIZE(specs) * ARRAY_SIZE(ptrs) * ARRAY_SIZE(sizes)), n_checks);
	ASSERT_EQ(0, n_mismatch);
	PASS();
}

TEST several_arguments_and_literals(void)
{
	char a[128], b[128];
	int ra, rb;

	ra = fmt_snprintf(a, sizeof(a), "%s=%d %%%c|%5.2x|%-6s|%lld",
			  "key", -17, 'q', 0xab, "ab", (long long)INT64_MIN);
	rb = snprintf(b, sizeof(b), "%s=%d %%%c|%5.2x|%-6s|%lld",
		      "key", -17, 'q', 0xab, "ab", (long long)INT64_MIN);
	ASSERT_EQ(rb, ra);
	ASSERT_STR_EQ(b, a);
	ASSERT_STR_EQ("key=-17 %q|   ab|ab    |-9223372036854775808", a);
	PASS();
}

/* Deliberately odd formats and arguments: the compiler rightly objects. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"
TEST null_string_and_pointer(void)
{
	char a[32];

	ASSERT_EQ(8, fmt_snprintf(a, sizeof(a), "[%s]", (char *)NULL));
	ASSERT_STR_EQ("[(null)]", a);
	/* NULL prints as an address like any other: 0 is a valid one here. */
	ASSERT_EQ(3, fmt_snprintf(a, sizeof(a), "%p", (void *)NULL));
	ASSERT_STR_EQ("0x0", a);
	PASS();
}

TEST unknown_conversion_shown_verbatim(void)
{
	char a[32];

	ASSERT_EQ(6, fmt_snprintf(a, sizeof(a), "a%yb%q"));
	ASSERT_STR_EQ("a%yb%q", a);
	ASSERT_EQ(2, fmt_snprintf(a, sizeof(a), "a%"));
	ASSERT_STR_EQ("a%", a);
	PASS();
}

TEST size_zero_writes_nothing(void)
{
	char a[4] = { 'x', 'y', 'z', 'w' };

	ASSERT_EQ(11, fmt_snprintf(NULL, 0, "hello %s", "world"));
	ASSERT_EQ(11, fmt_snprintf(a, 0, "hello %s", "world"));
	ASSERT_MEM_EQ("xyzw", a, 4);
	ASSERT_EQ(11, fmt_snprintf(a, 1, "hello %s", "world"));
	ASSERT_EQ('\0', a[0]);
	ASSERT_EQ('y', a[1]);
	PASS();
}

TEST huge_fields_are_clamped(void)
{
	char a[8];

	/* INT_MIN as a '*' width must not overflow when negated. */
	ASSERT_EQ(65535, fmt_snprintf(a, sizeof(a), "%*d", INT_MIN, 1));
	ASSERT_STR_EQ("1      ", a);
	ASSERT_EQ(65535, fmt_snprintf(a, sizeof(a), "%*d", INT_MAX, 1));
	ASSERT_EQ(65535, fmt_snprintf(a, sizeof(a), "%.*d", INT_MAX, 1));
	ASSERT_STR_EQ("0000000", a);
	ASSERT_EQ(65535, fmt_snprintf(a, sizeof(a), "%99999999999d", 1));
	ASSERT_EQ(65536, fmt_snprintf(a, sizeof(a), "%-99999999999dx", 1));
	PASS();
}
#pragma GCC diagnostic pop

/*
 * A string of exactly 2^31 bytes (one 1 MiB file mapped 2048 times in a
 * row, then a page of zeros): the count is one past INT_MAX and is clamped
 * to it, the buffer holds the first bytes. Only the count grows past the buffer, so
 * this takes a strlen, not 2^31 stores.
 */
TEST count_past_int_max_is_clamped(void)
{
	const size_t mib = 1 << 20, n = 2048;
	char a[8], *big;
	size_t i;
	int fd = memfd_create("fmt-big", 0), r;

	ASSERT(fd >= 0);
	ASSERT_EQ(0, ftruncate(fd, (off_t)mib));
	big = mmap(NULL, n * mib + 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(big != MAP_FAILED);
	for (i = 0; i < n; i++)
		ASSERT(mmap(big + i * mib, mib, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			    fd, 0) != MAP_FAILED);
	ASSERT(mmap(big + n * mib, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		    -1, 0) != MAP_FAILED);
	memset(big, 'a', mib); /* every copy shows it */
	r = fmt_snprintf(a, sizeof(a), "%s", big);
	munmap(big, n * mib + 4096);
	close(fd);
	ASSERT_EQ(INT_MAX, r);
	ASSERT_STR_EQ("aaaaaaa", a);
	PASS();
}

/* The measure-then-write pattern callers use with va_copy. */
static int twice(char *out, size_t size, const char *f, ...)
{
	va_list ap, aq;
	int need;

	va_start(ap, f);
	va_copy(aq, ap);
	need = fmt_vsnprintf(NULL, 0, f, ap);
	if (need >= 0 && (size_t)need < size)
		fmt_vsnprintf(out, size, f, aq);
	va_end(aq);
	va_end(ap);
	return need;
}

TEST vsnprintf_measure_then_write(void)
{
	char a[32] = "";

	ASSERT_EQ(10, twice(a, sizeof(a), "%d %s %c", 12345, "ab", 'z'));
	ASSERT_STR_EQ("12345 ab z", a);
	PASS();
}

SUITE(fmt_vs_libc)
{
	SHUFFLED_TESTS({
		RUN_TEST(signed_conversions_match_libc);
		RUN_TEST(unsigned_conversions_match_libc);
		RUN_TEST(strings_and_chars_match_libc);
		RUN_TEST(pointers_match_libc);
		RUN_TEST(several_arguments_and_literals);
	});
}

SUITE(fmt_edges)
{
	SHUFFLED_TESTS({
		RUN_TEST(null_string_and_pointer);
		RUN_TEST(unknown_conversion_shown_verbatim);
		RUN_TEST(size_zero_writes_nothing);
		RUN_TEST(huge_fields_are_clamped);
		RUN_TEST(count_past_int_max_is_clamped);
		RUN_TEST(vsnprintf_measure_then_write);
	});
}

struct parse_case {
	const char *s;
	int ret;
	uint64_t val;
};

static const struct parse_case parse_cases[] = {
	{ "0", 0, 0 },
	{ "42", 0, 42 },
	{ "007", 0, 7 }, /* decimal, not octal */
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "0x0", 0, 0 },
	{ "0xff", 0, 255 },
	{ "0XFF", 0, 255 },
	{ "0xDeadBeef", 0, 0xdeadbeef },
	{ "0xffffffffffffffff", 0, UINT64_MAX },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "x10", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "12a", -EINVAL, 0 },
	{ "0xfg", -EINVAL, 0 },
	{ "0x0x1", -EINVAL, 0 },
	{ "99999999999999999999999z", -EINVAL, 0 },
};

TEST parse_u64_table(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		uint64_t v = 0x5555;
		int ret = fmt_parse_u64(parse_cases[i].s, &v);

		ASSERT_EQm(parse_cases[i].s, parse_cases[i].ret, ret);
		if (ret == 0)
			ASSERT_EQm(parse_cases[i].s, parse_cases[i].val, v);
		else
			ASSERT_EQm("output untouched on error", 0x5555, v);
	}
	PASS();
}

TEST parse_u64_round_trips(void)
{
	char s[32];
	uint64_t v, out;
	int i;

	for (i = 0, v = 1; i < 64; i++, v = v * 3 + 1) {
		fmt_snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
		ASSERT_EQ(0, fmt_parse_u64(s, &out));
		ASSERT_EQ(v, out);
		fmt_snprintf(s, sizeof(s), "%#llx", (unsigned long long)v);
		ASSERT_EQ(0, fmt_parse_u64(s, &out));
		ASSERT_EQ(v, out);
	}
	PASS();
}

SUITE(fmt_parse)
{
	SHUFFLED_TESTS({
		RUN_TEST(parse_u64_table);
		RUN_TEST(parse_u64_round_trips);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(fmt_vs_libc);
		RUN_SUITE(fmt_edges);
		RUN_SUITE(fmt_parse);
	});
	GREATEST_MAIN_END();
}
