/*
 * Console commands about the hypervisor itself: help, version, mem, cpu,
 * uptime, log, mode, boot, config, reboot, shutdown.
 */
#include <string.h>
#include "arch/x86/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/power.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmxcap.h"
#include "kernel/clock.h"
#include "kernel/commands.h"
#include "kernel/mainloop.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/physmem.h"
#include "kernel/printk.h"
#include "kernel/version.h"
#include "lib/table.h"

/* `help` for people: one line per command with its arguments. */
static void help_table(struct reply *r, const struct command *c, size_t n)
{
	static const char *const head[] = { "COMMAND", "ARGUMENTS", "WHAT IT DOES" };
	static struct table t;
	static char text[TABLE_ROWS * 200];
	size_t i;

	table_init(&t, 3, head);
	for (i = 0; i < n; i++)
		if (!c[i].hidden)
			table_add(&t, (const char *const[]){ c[i].name, c[i].usage, c[i].help });
	table_render(&t, text, sizeof(text));
	reply_text_block(r, text);
	reply_text_block(r, "help COMMAND shows one command in full.\n");
}

/* `help CMD`: the long form, arguments untruncated. */
static void help_one(struct reply *r, const struct command *c)
{
	reply_str(r, "name", c->name);
	reply_str(r, "usage", c->usage);
	reply_str(r, "help", c->help);
	reply_i64(r, "min_args", c->min_args);
	reply_i64(r, "max_args", c->max_args);
}

static void cmd_help(struct reply *r, int argc, char **argv)
{
	const struct command *c;
	size_t i, n;

	c = commands_table(&n);
	if (argc == 2) {
		const struct command *one = command_find(c, n, argv[1]);

		if (!one || one->hidden)
			reply_error(r, "unknown command '%s'; try help", argv[1]);
		else
			help_one(r, one);
		return;
	}
	if (reply_text_mode(r)) {
		help_table(r, c, n);
		return;
	}
	reply_arr_begin(r, "commands");
	for (i = 0; i < n; i++) {
		if (c[i].hidden)
			continue;
		reply_obj_begin(r, NULL);
		reply_str(r, "name", c[i].name);
		reply_str(r, "usage", c[i].usage);
		reply_str(r, "help", c[i].help);
		reply_obj_end(r);
	}
	reply_arr_end(r);
}

static void cmd_version(struct reply *r, int argc, char **argv)
{
	reply_str(r, "name", HV_NAME);
	reply_str(r, "version", HV_VERSION);
	reply_str(r, "compiler", "gcc " __VERSION__);
	reply_str(r, "lwip", "2.1.3");
}

static void reply_region(struct reply *r, const struct mem_region *m)
{
	reply_obj_begin(r, NULL);
	reply_hex(r, "base", m->base);
	reply_hex(r, "end", m->base + m->pages * PAGE_SIZE);
	reply_u64(r, "pages", m->pages);
	reply_str(r, "kind", mem_kind_name(m->kind));
	reply_obj_end(r);
}

static void cmd_mem(struct reply *r, int argc, char **argv)
{
	const struct palloc *pa = physmem_allocator();
	const struct mem_region *m;
	struct memmap_summary s;
	size_t i, n;
	unsigned k;

	m = physmem_regions(&n);
	memmap_summarize(m, n, &s);
	reply_arr_begin(r, "regions");
	for (i = 0; i < n; i++)
		reply_region(r, &m[i]);
	reply_arr_end(r);
	reply_obj_begin(r, "pages_by_kind");
	for (k = 0; k < MEM_KIND_COUNT; k++)
		reply_u64(r, mem_kind_name(k), s.pages[k]);
	reply_obj_end(r);
	reply_hex(r, "top", s.top);
	reply_obj_begin(r, "allocator");
	reply_u64(r, "total_pages", pa->total_pages);
	reply_u64(r, "free_pages", pa->free_pages);
	reply_u64(r, "free_mib", pa->free_pages * PAGE_SIZE >> 20);
	reply_u64(r, "reclaimed_pages", physmem_reclaimed_pages());
	reply_hex(r, "meta_base", physmem_meta_base());
	reply_u64(r, "meta_bytes", physmem_meta_bytes());
	reply_arr_begin(r, "free_blocks_by_order");
	for (k = 0; k <= PALLOC_MAX_ORDER; k++)
		reply_u64(r, NULL, pa->free_blocks[k]);
	reply_arr_end(r);
	reply_obj_end(r);
	reply_obj_begin(r, "page_tables");
	reply_u64(r, "pages", paging_table_pages());
	reply_str(r, "page_size", paging_page_size());
	reply_obj_end(r);
}

