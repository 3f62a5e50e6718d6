/*
 * Stepping both ends of a migration from the main loop, and reporting
 * progress: a log line every PROGRESS_NS while a migration runs (text
 * mode), or the same as a JSON object (JSON mode), so tools can follow it.
 * Log lines are queued and never waited for (kernel/console.h).
 */
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "lib/json.h"
#include "migrate/migrate.h"
#include "migrate/receiver.h"
#include "migrate/sender.h"

#define PROGRESS_NS 2000000000ULL

static struct precopy_params params = {
	PRECOPY_DOWNTIME_DEFAULT_MS, 0, PRECOPY_ROUNDS_DEFAULT, true,
};
static uint64_t next_report_ns;

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

	if (now < next_report_ns)
		return;
	next_report_ns = now + PROGRESS_NS;
	if (console_mode() == REPLY_JSON) {
		report_json(st);
		return;
	}
	log_info("migrate %s: %s round %u, %lu pages sent (%lu zero), %lu dirty, %lu KiB, %lu KiB/s%s",
		 st->guest, msend_phase_name(st->phase), st->round, st->pages_sent,
		 st->zero_pages, st->dirty_pages, st->bytes >> 10, st->bandwidth >> 10,
		 st->throttle_pct ? ", throttled" : "");
}

bool migrate_poll(void)
{
	bool busy = migrate_recv_poll();

	if (migrate_send_poll()) {
		report();
		busy = true;
	}
	return busy;
}
