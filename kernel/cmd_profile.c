/*
 * "profile": a sampling profiler over the timer interrupt. Each sample is
 * the instruction the main loop was at; the console reports the hottest
 * addresses as offsets into hv.so, which addr2line (or bench/profile.py)
 * turns into function names on the build host.
 */
#include <string.h>
#include "arch/x86/cpu.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "lib/fmt.h"
#include "kernel/printk.h"
#include "kernel/profile_table.h"

#define PROFILE_DEFAULT_HZ 1000
#define PROFILE_MIN_HZ 10
#define PROFILE_MAX_HZ 20000
#define PROFILE_TOP_DEFAULT 20
#define PROFILE_TOP_MAX 100

static struct profile_table table;
static uint32_t running_hz;

static void sample(uint64_t rip)
{
	profile_table_record(&table, rip);
}

static void start(struct reply *r, const char *arg)
{
	uint64_t hz = PROFILE_DEFAULT_HZ;

	if (arg && (fmt_parse_u64(arg, &hz) || hz < PROFILE_MIN_HZ || hz > PROFILE_MAX_HZ)) {
		reply_error(r, "rate '%s': expected %d to %d samples a second", arg, PROFILE_MIN_HZ,
			    PROFILE_MAX_HZ);
		return;
	}
	clock_set_sampler(NULL, 0);
	profile_table_reset(&table);
	running_hz = (uint32_t)hz;
	clock_set_sampler(sample, running_hz);
	reply_u64(r, "hz", running_hz);
}

static void show(struct reply *r, size_t max)
{
	static struct profile_slot top[PROFILE_TOP_MAX];
	uint64_t base = image_base(), end = image_end(), samples, dropped, used;
	uint64_t flags = read_rflags();
	size_t n, i;

	cli(); /* the sampler writes the table from the timer interrupt */
	n = profile_table_top(&table, top, max);
	samples = table.samples;
	dropped = table.dropped;
	used = table.used;
	if (flags & RFLAGS_IF)
		sti();
	reply_bool(r, "running", running_hz != 0);
	reply_u64(r, "hz", running_hz);
	reply_u64(r, "samples", samples);
	reply_u64(r, "dropped", dropped);
	reply_u64(r, "addresses", used);
	reply_hex(r, "image_base", base);
	reply_arr_begin(r, "top");
	for (i = 0; i < n; i++) {
		bool inside = top[i].addr >= base && top[i].addr < end;

		reply_obj_begin(r, NULL);
		reply_hex(r, inside ? "offset" : "address", inside ? top[i].addr - base : top[i].addr);
		reply_u64(r, "samples", top[i].count);
		reply_strf(r, "share", "%u.%u%%", (unsigned)(top[i].count * 100 / MAX(samples, 1)),
			   (unsigned)(top[i].count * 1000 / MAX(samples, 1) % 10));
		reply_obj_end(r);
	}
	reply_arr_end(r);
}

static void cmd_profile(struct reply *r, int argc, char **argv)
{
	uint64_t n = PROFILE_TOP_DEFAULT;

	if (argc >= 2 && !strcmp(argv[1], "start") && argc <= 3) {
		start(r, argc == 3 ? argv[2] : NULL);
	} else if (argc == 2 && !strcmp(argv[1], "stop")) {
		clock_set_sampler(NULL, 0);
		running_hz = 0;
		show(r, PROFILE_TOP_DEFAULT);
	} else if (argc == 1 || (!strcmp(argv[1], "show") && argc <= 3)) {
		if (argc == 3 && (fmt_parse_u64(argv[2], &n) || n < 1 || n > PROFILE_TOP_MAX)) {
			reply_error(r, "count '%s': expected 1 to %d", argv[2], PROFILE_TOP_MAX);
			return;
		}
		show(r, (size_t)n);
	} else {
		reply_error(r, "usage: profile [show [N]] | profile start [HZ] | profile stop");
	}
}

COMMAND(profile, "[show [N]] | start [HZ] | stop", "sample where the hypervisor spends its time", 0, 2, false, cmd_profile);