static void reply_vmx(struct reply *r)
{
	struct vmx_msrs m;
	struct vmx_caps c;

	cpu_read_vmx_msrs(&m);
	vmxcap_decode(&m, &c);
	reply_obj_begin(r, "vmx");
	reply_bool(r, "present", c.vmx);
	reply_bool(r, "usable", c.vmx_usable);
	reply_bool(r, "feature_control_locked", c.feature_locked);
	reply_hex(r, "vmcs_revision", c.vmcs_revision);
	reply_bool(r, "ept", c.ept);
	reply_bool(r, "ept_ad", c.ept_ad);
	reply_bool(r, "pml", c.pml);
	reply_bool(r, "unrestricted_guest", c.unrestricted_guest);
	reply_bool(r, "vpid", c.vpid);
	reply_bool(r, "preemption_timer", c.preemption_timer);
	reply_bool(r, "msr_bitmaps", c.msr_bitmaps);
	reply_bool(r, "io_bitmaps", c.io_bitmaps);
	reply_bool(r, "ept_2m", c.ept_2m);
	reply_bool(r, "ept_1g", c.ept_1g);
	reply_bool(r, "ept_wb", c.ept_wb);
	reply_bool(r, "invept", c.invept);
	reply_bool(r, "invvpid", c.invvpid);
	if (c.vmx) {
		reply_hex(r, "msr_basic", m.basic);
		reply_hex(r, "msr_procbased_ctls", m.procbased);
		reply_hex(r, "msr_procbased_ctls2", m.procbased2);
		reply_hex(r, "msr_ept_vpid_cap", m.ept_vpid_cap);
		reply_hex(r, "msr_feature_control", m.feature_control);
	}
	reply_obj_end(r);
}

static void cmd_cpu(struct reply *r, int argc, char **argv)
{
	const struct apic_info *apic = apic_get_info();
	struct cpu_info ci;

	cpu_identify(&ci);
	reply_str(r, "vendor", ci.vendor);
	reply_str(r, "brand", ci.brand);
	reply_u64(r, "family", ci.family);
	reply_u64(r, "model", ci.model);
	reply_u64(r, "stepping", ci.stepping);
	reply_bool(r, "under_hypervisor", ci.hypervisor);
	reply_u64(r, "tsc_hz", clock_tsc_hz());
	reply_bool(r, "invariant_tsc", ci.invariant_tsc);
	reply_obj_begin(r, "apic");
	reply_u64(r, "id", apic->id);
	reply_bool(r, "x2apic_mode", apic->x2apic);
	reply_u64(r, "timer_hz", apic->timer_hz);
	reply_u64(r, "tick_hz", CLOCK_TICK_HZ);
	reply_obj_end(r);
	reply_vmx(r);
}

static void cmd_uptime(struct reply *r, int argc, char **argv)
{
	uint64_t ns = clock_ns();

	reply_strf(r, "uptime", "%lu.%03lus", ns / 1000000000, ns / 1000000 % 1000);
	reply_u64(r, "seconds", ns / 1000000000);
	reply_u64(r, "ms", ns / 1000000);
	reply_u64(r, "ns", ns);
	reply_u64(r, "ticks", clock_ticks());
	reply_u64(r, "halts", mainloop_halts());
	reply_u64(r, "unexpected_interrupts", trap_unexpected_count());
}

static void cmd_log(struct reply *r, int argc, char **argv)
{
	enum log_level level;

	if (argc == 2) {
		if (log_level_parse(argv[1], &level)) {
			reply_error(r, "unknown log level '%s' (error, warn, info, debug)", argv[1]);
			return;
		}
		log_set_level(level);
	}
	reply_str(r, "level", log_level_name(log_get_level()));
}

static void cmd_mode(struct reply *r, int argc, char **argv)
{
	if (!strcmp(argv[1], "json"))
		console_set_mode(REPLY_JSON);
	else if (!strcmp(argv[1], "text"))
		console_set_mode(REPLY_TEXT);
	else {
		reply_error(r, "unknown mode '%s' (text, json)", argv[1]);
		return;
	}
	/* the reply already renders in the mode it started in; say the new one */
	reply_str(r, "mode", argv[1]);
}

