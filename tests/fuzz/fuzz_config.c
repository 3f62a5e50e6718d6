/*
 * libFuzzer target: hv.cfg and guest specs from arbitrary bytes.
 *
 * Besides the sanitizers' checks, it asserts what the rest of the
 * hypervisor relies on: every string NUL-terminated, counts within their
 * arrays, values within their documented ranges, and the string and argv
 * forms of a guest spec agreeing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"
#include "kernel/guest_spec.h"
#include "tests/fuzz/fuzz_check.h"

#define MAX_ERRS 8
#define MAX_WORDS 512

static void check_str(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size));
}

static void check_name_chars(const char *s)
{
	for (; *s; s++)
		CHECK((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.", *s));
}

static void check_spec(const struct guest_spec *g)
{
	check_str(g->file, sizeof(g->file));
	check_str(g->name, sizeof(g->name));
	check_str(g->args, sizeof(g->args));
	CHECK(g->file[0] != '\0');
	CHECK(g->name[0] != '\0');
	check_name_chars(g->name);
	CHECK(g->mem_mib >= GUEST_MEM_MIN_MIB && g->mem_mib <= GUEST_MEM_MAX_MIB);
	CHECK(!strchr(g->file, ' ') && !strchr(g->file, '/'));
}

static void fuzz_config(const uint8_t *data, size_t size)
{
	struct config c;
	struct config_error errs[MAX_ERRS];
	size_t lines = 1, i;
	int n;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	config_defaults(&c);
	n = config_parse(&c, (const char *)data, size, errs, MAX_ERRS);
	CHECK(n >= 0 && (size_t)n <= lines);
	CHECK(c.nguests <= CONFIG_MAX_GUESTS);
	check_str(c.hostname, sizeof(c.hostname));
	CHECK(c.hostname[0] != '\0');
	CHECK(c.log_level >= LOG_ERROR && c.log_level <= LOG_DEBUG);
	CHECK(c.net_mode >= NET_MODE_NONE && c.net_mode <= NET_MODE_STATIC);
	/* A netmask is a run of ones from the top. */
	CHECK((~c.net_netmask & (~c.net_netmask + 1)) == 0);
	for (i = 0; i < c.nguests; i++)
		check_spec(&c.guests[i]);
	for (i = 0; i < (size_t)n && i < MAX_ERRS; i++) {
		CHECK(errs[i].line >= 1 && (size_t)errs[i].line <= lines);
		check_str(errs[i].msg, sizeof(errs[i].msg));
		CHECK(errs[i].msg[0] != '\0');
		if (i)
			CHECK(errs[i].line > errs[i - 1].line);
	}
}

/* Split s in place on spaces and tabs, as the string parser does. */
static int split_words(char *s, char **argv)
{
	int argc = 0;

	while (*s && argc < MAX_WORDS) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return *s ? -1 : argc;
}

static void fuzz_guest_spec(const char *s)
{
	struct guest_spec a, b;
	char err_a[96], err_b[96], *copy = strdup(s), *argv[MAX_WORDS];
	int ra, rb, argc;

	CHECK(copy);
	memset(err_a, 'x', sizeof(err_a));
	ra = guest_spec_parse(s, &a, err_a, sizeof(err_a));
	CHECK(ra == 0 || ra == -EINVAL);
	check_str(err_a, sizeof(err_a));
	if (ra == 0)
		check_spec(&a);
	else
		CHECK(err_a[0] != '\0');

	argc = split_words(copy, argv);
	if (argc >= 0) {
		rb = guest_spec_parse_argv(argc, argv, &b, err_b, sizeof(err_b));
		CHECK(ra == rb);
		if (ra == 0)
			CHECK(memcmp(&a, &b, sizeof(a)) == 0);
		else
			CHECK(strcmp(err_a, err_b) == 0);
	}
	free(copy);
}

static void fuzz_ipv4(const char *s)
{
	uint32_t a;
	char back[16];

	if (config_parse_ipv4(s, &a))
		return;
	/* Only the canonical spelling is accepted, so it round-trips. */
	snprintf(back, sizeof(back), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	CHECK(strcmp(back, s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	fuzz_config(data, size);
	/* The string forms stop at the first NUL, as C strings do. */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_guest_spec(s);
	fuzz_ipv4(s);
	free(s);
	return 0;
}
