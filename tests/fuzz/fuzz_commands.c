/*
 * libFuzzer target for the real console and command table: bytes arrive
 * on the (host) serial port, kernel/console.c edits, splits and dispatches
 * them over its own table to the real handlers of kernel/cmd_system.c,
 * cmd_guest.c, net/cmd_net.c and migrate/cmd_migrate.c, built for the
 * host over tests/fuzz/host_core.c and host_migrate.c. fuzz_console.c covers the same path with
 * commands made up to stress the reply encoder; this one covers what the
 * operator can really type.
 *
 * The first input byte chooses JSON (bit 0) or text replies to start with
 * ("mode" may switch). With echo off, the console's output is prompts and
 * replies only: every JSON reply line must be one valid JSON value, every
 * text byte printable or a newline. The stand-ins in host_core.c abort
 * when a handler passes on what its validation should have refused.
 *
 * Out of reach, and why:
 * - "debug" (hidden): it faults, panics or breaks a NIC on purpose, so
 *   the host build has a stand-in that refuses (kernel/cmd_debug.c is not
 *   linked); the emulator tests run it (tests/integration/test_console.py).
 * - "profile": it masks interrupts (cli/sti) around the sample table,
 *   which faults in a host process; a stand-in refuses. Its table is
 *   kernel/profile_table.c, unit-tested (tests/unit/test_profile_table.c).
 * - guests past their spec: starting one needs VMX; host_core.c's
 *   guest_create checks what the spec parser let through and refuses, so
 *   pause/resume/stop/info/console only reach their "no guest" paths.
 * - ping, netbench and the raw benchmark past their argument checks: no
 *   network stack runs here (the host lwIP build is tests/unit/test_netif.c);
 *   the stand-ins check the arguments the commands validated.
 * - guest snapshot/restore/clone past their names: with no guest running
 *   they reach only their "no guest" / "no snapshot" paths (host_core.c).
 * - dirty: kernel/cmd_dirty.c needs a running guest's EPT and dirty log,
 *   which the host build cannot make; its parsing is reached by the
 *   emulator tests (tests/integration/test_dirty.py).
 * - migrate past its arguments: sending and receiving need the network
 *   stack and a running guest; host_migrate.c checks what the command
 *   validated (ports, settings, names) and refuses as the real ends
 *   refuse a missing guest. tests/integration/test_migrate.py runs them.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/commands.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "tests/fuzz/host_core.h"
#include "tests/fuzz/json_check.h"

/* Stand-ins for the commands out of reach (see above), registered like the real ones. */
static void cmd_debug(struct reply *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	reply_error(r, "debug is not part of the host build");
}

static void cmd_profile(struct reply *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	reply_error(r, "profile is not part of the host build");
}

COMMAND(debug, "fault ud|pf|gp|de|bp | nic-fault IF | panic", "deliberate failures, for tests",
	1, 2, true, cmd_debug);
COMMAND(profile, "[show [N]] | start [HZ] | stop", "sample where the hypervisor spends its time",
	0, 2, false, cmd_profile);

/* Output bytes from..to, one command's reply and the prompt after it:
 * each line without its leading prompts valid in the mode. */
static void check_output(size_t from, size_t to, bool json)
{
	const char *p = host_output + from, *end = host_output + to;
	size_t plen = strlen(CONSOLE_PROMPT);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;

		while ((size_t)(stop - p) >= plen && !memcmp(p, CONSOLE_PROMPT, plen))
			p += plen;
		if (json && nl && !json_check(p, (size_t)(stop - p)))
			abort(); /* a reply line that is not one JSON value */
		for (; !json && p < stop; p++)
			if ((uint8_t)*p < 0x20 || (uint8_t)*p > 0x7e)
				abort(); /* text that could drive the terminal */
		p = nl ? nl + 1 : end;
	}
}

/* Deliver one byte; check the output it caused in the mode it began in
 * (a reply keeps the mode its command started with: "mode" included). */
static void feed(uint8_t c)
{
	bool json = console_mode() == REPLY_JSON;
	size_t from = host_output_len;

	host_input = &c;
	host_input_len = 1;
	console_poll();
	if (host_output_len < sizeof(host_output))
		check_output(from, host_output_len, json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	volatile size_t i;

	if (size < 1)
		return 0;
	config_defaults(&cfg);
	cfg.console_json = data[0] & 1;
	cfg.console_echo = false;
	console_init(&cfg);
	host_output_len = 0;
	/* shutdown and reboot end the machine: here they end the input */
	if (setjmp(host_power))
		return 0;
	for (i = 1; i < size; i++)
		feed(data[i]);
	feed('\r'); /* a final line end, so the last command runs too */
	return 0;
}