static void cmd_boot(struct reply *r, int argc, char **argv)
{
	const struct boot_info *bi = bootinfo_get();
	const struct acpi_info *a = acpi_get();
	uint32_t i;

	reply_str(r, "firmware", bi->firmware_vendor);
	reply_hex(r, "firmware_revision", bi->firmware_revision);
	reply_hex(r, "image_base", bi->image_base);
	reply_u64(r, "image_size", bi->image_size);
	reply_hex(r, "rsdp", bi->rsdp);
	reply_bool(r, "acpi", a->rsdp_valid);
	reply_bool(r, "acpi_s5", a->have_s5);
	reply_u64(r, "exit_boot_services_attempts", bi->exit_attempts);
	reply_u64(r, "firmware_regions", bi->nregions);
	reply_u64(r, "config_bytes", bi->config_size);
	reply_arr_begin(r, "guest_files");
	for (i = 0; i < bi->nfiles; i++) {
		reply_obj_begin(r, NULL);
		reply_str(r, "name", bi->files[i].name);
		reply_u64(r, "size", bi->files[i].size);
		reply_hex(r, "addr", bi->files[i].addr);
		reply_obj_end(r);
	}
	reply_arr_end(r);
	reply_u64(r, "guest_files_skipped", bi->files_skipped);
}

static void cmd_config(struct reply *r, int argc, char **argv)
{
	const struct config *c = kernel_config();
	const struct config_error *e;
	int i, n, total;
	size_t g;

	reply_str(r, "hostname", c->hostname);
	reply_str(r, "net_mode", config_net_mode_name(c->net_mode));
	if (c->net_mode == NET_MODE_STATIC) {
		reply_ipv4(r, "net_address", c->net_address);
		reply_ipv4(r, "net_netmask", c->net_netmask);
		reply_ipv4(r, "net_gateway", c->net_gateway);
	}
	reply_arr_begin(r, "guests");
	for (g = 0; g < c->nguests; g++) {
		reply_obj_begin(r, NULL);
		reply_str(r, "file", c->guests[g].file);
		reply_str(r, "name", c->guests[g].name);
		reply_u64(r, "mem_mib", c->guests[g].mem_mib);
		reply_str(r, "args", c->guests[g].args);
		reply_obj_end(r);
	}
	reply_arr_end(r);
	e = kernel_config_errors(&n, &total);
	reply_u64(r, "bad_lines", total);
	reply_arr_begin(r, "errors");
	for (i = 0; i < n; i++)
		reply_strf(r, NULL, "hv.cfg:%d: %s", e[i].line, e[i].msg);
	reply_arr_end(r);
}

static void cmd_reboot(struct reply *r, int argc, char **argv)
{
	reply_str(r, "status", "rebooting");
	reply_end(r);
	printk_sync(); /* the reply is queued: out with it before the machine goes */
	vmx_off();
	power_reboot();
}

static void cmd_shutdown(struct reply *r, int argc, char **argv)
{
	reply_str(r, "status", "powering off");
	reply_end(r);
	printk_sync(); /* the reply is queued: out with it before the machine goes */
	power_off();
	/* still here: the reply already went out, so report through the log */
	log_error("power off failed: no ACPI S5 and no emulator shutdown port");
	reply_begin(r, console_mode(), r->sink, "shutdown");
	reply_error(r, "power off failed");
}

COMMAND(help, "[COMMAND]", "list commands, or show one in full", 0, 1, false, cmd_help);
COMMAND(version, "", "hypervisor version and build", 0, 0, false, cmd_version);
COMMAND(mem, "", "memory map and allocator state", 0, 0, false, cmd_mem);
COMMAND(cpu, "", "processor and VMX capabilities", 0, 0, false, cmd_cpu);
COMMAND(uptime, "", "time since the core started", 0, 0, false, cmd_uptime);
COMMAND(log, "[error|warn|info|debug]", "show or set the log level", 0, 1, false, cmd_log);
COMMAND(mode, "text|json", "reply rendering", 1, 1, false, cmd_mode);
COMMAND(boot, "", "what the firmware handed over", 0, 0, false, cmd_boot);
COMMAND(config, "", "the configuration in force (hv.cfg)", 0, 0, false, cmd_config);
COMMAND(reboot, "", "reset the machine", 0, 0, false, cmd_reboot);
COMMAND(shutdown, "", "power the machine off", 0, 0, false, cmd_shutdown);
