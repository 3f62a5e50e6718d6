/*
 * The "guest" console command: start, list, info, pause, resume, stop,
 * console.
 */
#include <string.h>
#include "arch/x86/vcpu.h"
#include "arch/x86/vmx_names.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "kernel/console.h"
#include "kernel/guest.h"

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

static void reply_exits(struct reply *r, const struct guest *g)
{
	uint32_t i;

	reply_u64(r, "exits_total", g->exits_total);
	reply_obj_begin(r, "exits");
	for (i = 0; i < VMX_EXIT_REASON_MAX; i++)
		if (g->exits[i])
			reply_u64(r, vmx_exit_reason_id(i), g->exits[i]);
	reply_obj_end(r);
}

static void reply_guest(struct reply *r, struct guest *g)
{
	struct vcpu_snapshot s;
	uint32_t i;

	reply_str(r, "name", g->name);
	reply_str(r, "state", guest_state_name(g->state));
	reply_str(r, "file", g->spec.file);
	reply_u64(r, "mem_mib", g->spec.mem_mib);
	reply_arr_begin(r, "modules");
	for (i = 0; i < g->spec.nmodules; i++)
		reply_str(r, NULL, g->spec.modules[i]);
	reply_arr_end(r);
	if (g->state != GUEST_STOPPED) {
		vcpu_snapshot(&g->vcpu, &s);
		reply_hex(r, "rip", s.rip);
		reply_bool(r, "halted", g->vcpu.halted);
	} else {
		reply_str(r, "reason", g->reason);
		reply_bool(r, "exited", g->exited);
		reply_u64(r, "exit_status", g->exit_status);
	}
	reply_exits(r, g);
	reply_u64(r, "unclaimed_io", g->unclaimed_io);
	reply_u64(r, "unknown_msr", g->unknown_msr);
	reply_u64(r, "exceptions_injected", g->injected_exceptions);
	reply_u64(r, "interrupts_injected", g->vcpu.interrupts_injected);
	reply_u64(r, "run_ms", g->run_ns / 1000000);
	reply_obj_begin(r, "exit_cycles");
	for (i = 0; i < VMX_EXIT_REASON_MAX; i++)
		if (g->handled_exits[i])
			reply_u64(r, vmx_exit_reason_id(i), g->handling_tsc[i] / g->handled_exits[i]);
	reply_obj_end(r);
}

static void list(struct reply *r)
{
	int i;

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

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void info(struct reply *r, struct guest *g)
{
	struct vcpu_snapshot s;
	int i;

	reply_guest(r, g);
	if (g->state == GUEST_STOPPED)
		return;
	vcpu_snapshot(&g->vcpu, &s);
	reply_obj_begin(r, "registers");
	for (i = 0; i < 16; i++)
		reply_hex(r, gpr_names[i], s.gpr[i]);
	reply_hex(r, "rflags", s.rflags);
	reply_hex(r, "cr0", s.cr0);
	reply_hex(r, "cr3", s.cr3);
	reply_hex(r, "cr4", s.cr4);
	reply_hex(r, "efer", s.efer);
	reply_hex(r, "cs", s.cs);
	reply_obj_end(r);
	reply_obj_begin(r, "controls");
	reply_hex(r, "pin_based", s.pin);
	reply_hex(r, "proc_based", s.proc);
	reply_hex(r, "proc_based2", s.proc2);
	reply_hex(r, "entry", s.entry);
	reply_hex(r, "exit", s.exit);
	reply_hex(r, "eptp", s.eptp);
	reply_hex(r, "interruptibility", s.interruptibility);
	reply_obj_end(r);
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

void cmd_guest(struct reply *r, int argc, char **argv)
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
		reply_error(r, "unknown guest command '%s' (start, list, info, pause, resume, stop, console)", op);
	}
}
