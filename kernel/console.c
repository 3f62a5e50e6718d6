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
#include "kernel/fmt.h"
#include "kernel/lineedit.h"
#include <string.h>
#include "kernel/printk.h"

#define CONSOLE_BUSY_NS 20000000ULL /* keep polling this long after input */

static const struct command commands[] = {
	{ "help", "", "list commands", 0, 0, false, cmd_help },
	{ "version", "", "hypervisor version and build", 0, 0, false, cmd_version },
	{ "mem", "", "memory map and allocator state", 0, 0, false, cmd_mem },
	{ "cpu", "", "processor and VMX capabilities", 0, 0, false, cmd_cpu },
	{ "uptime", "", "time since the core started", 0, 0, false, cmd_uptime },
	{ "log", "[error|warn|info|debug]", "show or set the log level", 0, 1, false, cmd_log },
	{ "mode", "text|json", "reply rendering", 1, 1, false, cmd_mode },
	{ "boot", "", "what the firmware handed over", 0, 0, false, cmd_boot },
	{ "config", "", "the configuration in force (hv.cfg)", 0, 0, false, cmd_config },
	{ "reboot", "", "reset the machine", 0, 0, false, cmd_reboot },
	{ "shutdown", "", "power the machine off", 0, 0, false, cmd_shutdown },
	{ "guest", "start|list|info|pause|resume|stop|console ...", "run and manage guests", 1, -1, false, cmd_guest },
	{ "net", "[set IF static A.B.C.D/N [GW] | set IF dhcp|none]", "interfaces, addresses, counters", 0, 5, false, cmd_net },
	{ "ping", "A.B.C.D [COUNT]", "ICMP echo from the hypervisor", 1, 2, false, cmd_ping },
	{ "netbench", "server | A.B.C.D [MiB] | raw A.B.C.D [FRAMES] | raw-stats | raw-reset",
	  "TCP throughput to a peer (bytes checked); raw frame rate", 1, 3, false, cmd_netbench },
	{ "dirty", "start NAME [ad|pml|wp] | stats|harvest|stop NAME | rate NAME [S] | verify NAME ...",
	  "dirty-page logging of a guest", 2, 3, false, cmd_dirty },
	{ "profile", "[show [N]] | start [HZ] | stop", "sample where the hypervisor spends its time", 0, 2, false, cmd_profile },
	{ "debug", "fault ud|pf|gp|de|bp | nic-fault IF | panic", "deliberate failures, for tests", 1, 2, true, cmd_debug },
};

static struct lineedit editor;
static struct reply reply; /* large buffers: one reply at a time */
static enum reply_mode mode = REPLY_TEXT;
static bool echo = true;
static uint64_t last_input_ns;
static struct guest *attached;
static bool ready;       /* the prompt has been shown once */
static bool in_command;  /* a reply is being produced */
static char deferred[8192];
static size_t deferred_len;
static uint64_t deferred_dropped;

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

const struct command *console_commands(size_t *n)
{
	*n = ARRAY_SIZE(commands);
	return commands;
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
	int argc;

	for (i = 0; text[i] && i < LINEEDIT_MAX; i++)
		line[i] = text[i];
	line[i] = 0;
	argc = cmdline_split(line, argv, CMDLINE_MAX_ARGS, &err);
	if (argc == 0)
		return;
	reply_begin(&reply, mode, &sink, argc > 0 ? argv[0] : "");
	if (argc < 0)
		reply_error(&reply, "%s", err);
	else
		command_dispatch(commands, ARRAY_SIZE(commands), &reply, argc, argv);
	reply_end(&reply);
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

static void print_above_prompt(const char *s, size_t n)
{
	/* erase the prompt line, print, and put the prompt back under it */
	kputs("\r\x1b[K");
	kwrite(s, n);
	kputs(CONSOLE_PROMPT);
}

static void flush_deferred(void)
{
	char note[64];
	int n;

	if (deferred_dropped) {
		n = fmt_snprintf(note, sizeof(note), "[%lu bytes of output dropped]\n", deferred_dropped);
		print_above_prompt(note, (size_t)n);
		deferred_dropped = 0;
	}
	if (deferred_len)
		print_above_prompt(deferred, deferred_len);
	deferred_len = 0;
}

void console_async_write(const char *s, size_t n)
{
	if (!ready || attached) {
		kwrite(s, n);
		return;
	}
	if (!editing() && !in_command) {
		print_above_prompt(s, n);
		return;
	}
	/* never split a reply or a half-typed line: hold the output until the prompt */
	if (n > sizeof(deferred) - deferred_len) {
		deferred_dropped += n;
		return;
	}
	memcpy(deferred + deferred_len, s, n);
	deferred_len += n;
}

static void handle_byte(uint8_t c)
{
	const char *line = NULL;

	enum lineedit_event ev = lineedit_feed(&editor, c, &line);

	if (ev == LINEEDIT_NONE) {
		if (!editing())
			flush_deferred(); /* the line was erased: nothing to protect now */
		return;
	}
	in_command = true;
	switch (ev) {
	case LINEEDIT_NONE:
		break;
	case LINEEDIT_LINE:
		run_line(line);
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
	flush_deferred();
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
	kputs(CONSOLE_PROMPT);
	ready = true;
}
