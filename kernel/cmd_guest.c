/*
 * The "guest" console command: start, list, info, pause, resume, stop,
 * console, and snapshots (snapshot, restore, clone, snapshots).
 */
#include <string.h>
#include "arch/x86/vcpu.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "kernel/console.h"
#include "kernel/guest.h"
#include "kernel/snapshot.h"
#include "lib/fmt.h"
#include "lib/table.h"
#include "arch/x86/cpu.h"

static void start(struct reply *r, int argc, char **argv)
{
	struct guest_spec spec;
	char err[160];
	struct guest *g;

	if (guest_spec_parse_argv(argc, argv, &spec, err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	g = guest_create(&spec, err, sizeof(err));
	if (!g) {
		reply_error(r, "%s", err);
		return;
	}
	reply_str(r, "name", g->name);
	reply_str(r, "state", guest_state_name(g->state));
	reply_u64(r, "mem_mib", g->ram_size >> 20);
}

/* The local APIC's timer and interrupt state, for finding a stuck or storming guest. */
static void reply_lapic(struct reply *r, const struct vlapic *l)
{
	reply_obj_begin(r, "lapic");
	reply_hex(r, "apic_base", l->apic_base);
	reply_hex(r, "lvt_timer", l->lvt_timer);
	reply_u64(r, "timer_initial", l->timer_initial);
	reply_u64(r, "timer_deadline", l->timer_deadline);
	reply_u64(r, "tsc_deadline", l->tsc_deadline);
	reply_u64(r, "timer_fires", l->timer_fires);
	reply_u64(r, "timer_missed", l->timer_missed);
	reply_u64(r, "eois", l->eois);
	reply_obj_end(r);
}

/* The HPET: whether it counts, where, and what its timers did. */
static void reply_hpet(struct reply *r, const struct guest *g, uint64_t now)
{
	int n;

	reply_obj_begin(r, "hpet");
	reply_bool(r, "enabled", g->hpet.config & HPET_ENABLE_CNF);
	reply_u64(r, "counter", hpet_counter(&g->hpet, now));
	reply_hex(r, "status", g->hpet.isr);
	reply_arr_begin(r, "timers");
	for (n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &g->hpet.timer[n];

		reply_obj_begin(r, NULL);
		reply_hex(r, "config", t->config);
		reply_u64(r, "comparator", t->comparator);
		reply_u64(r, "fires", t->fires);
		reply_u64(r, "msis", t->msis);
		reply_obj_end(r);
	}
	reply_arr_end(r);
	reply_obj_end(r);
}

/* The I/O APIC's unmasked entries: what the guest routed where. */
static void reply_ioapic(struct reply *r, const struct vioapic *io)
{
	unsigned pin;

	reply_obj_begin(r, "ioapic");
	reply_hex(r, "lines", io->lines);
	reply_arr_begin(r, "unmasked");
	for (pin = 0; pin < VIOAPIC_PINS; pin++) {
		if (io->redir[pin] & IOREDTBL_MASKED)
			continue;
		reply_obj_begin(r, NULL);
		reply_u64(r, "pin", pin);
		reply_hex(r, "entry", io->redir[pin]);
		reply_obj_end(r);
	}
	reply_arr_end(r);
	reply_obj_end(r);
}

static void reply_guest(struct reply *r, struct guest *g)
{
	uint32_t i;

	reply_str(r, "name", g->name);
	reply_str(r, "state", guest_state_name(g->state));
	reply_str(r, "file", g->spec.file);
	reply_str(r, "kind", guest_kind_name(g->kind));
	reply_u64(r, "mem_mib", g->spec.mem_mib);
	reply_arr_begin(r, "modules");
	for (i = 0; i < g->spec.nmodules; i++)
		reply_str(r, NULL, g->spec.modules[i]);
	reply_arr_end(r);
	if (g->state != GUEST_STOPPED) {
		vcpu_report_rip(&g->vcpu, r);
		reply_bool(r, "halted", g->vcpu.halted);
		reply_u64(r, "tsc", vcpu_guest_tsc(&g->vcpu, rdtsc()));
	} else {
		reply_str(r, "reason", g->reason);
		reply_bool(r, "exited", g->exited);
		reply_u64(r, "exit_status", g->exit_status);
	}
	vcpu_report_stats(&g->vcpu, r);
	reply_lapic(r, &g->vcpu.lapic);
	reply_hpet(r, g, vcpu_guest_tsc(&g->vcpu, rdtsc()));
	reply_ioapic(r, &g->pc.ioapic);
	reply_u64(r, "unclaimed_io", g->unclaimed_io);
	reply_u64(r, "resets", g->resets);
	reply_u64(r, "output_dropped", g->out.dropped_bytes);
	reply_u64(r, "run_ms", g->run_ns / 1000000);
}

/* `guest list` for people: one aligned line per guest, details in `guest info` (virsh list). */
static void list_table(struct reply *r)
{
	static const char *const head[] = { "NAME", "STATE", ">RAM MiB", ">CPU s", ">EXITS" };
	static struct table t;
	static char text[TABLE_ROWS * 128];
	char ram[24], cpu[24], exits[24];
	int i;

	table_init(&t, 5, head);
	for (i = 0; i < GUEST_MAX; i++) {
		struct guest *g = guest_at(i);

		if (!g->used)
			continue;
		fmt_snprintf(ram, sizeof(ram), "%u", g->spec.mem_mib);
		fmt_snprintf(cpu, sizeof(cpu), "%lu.%02lu", g->run_ns / 1000000000,
			     g->run_ns / 10000000 % 100);
		fmt_snprintf(exits, sizeof(exits), "%lu", g->vcpu.arch.exits_total);
		table_add(&t, (const char *const[]){ g->name, guest_state_name(g->state), ram, cpu,
						     exits });
	}
	table_render(&t, text, sizeof(text));
	reply_text_block(r, text);
}

static void list(struct reply *r)
{
	int i;

	if (reply_text_mode(r)) {
		list_table(r);
		return;
	}
	reply_arr_begin(r, "guests");
	for (i = 0; i < GUEST_MAX; i++) {
		struct guest *g = guest_at(i);

		if (!g->used)
			continue;
		reply_obj_begin(r, NULL);
		reply_guest(r, g);
		reply_obj_end(r);
	}
	reply_arr_end(r);
}

static void info(struct reply *r, struct guest *g)
{
	reply_guest(r, g);
	if (g->state == GUEST_STOPPED)
		return;
	vcpu_report_registers(&g->vcpu, r);
	reply_obj_begin(r, "ept");
	reply_u64(r, "table_pages", g->ept.table_pages);
	reply_u64(r, "large_pages", g->ept.large_pages);
	reply_u64(r, "small_pages", g->ept.small_pages);
	reply_obj_end(r);
}

static struct guest *named(struct reply *r, int argc, char **argv)
{
	struct guest *g;

	if (argc != 3) {
		reply_error(r, "usage: guest %s NAME", argv[1]);
		return NULL;
	}
	g = guest_find(argv[2]);
	if (!g)
		reply_error(r, "no guest named '%s'", argv[2]);
	return g;
}

static void change_state(struct reply *r, struct guest *g, const char *op)
{
	if (g->state == GUEST_STOPPED) {
		reply_error(r, "guest '%s' is stopped", g->name);
		return;
	}
	if (!strcmp(op, "pause"))
		guest_pause(g);
	else if (!strcmp(op, "resume"))
		guest_resume(g);
	else
		guest_stop(g, "stopped from the console");
	reply_str(r, "name", g->name);
	reply_str(r, "state", guest_state_name(g->state));
}

static void reply_snapshot(struct reply *r, const char *name, const struct snapshot_info *in)
{
	uint64_t tsc_khz = clock_tsc_hz() / 1000;

	reply_str(r, "name", name);
	reply_u64(r, "guest_tsc", in->guest_tsc);
	reply_u64(r, "ram_mib", in->ram_bytes >> 20);
	reply_u64(r, "record_bytes", in->record_bytes);
	if (in->elapsed_tsc) {
		reply_u64(r, "cycles", in->elapsed_tsc);
		reply_u64(r, "us", tsc_khz ? in->elapsed_tsc * 1000 / tsc_khz : 0);
	}
}

static void snapshot_cmd(struct reply *r, int argc, char **argv)
{
	struct snapshot_info in;
	char err[160];
	struct guest *g;

	if (argc == 4 && !strcmp(argv[3], "drop")) {
		if (snapshot_drop(argv[2]))
			reply_error(r, "no snapshot of guest '%s'", argv[2]);
		else
			reply_str(r, "dropped", argv[2]);
		return;
	}
	g = named(r, argc, argv);
	if (!g)
		return;
	if (snapshot_take(g, &in, err, sizeof(err)))
		reply_error(r, "%s", err);
	else
		reply_snapshot(r, g->name, &in);
}

static void restore_cmd(struct reply *r, int argc, char **argv)
{
	struct snapshot_info in;
	char err[160];

	if (argc != 3) {
		reply_error(r, "usage: guest restore NAME");
		return;
	}
	if (snapshot_restore(argv[2], &in, err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	reply_snapshot(r, argv[2], &in);
	reply_str(r, "state", guest_state_name(guest_find(argv[2])->state));
}

static void clone_cmd(struct reply *r, int argc, char **argv)
{
	struct snapshot_info in;
	char err[160];
	struct guest *g;

	if (argc != 4) {
		reply_error(r, "usage: guest clone NAME NEW");
		return;
	}
	g = snapshot_clone(argv[2], argv[3], &in, err, sizeof(err));
	if (!g) {
		reply_error(r, "%s", err);
		return;
	}
	reply_snapshot(r, g->name, &in);
	reply_str(r, "from", argv[2]);
	reply_str(r, "state", guest_state_name(g->state));
}

static void snapshots_cmd(struct reply *r)
{
	struct snapshot_info in;
	const char *name;
	int i;

	reply_arr_begin(r, "snapshots");
	for (i = 0; i < GUEST_MAX; i++) {
		name = snapshot_name_at(i, &in);
		if (!name)
			continue;
		reply_obj_begin(r, NULL);
		reply_snapshot(r, name, &in);
		reply_obj_end(r);
	}
	reply_arr_end(r);
}

static void cmd_guest(struct reply *r, int argc, char **argv)
{
	const char *op = argv[1];
	struct guest *g;

	if (!strcmp(op, "start")) {
		if (argc < 3)
			reply_error(r, "usage: guest start FILE [mem=MiB] [name=NAME] [-- ARGS]");
		else
			start(r, argc - 2, argv + 2);
	} else if (!strcmp(op, "list")) {
		list(r);
	} else if (!strcmp(op, "snapshot")) {
		snapshot_cmd(r, argc, argv);
	} else if (!strcmp(op, "restore")) {
		restore_cmd(r, argc, argv);
	} else if (!strcmp(op, "clone")) {
		clone_cmd(r, argc, argv);
	} else if (!strcmp(op, "snapshots")) {
		snapshots_cmd(r);
	} else if (!strcmp(op, "info") || !strcmp(op, "pause") || !strcmp(op, "resume") ||
		   !strcmp(op, "stop") || !strcmp(op, "console")) {
		g = named(r, argc, argv);
		if (!g)
			return;
		if (!strcmp(op, "info"))
			info(r, g);
		else if (!strcmp(op, "console") && g->state == GUEST_STOPPED)
			reply_error(r, "guest '%s' is stopped", g->name);
		else if (!strcmp(op, "console"))
			reply_str(r, "attached", g->name), console_attach(g);
		else
			change_state(r, g, op);
	} else {
		reply_error(r, "unknown guest command '%s' (start, list, info, pause, resume, stop, "
			    "console, snapshot, restore, clone, snapshots)", op);
	}
}

COMMAND(guest, "start|list|info|pause|resume|stop|console|snapshot|restore|clone|snapshots ...", "run and manage guests", 1, -1, false, cmd_guest);
