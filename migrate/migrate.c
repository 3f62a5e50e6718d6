/*
 * Stepping both ends of a migration from the main loop, and reporting
 * progress while one runs: in text mode one status line on the prompt's
 * line, updated in place every STATUS_NS (kernel/console.h,
 * console_status), on the source and on the destination; in JSON mode a
 * JSON object (`"event":"migrate"`) logged every PROGRESS_NS by the
 * source, so tools can follow it. Neither is ever waited for: the status
 * line is redrawn only when the console is idle, log lines are queued.
 */
#include "arch/x86/entropy.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "lib/fmt.h"
#include "lib/json.h"
#include "migrate/migrate.h"
#include "migrate/receiver.h"
#include "migrate/sender.h"

#define PROGRESS_NS 2000000000ULL
#define STATUS_NS 500000000ULL

static struct precopy_params params = {
	PRECOPY_DOWNTIME_DEFAULT_MS, 0, PRECOPY_ROUNDS_DEFAULT, true, true,
};
static uint64_t next_report_ns, next_status_ns;
static bool status_shown;

const char *migrate_entropy_source(void)
{
	return entropy_source_name();
}

struct precopy_params *migrate_params(void)
{
	return &params;
}

static void report_json(const struct msend_status *st)
{
	char buf[512];
	struct json j;
	const char *s;

	json_init(&j, buf, sizeof(buf));
	json_obj_begin(&j, NULL);
	json_str(&j, "event", "migrate");
	json_str(&j, "name", st->guest);
	json_str(&j, "state", msend_phase_name(st->phase));
	json_u64(&j, "round", st->round);
	json_u64(&j, "pages_sent", st->pages_sent);
	json_u64(&j, "dirty_pages", st->dirty_pages);
	json_u64(&j, "bytes", st->bytes);
	json_u64(&j, "bandwidth_kib_s", st->bandwidth >> 10);
	json_u64(&j, "throttle_pct", st->throttle_pct);
	json_obj_end(&j);
	s = json_finish(&j);
	if (s)
		log_info("%s", s);
}

static void report(void)
{
	const struct msend_status *st = migrate_send_status();
	uint64_t now = clock_ns();

	if (now < next_report_ns || console_mode() != REPLY_JSON)
		return;
	next_report_ns = now + PROGRESS_NS;
	report_json(st);
}

/* The source's progress, on one line. */
static void status_send(char *buf, size_t len)
{
	const struct msend_status *st = migrate_send_status();

	fmt_snprintf(buf, len, "migrate %s: %s round %u, %lu/%lu MiB, %lu pages (%lu zero), "
		     "%lu dirty, %lu KiB/s%s", st->guest, msend_phase_name(st->phase), st->round,
		     st->bytes >> 20, st->ram_bytes >> 20, st->pages_sent, st->zero_pages,
		     st->dirty_pages, st->bandwidth >> 10, st->throttle_pct ? ", throttled" : "");
}

/* The destination's progress, on one line. */
static void status_recv(char *buf, size_t len)
{
	const struct mrecv_status *st = migrate_recv_status();

	fmt_snprintf(buf, len, "migrate incoming %s: %s, %lu pages, %lu KiB",
		     st->guest[0] ? st->guest : "?", migrate_recv_phase_name(st->phase), st->pages,
		     st->bytes >> 10);
}

/* Text mode: the status line while either end works, gone when both are idle. */
static void update_status(bool sending, bool receiving)
{
	char line[CONSOLE_STATUS_MAX];
	uint64_t now = clock_ns();

	if (console_mode() == REPLY_JSON || (!sending && !receiving)) {
		if (status_shown)
			console_status(NULL);
		status_shown = false;
		return;
	}
	if (status_shown && now < next_status_ns)
		return;
	next_status_ns = now + STATUS_NS;
	if (sending)
		status_send(line, sizeof(line));
	else
		status_recv(line, sizeof(line));
	console_status(line);
	status_shown = true;
}

bool migrate_poll(void)
{
	bool receiving = migrate_recv_poll(), sending = migrate_send_poll();

	if (sending)
		report();
	update_status(sending, receiving);
	return sending || receiving;
}
