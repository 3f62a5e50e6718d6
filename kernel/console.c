/*
 * Console loop: bytes from the UART go through the line editor; each
 * finished line is split, dispatched and answered in the current mode.
 * Whatever arrives, the console answers and stays usable: bad lines get
 * an error reply, never a crash or a silent truncation.
 */
#include "arch/x86/uart.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "kernel/console.h"
#include "kernel/guest.h"
#include "lib/fmt.h"
#include "lib/lineedit.h"
#include "lib/outq.h"
#include "kernel/console_out.h"
#include <string.h>
#include "kernel/printk.h"

#define CONSOLE_BUSY_NS 20000000ULL /* keep polling this long after input */


static struct lineedit editor;
static struct reply reply; /* large buffers: one reply at a time */
static enum reply_mode mode = REPLY_TEXT;
static bool echo = true;
static uint64_t last_input_ns;
static struct guest *attached;
static bool ready;       /* the prompt has been shown once */
static bool in_command;  /* a reply is being produced */
static char log_buf[8192];
static struct outq log_lines = { log_buf, sizeof(log_buf), 0, 0, 0, 0 };
static uint64_t log_dropped_reported;
static int next_source; /* round robin over the log and the guests */
static char status[CONSOLE_STATUS_MAX]; /* console_status's line, "" when none */
static bool status_stale;               /* the screen does not show status yet */

static void sink_write(void *ctx, const char *s, size_t n)
{
	kwrite(s, n);
}

static const struct reply_sink sink = { sink_write, NULL };

static void echo_write(void *ctx, const char *s, size_t n)
{
	if (echo)
		kwrite(s, n);
}

/* Bounds of the command table the linker gathers (linker.ld; host linkers
 * define these for any section named like a C identifier). */
extern const struct command __start_hv_commands[], __stop_hv_commands[];

const struct command *commands_table(size_t *n)
{
	*n = (size_t)(__stop_hv_commands - __start_hv_commands);
	return __start_hv_commands;
}

void console_set_mode(enum reply_mode m)
{
	mode = m;
}

enum reply_mode console_mode(void)
{
	return mode;
}

static void run_line(const char *text)
{
	char line[LINEEDIT_MAX + 1];
	char *argv[CMDLINE_MAX_ARGS];
	const char *err = NULL;
	size_t i;
	const struct command *table;
	size_t n;
	int argc;

	for (i = 0; text[i] && i < LINEEDIT_MAX; i++)
		line[i] = text[i];
	line[i] = 0;
	argc = cmdline_split(line, argv, CMDLINE_MAX_ARGS, &err);
	if (argc == 0)
		return;
	reply_begin(&reply, mode, &sink, argc > 0 ? argv[0] : "");
	table = commands_table(&n);
	if (argc < 0)
		reply_error(&reply, "%s", err);
	else
		command_dispatch(table, n, &reply, argc, argv);
	reply_end(&reply);
}

/*
 * Lines that carry a secret: `migrate set psk HEX` (and psk-identity).
 * They are kept out of the editor's history and wiped once run; their
 * typed characters are echoed like any others (the operator's own
 * terminal), which hv.cfg avoids.
 */
static bool line_is_private(const char *text)
{
	char line[LINEEDIT_MAX + 1];
	char *argv[CMDLINE_MAX_ARGS];
	const char *err;
	int argc;

	fmt_snprintf(line, sizeof(line), "%s", text);
	argc = cmdline_split(line, argv, CMDLINE_MAX_ARGS, &err);
	return argc >= 3 && !strcmp(argv[0], "migrate") && !strcmp(argv[1], "set") &&
	       !strncmp(argv[2], "psk", 3);
}

static void reject_line(const char *why)
{
	reply_begin(&reply, mode, &sink, "");
	reply_error(&reply, "%s", why);
	reply_end(&reply);
}

/* The operator is in the middle of a line (or an escape sequence). */
static bool editing(void)
{
	return editor.len || editor.esc_state || editor.too_long || editor.binary;
}

/* The prompt, after the status line's text when there is one. */
static void draw_prompt(void)
{
	if (status[0]) {
		kputs(status);
		kputs(" | ");
	}
	kputs(CONSOLE_PROMPT);
	status_stale = false;
}

static void print_above_prompt(const char *s, size_t n)
{
	/* erase the prompt line, print, and put the prompt back under it */
	kputs("\r\x1b[K");
	kwrite(s, n);
	draw_prompt();
}

void console_status(const char *text)
{
	char next[CONSOLE_STATUS_MAX];

	fmt_snprintf(next, sizeof(next), "%s", text ? text : "");
	if (!strcmp(next, status))
		return;
	memcpy(status, next, sizeof(status));
	status_stale = true;
}


void console_async_write(const char *s, size_t n)
{
	if (!ready) {
		kwrite(s, n);
		return;
	}
	/* whole lines or nothing: a full queue drops (and counts), it never waits */
	outq_put_all(&log_lines, s, n);
}

/* Longest line a producer queues: a log line (kernel/log.c) or a guest's. */
#define LINE_MAX 512
/*
 * Queued lines go to the transmit ring only while it holds less than
 * this: the rest wait in their sources' queues, so echo and replies never
 * queue behind more than ~25 ms of output at 115200 baud.
 */
