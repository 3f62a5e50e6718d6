/*
 * The "migrate" console command, with the words of QEMU's monitor:
 *   migrate incoming [PORT]        destination: accept one guest
 *   migrate incoming cancel
 *   migrate NAME HOST[:PORT]       source: start moving NAME
 *   migrate status                 both ends, as far as they got
 *   migrate cancel
 *   migrate set downtime-limit MS | max-bandwidth MIBPS | max-rounds N | auto-converge on|off
 *               | compress none|delta
 *               | tls on|off | psk HEX | psk-identity NAME     (migrate/cmd_tls.c)
 * Commands only start and stop the state machines; the main loop runs
 * them (migrate/migrate.c), so the console stays responsive.
 */
#include <string.h>

#include "kernel/commands.h"
#include "lib/fmt.h"
#include "migrate/cmd_tls.h"
#include "migrate/migrate.h"
#include "migrate/receiver.h"
#include "migrate/sender.h"
#include "migrate/target.h"

#define NS_PER_MS 1000000ULL

static void incoming(struct reply *r, int argc, char **argv)
{
	uint16_t port = MIGRATE_PORT_DEFAULT;
	char err[200] = "";

	if (argc > 2 && !strcmp(argv[2], "cancel")) {
		if (migrate_recv_cancel())
			reply_error(r, "not listening for a migration");
		else
			reply_str(r, "incoming", "cancelled");
		return;
	}
	if (argc > 2 && migrate_port_parse(argv[2], &port)) {
		reply_error(r, "'%s' is not a port from 1 to 65535", argv[2]);
		return;
	}
	if (migrate_recv_listen(port, err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	reply_str(r, "incoming", "listening");
	reply_u64(r, "port", port);
}

static void send_status(struct reply *r)
{
	const struct msend_status *st = migrate_send_status();

	reply_obj_begin(r, "outgoing");
	reply_str(r, "state", msend_phase_name(st->phase));
	if (st->phase != MSEND_IDLE) {
		reply_str(r, "name", st->guest);
		reply_strf(r, "destination", "%u.%u.%u.%u:%u", st->addr >> 24, (st->addr >> 16) & 255,
			   (st->addr >> 8) & 255, st->addr & 255, st->port);
		reply_str(r, "tls", st->tls);
		reply_u64(r, "round", st->round);
		reply_u64(r, "pages_sent", st->pages_sent);
		reply_u64(r, "zero_pages", st->zero_pages);
		reply_u64(r, "data_pages", st->data_pages);
		reply_u64(r, "delta_pages", st->delta_pages);
		reply_u64(r, "unchanged_pages", st->unchanged_pages);
		reply_u64(r, "delta_bytes_saved", st->delta_saved);
		reply_u64(r, "dirty_pages", st->dirty_pages);
		reply_u64(r, "bytes", st->bytes);
		reply_u64(r, "ram_bytes", st->ram_bytes);
		reply_u64(r, "bandwidth_kib_s", st->bandwidth >> 10);
		reply_u64(r, "dirty_rate_pages_s", st->dirty_rate);
		reply_u64(r, "expected_downtime_ms", st->expected_ns / NS_PER_MS);
		reply_u64(r, "downtime_ms", st->downtime_ns / NS_PER_MS);
		reply_u64(r, "downtime_source_ms", st->source_ns / NS_PER_MS);
		reply_u64(r, "total_ms", st->total_ns / NS_PER_MS);
		reply_u64(r, "encode_cycles", st->encode_cycles);
		reply_u64(r, "encoded_bytes", st->encoded_bytes);
		reply_u64(r, "tls_cycles", st->tls_cycles);
		reply_u64(r, "tls_bytes", st->tls_bytes);
		reply_u64(r, "throttle_pct", st->throttle_pct);
		reply_str(r, "converged_by", precopy_reason_name(st->reason));
		reply_bool(r, "auto_converged", st->throttle_pct != 0);
		reply_str(r, "error", st->error);
	}
	reply_obj_end(r);
}

static void recv_status(struct reply *r)
{
	const struct mrecv_status *st = migrate_recv_status();

	reply_obj_begin(r, "incoming");
	reply_str(r, "state", migrate_recv_phase_name(st->phase));
	reply_u64(r, "port", st->port);
	reply_str(r, "name", st->guest);
	reply_str(r, "source", st->host);
	reply_str(r, "tls", st->tls);
	reply_u64(r, "bytes", st->bytes);
	reply_u64(r, "pages", st->pages);
	reply_u64(r, "delta_pages", st->delta_pages);
	reply_u64(r, "attempts", st->attempts);
	reply_u64(r, "accepted", st->accepted);
	reply_u64(r, "refused", st->refused);
	reply_u64(r, "build_ms", st->build_ms);
	reply_u64(r, "tls_cycles", st->tls_cycles);
	reply_u64(r, "tls_bytes", st->tls_bytes);
	reply_str(r, "last", st->last);
	reply_obj_end(r);
}

static void settings(struct reply *r)
{
	const struct precopy_params *p = migrate_params();

	reply_obj_begin(r, "settings");
	reply_u64(r, "downtime_limit_ms", p->downtime_limit_ms);
	reply_u64(r, "max_bandwidth_mib_s", p->max_bandwidth_mibps);
	reply_u64(r, "max_rounds", p->max_rounds);
	reply_bool(r, "auto_converge", p->auto_converge);
	reply_str(r, "compress", p->delta ? "delta" : "none");
	migrate_tls_settings(r);
	reply_str(r, "entropy", migrate_entropy_source());
	reply_obj_end(r);
}

static int parse_in(struct reply *r, const char *s, uint64_t lo, uint64_t hi, uint32_t *out)
{
	uint64_t v;

	if (fmt_parse_u64(s, &v) || v < lo || v > hi) {
		reply_error(r, "'%s' is not a number from %lu to %lu", s, lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static void set(struct reply *r, int argc, char **argv)
{
	struct precopy_params *p = migrate_params();
	const char *key = argc > 2 ? argv[2] : "", *val = argc > 3 ? argv[3] : "";

	if (argc != 4)
		reply_error(r, "usage: migrate set downtime-limit MS | max-bandwidth MIBPS | "
			       "max-rounds N | auto-converge on|off | compress none|delta | "
			       "tls on|off | psk HEX | "
			       "psk-identity NAME");
	else if (!strcmp(key, "downtime-limit"))
		parse_in(r, val, 1, PRECOPY_DOWNTIME_MAX_MS, &p->downtime_limit_ms);
	else if (!strcmp(key, "max-bandwidth"))
		parse_in(r, val, 0, PRECOPY_BANDWIDTH_MAX_MIBPS, &p->max_bandwidth_mibps);
	else if (!strcmp(key, "max-rounds"))
		parse_in(r, val, 0, PRECOPY_ROUNDS_MAX, &p->max_rounds);
	else if (!strcmp(key, "auto-converge") && (!strcmp(val, "on") || !strcmp(val, "off")))
		p->auto_converge = !strcmp(val, "on");
	else if (!strcmp(key, "compress") && (!strcmp(val, "none") || !strcmp(val, "delta")))
		p->delta = !strcmp(val, "delta");
	else if (!migrate_tls_set(r, key, val))
		/* the value is not quoted: a mistyped "psk" must not echo the key */
		reply_error(r, "unknown setting '%s' (downtime-limit, max-bandwidth, max-rounds, "
			       "auto-converge, compress, tls, psk, psk-identity)", key);
	if (!r->failed)
		settings(r);
}

static void start(struct reply *r, const char *name, const char *target)
{
	char err[200] = "";
	uint32_t addr;
	uint16_t port;

	if (migrate_target_parse(target, &addr, &port, err, sizeof(err)) ||
	    migrate_send_start(name, addr, port, migrate_params(), err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	reply_str(r, "name", name);
	reply_str(r, "destination", target);
	reply_str(r, "state", msend_phase_name(migrate_send_status()->phase));
}

static void cancel(struct reply *r)
{
	int rc = migrate_send_cancel();

	if (rc == -EBUSY)
		reply_error(r, "too late to cancel: the commit is sent, the guest is the destination's");
	else if (rc)
		reply_error(r, "no migration running");
	else
		reply_str(r, "outgoing", "cancelled");
}

static void cmd_migrate(struct reply *r, int argc, char **argv)
{
	const char *sub = argv[1];

	if (!strcmp(sub, "incoming")) {
		incoming(r, argc, argv);
	} else if (!strcmp(sub, "status") && argc == 2) {
		send_status(r);
		recv_status(r);
		settings(r);
	} else if (!strcmp(sub, "cancel") && argc == 2) {
		cancel(r);
	} else if (!strcmp(sub, "set")) {
		set(r, argc, argv);
	} else if (argc == 3) {
		start(r, sub, argv[2]);
	} else {
		reply_error(r, "usage: migrate NAME HOST[:PORT] | incoming [PORT|cancel] | status | "
			       "cancel | set KEY VALUE");
	}
}

COMMAND(migrate, "NAME HOST[:PORT] | incoming [PORT|cancel] | status | cancel | set KEY VALUE",
	"live-migrate a guest to a peer hypervisor, or receive one", 1, 3, false, cmd_migrate);

/*
 * Hidden, for the tests: damage the next outgoing connection
 * (migrate/fault.h), or lose the next migration's commit.
 */
static void cmd_migrate_fault(struct reply *r, int argc, char **argv)
{
	uint64_t off;

	if (argc == 2 && !strcmp(argv[1], "withhold-commit")) {
		migrate_send_withhold_commit();
		reply_bool(r, "withhold_commit", true);
	} else if (argc == 2 && !strcmp(argv[1], "record")) {
		migrate_send_fault(MIGRATE_FAULT_RECORD, 0);
		reply_bool(r, "record", true);
	} else if (argc == 2 && !strcmp(argv[1], "replay")) {
		migrate_send_fault(MIGRATE_FAULT_REPLAY, 0);
		reply_bool(r, "replay", true);
	} else if (argc == 3 && !strcmp(argv[1], "corrupt") && !fmt_parse_u64(argv[2], &off)) {
		migrate_send_fault(MIGRATE_FAULT_CORRUPT, off);
		reply_u64(r, "corrupt_at", off);
	} else if (argc == 3 && !strcmp(argv[1], "truncate") && !fmt_parse_u64(argv[2], &off)) {
		migrate_send_fault(MIGRATE_FAULT_TRUNCATE, off);
		reply_u64(r, "truncate_at", off);
	} else {
		reply_error(r, "usage: migrate_fault corrupt OFFSET | truncate OFFSET | record | replay | "
			       "withhold-commit");
	}
}

COMMAND(migrate_fault, "corrupt OFFSET | truncate OFFSET | record | replay | withhold-commit",
	"damage the next migration's connection, or lose its commit (tests)", 1, 2, true,
	cmd_migrate_fault);
