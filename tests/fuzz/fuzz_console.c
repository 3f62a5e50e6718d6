/*
 * libFuzzer target for the console path: bytes -> lineedit -> cmdline
 * split -> dispatch over fake commands -> reply in text or JSON.
 *
 * The first input byte picks the rendering of each line (bit i for line
 * i mod 7) and, in bit 7, whether the rest of the input goes through the
 * line editor or is cut at '\n' and split raw, so binary garbage reaches
 * the splitter and the "unknown command" path too. Every reply must be
 * well formed: JSON replies one valid line, text replies printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"
#include "lib/fmt.h"
#include "lib/lineedit.h"
#include "lib/reply.h"
#include "tests/fuzz/json_check.h"

struct out {
	char buf[2 * REPLY_BUF_SIZE + 1024];
	size_t len;
};

static struct out out;
static struct reply rep;

static void out_write(void *ctx, const char *s, size_t n)
{
	struct out *o = ctx;

	if (n > sizeof(o->buf) - o->len)
		abort(); /* a reply larger than its buffers got through */
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static const struct reply_sink sink = { out_write, &out };

static void echo_discard(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (!s && n)
		abort();
}

/* echo ARGS...: every argument, as members and as array elements. */
static void cmd_echo(struct reply *r, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		reply_str(r, argv[i], argv[i]);
	reply_arr_begin(r, "args");
	for (i = 1; i < argc; i++)
		reply_str(r, NULL, argv[i]);
	reply_arr_end(r);
}

/* num N...: parse each argument and show it every numeric way. */
static void cmd_num(struct reply *r, int argc, char **argv)
{
	uint64_t v;
	int i;

	reply_arr_begin(r, "values");
	for (i = 1; i < argc; i++) {
		if (fmt_parse_u64(argv[i], &v)) {
			reply_arr_end(r);
			reply_error(r, "not a number: %s", argv[i]);
			return;
		}
		reply_obj_begin(r, NULL);
		reply_u64(r, "u", v);
		reply_i64(r, "i", (int64_t)v);
		reply_hex(r, "x", v);
		reply_bool(r, "odd", v & 1);
		reply_strf(r, "f", "%-8.3s|%+lld|%#o", argv[i], (long long)v, (unsigned)v);
		reply_obj_end(r);
	}
	reply_arr_end(r);
}

/* nest SHAPE: o/a/c characters open objects, arrays, or close. */
static void cmd_nest(struct reply *r, int argc, char **argv)
{
	const char *s = argv[1];

	for (; *s; s++) {
		if (*s == 'o')
			reply_obj_begin(r, r->in_array[r->depth] ? NULL : s);
		else if (*s == 'a')
			reply_arr_begin(r, s);
		else if (*s == 'c')
			reply_obj_end(r);
		else
			reply_str(r, s, s);
	}
	(void)argc;
}

/* big N: N fields, so large N overflows the reply buffers. */
static void cmd_big(struct reply *r, int argc, char **argv)
{
	uint64_t n = 0, i;

	fmt_parse_u64(argv[1], &n);
	if (n > 5000)
		n = 5000;
	reply_arr_begin(r, "n");
	for (i = 0; i < n; i++)
		reply_strf(r, NULL, "%s-%llu", argv[argc - 1], (unsigned long long)i);
	reply_arr_end(r);
}

/* fail MSG...: an error after some fields. */
static void cmd_fail(struct reply *r, int argc, char **argv)
{
	reply_u64(r, "discarded", 1);
	reply_error(r, "%s %s", argv[1], argc > 2 ? argv[2] : "");
}

static const struct command commands[] = {
	{ "echo", "[ARGS...]", "say back", 0, -1, false, cmd_echo },
	{ "num", "N...", "numbers", 1, -1, false, cmd_num },
	{ "nest", "SHAPE", "nesting", 1, 1, false, cmd_nest },
	{ "big", "N [WORD]", "large", 1, 2, true, cmd_big },
	{ "fail", "MSG [MORE]", "errors", 1, 2, false, cmd_fail },
};

/*
 * JSON: exactly one valid line. Text: newline-terminated lines of
 * printable ASCII, so nothing can drive the terminal; a failure is one
 * "error: " line.
 */
static void check_reply(enum reply_mode mode)
{
	size_t i;

	if (out.len == 0 || out.buf[out.len - 1] != '\n')
		abort();
	if (mode == REPLY_JSON) {
		if (memchr(out.buf, '\n', out.len - 1) ||
		    !json_check(out.buf, out.len - 1))
			abort();
		return;
	}
	for (i = 0; i < out.len; i++)
		if (out.buf[i] != '\n' && (out.buf[i] < 0x20 || out.buf[i] > 0x7e))
			abort();
	if (out.len > 7 && !memcmp(out.buf, "error: ", 7) &&
	    memchr(out.buf, '\n', out.len - 1))
		abort();
}

static void run_line(char *line, enum reply_mode mode)
{
	char *argv[CMDLINE_MAX_ARGS];
	const char *err = NULL;
	int argc = cmdline_split(line, argv, CMDLINE_MAX_ARGS, &err);

	out.len = 0;
	reply_begin(&rep, mode, &sink, argc > 0 ? argv[0] : "");
	if (argc < 0)
		reply_error(&rep, "%s", err);
	else
		command_dispatch(commands, sizeof(commands) / sizeof(commands[0]),
				 &rep, argc, argv);
	reply_end(&rep);
	check_reply(mode);
}

static enum reply_mode mode_for(uint8_t sel, unsigned int nline)
{
	return (sel >> (nline % 7)) & 1 ? REPLY_JSON : REPLY_TEXT;
}

static void feed_editor(uint8_t sel, const uint8_t *data, size_t size)
{
	static struct lineedit le;
	char copy[LINEEDIT_MAX + 1];
	unsigned int nline = 0;
	const char *line;
	size_t i, n;

	lineedit_init(&le, "> ", echo_discard, NULL);
	for (i = 0; i < size; i++) {
		if (lineedit_feed(&le, data[i], &line) != LINEEDIT_LINE)
			continue;
		n = strlen(line);
		if (n > LINEEDIT_MAX)
			abort();
		for (size_t k = 0; k < n; k++)
			if ((uint8_t)line[k] < 0x20 || (uint8_t)line[k] > 0x7e)
				abort();
		memcpy(copy, line, n + 1);
		run_line(copy, mode_for(sel, nline++));
	}
}

static void feed_raw(uint8_t sel, const uint8_t *data, size_t size)
{
	static char copy[4096];
	unsigned int nline = 0;
	size_t start = 0, i, n;

	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		n = i - start;
		if (n >= sizeof(copy))
			n = sizeof(copy) - 1;
		memcpy(copy, data + start, n);
		copy[n] = '\0'; /* an embedded NUL just ends the line early */
		run_line(copy, mode_for(sel, nline++));
		start = i + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x80)
		feed_raw(data[0], data + 1, size - 1);
	else
		feed_editor(data[0], data + 1, size - 1);
	return 0;
}