#define ASYNC_TX_BACKLOG 256
#define DROP_REPORT_NS 1000000000ULL /* at most one drop report a second */

/* One line from q onto the console, above the prompt unless attached. */
static bool move_line(struct outq *q)
{
	char line[LINE_MAX];
	size_t n;

	if (console_out_queued() > ASYNC_TX_BACKLOG)
		return false;
	n = outq_line(q);
	if (!n)
		return false;
	n = outq_take(q, line, MIN(n, sizeof(line)));
	if (attached)
		kwrite(line, n);
	else
		print_above_prompt(line, n);
	return true;
}

/* Say once per new loss that a source's output was dropped. */
static void report_drops(const char *who, uint64_t dropped, uint64_t *reported)
{
	char note[96];
	int n;

	static uint64_t last_ns;

	if (dropped == *reported || console_out_queued() > ASYNC_TX_BACKLOG ||
	    (last_ns && clock_ns() - last_ns < DROP_REPORT_NS))
		return;
	last_ns = clock_ns();
	n = fmt_snprintf(note, sizeof(note), "[%s: %lu bytes of output dropped]\n", who,
			 dropped - *reported);
	*reported = dropped;
	print_above_prompt(note, (size_t)MIN((size_t)n, sizeof(note) - 1));
}

/* The output queue of source i: 0 is the log, 1..GUEST_MAX the guests. */
static struct outq *source(int i, const char **who, uint64_t **reported)
{
	struct guest *g;

	if (i == 0) {
		*who = "log";
		*reported = &log_dropped_reported;
		return &log_lines;
	}
	g = guest_at(i - 1);
	if (!g || !g->used)
		return NULL;
	*who = g->name;
	*reported = &g->out_dropped_reported;
	return &g->out;
}

/* Redraw the prompt's line when the status changed and nobody is using the line. */
static void refresh_status(void)
{
	if (!status_stale || !ready || editing() || in_command || attached ||
	    console_out_queued() > ASYNC_TX_BACKLOG)
		return;
	kputs("\r\x1b[K");
	draw_prompt();
}

bool console_holding(void)
{
	return ready && (editing() || in_command);
}

bool console_interactive(void)
{
	/* more queued than queued lines may fill: a reply or echo is waiting */
	return console_busy() || console_out_queued() > ASYNC_TX_BACKLOG;
}

void console_service_output(void)
{
	int i, moved = 0;

	if (ready && !editing() && !in_command) {
		/* a line per source in turn, so no source can crowd out another */
		for (i = 0; i <= GUEST_MAX && moved < 8; i++) {
			int k = (next_source + i) % (GUEST_MAX + 1);
			const char *who;
			uint64_t *reported;
			struct outq *q = source(k, &who, &reported);

			if (!q)
				continue;
			report_drops(who, q->dropped_bytes, reported);
			if (move_line(q)) {
				moved++;
				next_source = k + 1;
			}
		}
		refresh_status();
	}
	console_out_pump();
}

static void handle_byte(uint8_t c)
{
	const char *line = NULL;

	enum lineedit_event ev = lineedit_feed(&editor, c, &line);

	if (ev == LINEEDIT_NONE) {
		return;
	}
	in_command = true;
	switch (ev) {
	case LINEEDIT_NONE:
		break;
	case LINEEDIT_LINE:
		run_line(line);
		if (line_is_private(line))
			memset(editor.buf, 0, sizeof(editor.buf));
		if (attached) {
			in_command = false;
			return; /* guest console NAME: no prompt until detached */
		}
		break;
	case LINEEDIT_CANCEL:
		break;
	case LINEEDIT_TOO_LONG:
		reject_line("line too long (at most 255 characters)");
		break;
	case LINEEDIT_BINARY:
		reject_line("line holds non-printable bytes; ignored");
		break;
	}
	in_command = false;
	kputs(CONSOLE_PROMPT);
	status_stale = status[0] != 0; /* the status comes back once the line is idle */
}

void console_attach(struct guest *g)
{
	attached = g;
	kputs("[attached to the guest's console; Ctrl-] returns]\n");
}

void console_detach(void)
{
	if (!attached)
		return;
	attached = NULL;
	kputs("\n[back to the hypervisor console]\n" CONSOLE_PROMPT);
	status_stale = status[0] != 0;
}

struct guest *console_attached(void)
{
	return attached;
}

static void guest_input(uint8_t c)
{
	if (c == CONSOLE_DETACH_KEY)
		console_detach();
	else
		vuart_receive(&attached->uart, c);
}

void console_poll(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		if (attached)
			guest_input((uint8_t)c);
		else
			handle_byte((uint8_t)c);
		last_input_ns = clock_ns();
	}
}

bool console_busy(void)
{
	return clock_ns() - last_input_ns < CONSOLE_BUSY_NS;
}

void console_init(const struct config *cfg)
{
	mode = cfg->console_json ? REPLY_JSON : REPLY_TEXT;
	echo = cfg->console_echo;
	lineedit_init(&editor, CONSOLE_PROMPT, echo_write, NULL);
	lineedit_set_private(&editor, line_is_private);
	kputs(CONSOLE_PROMPT);
	ready = true;
}
