/*
 * The "dirty" console command: dirty-page logging of a guest.
 *   dirty start NAME [ad|pml|wp]   back-end chosen from the CPU when absent
 *   dirty stats NAME               counters of the running log
 *   dirty harvest NAME [list]      harvest now; list: the pages as ranges
 *   dirty stop NAME
 *   dirty rate NAME [SECONDS]      pages dirtied per second (no log may run)
 *   dirty verify NAME begin|round|finish   pre-copy check (tests)
 */
#include <string.h>
#include "arch/x86/dirty_vmx.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "kernel/dirty_guest.h"
#include "kernel/dirty_verify.h"
#include "lib/fmt.h"
#include "kernel/guest.h"
#include "kernel/mainloop.h"

#define RATE_DEFAULT_S 1
#define RATE_MAX_S 60
#define LIST_MAX_RANGES 1024 /* keeps a listing inside one reply */

static void start(struct reply *r, struct guest *g, const char *mode)
{
	struct dirty_caps caps;
	enum dirty_mode m;
	char err[160];

	dirty_vmx_caps(&caps);
	m = dirty_mode_choose(&caps);
	if (mode && dirty_mode_parse(mode, &m)) {
		reply_error(r, "unknown back-end '%s' (ad, pml or wp)", mode);
		return;
	}
	if (dirty_guest_start(g, m, err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	reply_str(r, "name", g->name);
	reply_str(r, "backend", dirty_mode_name(m));
	reply_u64(r, "pages", g->ram_size >> PAGE_SHIFT);
}

static void stats(struct reply *r, struct guest *g, const struct dirty_log *l)
{
	const struct dirty_guest_stats *t = dirty_guest_stats(g);
	const struct dirty_stats *s = &l->stats;

	reply_str(r, "name", g->name);
	reply_str(r, "backend", dirty_mode_name(l->mode));
	reply_u64(r, "running_ms", (clock_ns() - t->started_ns) / 1000000);
	reply_u64(r, "harvests", s->harvests);
	reply_u64(r, "pages_last", s->pages_last);
	reply_u64(r, "pages_total", s->pages_total);
	reply_u64(r, "pages_per_harvest", s->harvests ? s->pages_total / s->harvests : 0);
	reply_u64(r, "harvest_us_last", t->harvest_ns_last / 1000);
	reply_u64(r, "harvest_us_max", t->harvest_ns_max / 1000);
	reply_u64(r, "harvest_us_avg", s->harvests ? t->harvest_ns_total / s->harvests / 1000 : 0);
	reply_u64(r, "harvest_cycles_last", t->harvest_cycles_last);
	reply_u64(r, "pml_full_exits", s->pml_full_exits);
	reply_u64(r, "pml_entries", s->pml_entries);
	reply_u64(r, "wp_exits", s->wp_exits);
	reply_u64(r, "host_writes", s->host_writes);
	reply_u64(r, "splits", s->splits);
	reply_u64(r, "merges", s->merges);
}

/* Frames as "first-last" ranges (hex frame numbers). */
static void list_ranges(struct reply *r, const struct dirty_bitmap *b)
{
	uint64_t f = dirty_bitmap_next(b, 0), end, n = 0;

	reply_arr_begin(r, "frames");
	while (f < b->nframes && n < LIST_MAX_RANGES) {
		for (end = f; end + 1 < b->nframes && dirty_bitmap_test(b, end + 1); end++)
			;
		reply_strf(r, NULL, "%lx-%lx", f, end);
		n++;
		f = dirty_bitmap_next(b, end + 1);
	}
	reply_arr_end(r);
	reply_bool(r, "truncated", f < b->nframes);
}

static void harvest(struct reply *r, struct guest *g, const char *opt)
{
	struct dirty_bitmap *b;
	int64_t n;

	if (opt && strcmp(opt, "list")) {
		reply_error(r, "unknown option '%s' (list)", opt);
		return;
	}
	n = dirty_guest_harvest(g, &b);
	if (n < 0) {
		reply_error(r, "harvest of %s failed: EPT walk error %ld", g->name, n);
		return;
	}
	reply_str(r, "name", g->name);
	reply_u64(r, "pages", (uint64_t)n);
	reply_u64(r, "harvest_us", dirty_guest_stats(g)->harvest_ns_last / 1000);
	reply_u64(r, "harvest_cycles", dirty_guest_stats(g)->harvest_cycles_last);
	if (opt)
		list_ranges(r, b);
}

static void stop(struct reply *r, struct guest *g, const struct dirty_log *l)
{
	struct dirty_stats s = l->stats;
	enum dirty_mode m = l->mode;

	dirty_guest_stop(g);
	reply_str(r, "name", g->name);
	reply_str(r, "backend", dirty_mode_name(m));
	reply_u64(r, "harvests", s.harvests);
	reply_u64(r, "pages_total", s.pages_total);
}

/* Step the main loop (guests run) for ns nanoseconds. */
static void run_for(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	while (clock_ns() < end)
		mainloop_step(true);
}

static void rate(struct reply *r, struct guest *g, const char *secs)
{
	uint64_t s = RATE_DEFAULT_S, t0, ns;
	struct dirty_bitmap *b;
	struct dirty_caps caps;
	enum dirty_mode m;
	char err[160];
	int64_t n;

	if (secs && (fmt_parse_u64(secs, &s) || !s || s > RATE_MAX_S)) {
		reply_error(r, "seconds '%s': expected 1 to %d", secs, RATE_MAX_S);
		return;
	}
	dirty_vmx_caps(&caps);
	m = dirty_mode_choose(&caps);
	if (dirty_guest_start(g, m, err, sizeof(err))) {
		reply_error(r, "%s", err);
		return;
	}
	dirty_guest_harvest(g, &b); /* forget what the start found */
	t0 = clock_ns();
	run_for(s * 1000000000ULL);
	n = dirty_guest_harvest(g, &b);
	ns = clock_ns() - t0;
	dirty_guest_stop(g);
	reply_str(r, "name", g->name);
	reply_str(r, "backend", dirty_mode_name(m));
	reply_u64(r, "ms", ns / 1000000);
	reply_u64(r, "pages", n < 0 ? 0 : (uint64_t)n);
	reply_u64(r, "pages_per_s", n < 0 ? 0 : (uint64_t)n * 1000000000ULL / ns);
	reply_u64(r, "kib_per_s", n < 0 ? 0 : (uint64_t)n * 4 * 1000000000ULL / ns);
}

static void verify(struct reply *r, struct guest *g, const char *step)
{
	struct dirty_verify_result res;
	char err[160];
	int64_t n;

	if (step && !strcmp(step, "begin")) {
		if (dirty_verify_begin(g, err, sizeof(err)))
			reply_error(r, "%s", err);
		else
			reply_u64(r, "pages", g->ram_size >> PAGE_SHIFT);
	} else if (step && !strcmp(step, "round")) {
		n = dirty_verify_round(g);
		if (n < 0)
			reply_error(r, "no copy of %s to update (dirty verify %s begin)", g->name, g->name);
		else
			reply_u64(r, "pages", (uint64_t)n);
	} else if (step && !strcmp(step, "finish")) {
		if (dirty_verify_finish(g, &res)) {
			reply_error(r, "no copy of %s to compare (dirty verify %s begin)", g->name, g->name);
			return;
		}
		reply_u64(r, "rounds", res.rounds);
		reply_u64(r, "pages_copied", res.pages_copied);
		reply_u64(r, "pages_compared", res.pages_compared);
		reply_u64(r, "pages_differing", res.pages_differing);
		reply_hex(r, "first_difference", res.pages_differing ? res.first_difference : 0);
	} else {
		reply_error(r, "usage: dirty verify NAME begin|round|finish");
	}
}

/* The commands that need a running log, after the name is checked. */
static void with_log(struct reply *r, struct guest *g, const char *sub, const char *arg)
{
	const struct dirty_log *l = dirty_guest_log(g);

	if (!l) {
		reply_error(r, "guest %s has no dirty log running", g->name);
		return;
	}
	if (!strcmp(sub, "stats"))
		stats(r, g, l);
	else if (!strcmp(sub, "harvest"))
		harvest(r, g, arg);
	else
		stop(r, g, l);
}

static void cmd_dirty(struct reply *r, int argc, char **argv)
{
	const char *sub = argv[1], *arg = argc > 3 ? argv[3] : NULL;
	struct guest *g;

	if (argc < 3 || argc > 4) {
		reply_error(r, "usage: dirty start|stats|harvest|stop|rate|verify NAME [ARG]");
		return;
	}
	g = guest_find(argv[2]);
	if (!g || g->state == GUEST_STOPPED) {
		reply_error(r, "no running guest named '%s'", argv[2]);
		return;
	}
	if (!strcmp(sub, "start"))
		start(r, g, arg);
	else if (!strcmp(sub, "rate"))
		rate(r, g, arg);
	else if (!strcmp(sub, "verify"))
		verify(r, g, arg);
	else if (!strcmp(sub, "stats") || !strcmp(sub, "harvest") || !strcmp(sub, "stop"))
		with_log(r, g, sub, arg);
	else
		reply_error(r, "unknown subcommand '%s' (start, stats, harvest, stop, rate, verify)", sub);
}

COMMAND(dirty, "start NAME [ad|pml|wp] | stats|harvest|stop NAME | rate NAME [S] | verify NAME ...",
	"dirty-page logging of a guest", 2, 3, false, cmd_dirty);
