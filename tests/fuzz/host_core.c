/*
 * A hypervisor core for the host, for tests/fuzz/fuzz_commands.c: the
 * hardware and subsystem functions the real console (kernel/console.c)
 * and command files (kernel/cmd_system.c, cmd_guest.c, net/cmd_net.c) call, answered from plain memory.
 *
 * What each stands for, and what it checks of its callers:
 * - serial port: uart_getc() reads host_input, kwrite() appends to
 *   host_output; the time (clock_ns) advances 1 ms per call, so nothing
 *   waits for ever;
 * - one network interface, eth0, with its lwIP struct netif; configuring
 *   it checks that a static netmask is a prefix (contiguous ones);
 * - guests: none can run (guests need VMX). guest_create() checks the
 *   spec kernel/guest_spec.c parsed and refuses; guest_find() finds none;
 * - power off / reboot return to the fuzzer through host_power (longjmp):
 *   they must not return into the console.
 * Everything else answers zeros: no processor features, no ACPI, no
 * memory regions, no boot files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/power.h"
#include "arch/x86/trap.h"
#include "arch/x86/uart.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmx.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "lib/fmt.h"
#include "kernel/guest.h"
#include "kernel/snapshot.h"
#include "kernel/console_out.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/mainloop.h"
#include "kernel/physmem.h"
#include "kernel/printk.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "net/netbench.h"
#include "net/netif.h"
#include "net/nic.h"
#include "net/ping.h"
#include "net/rawframes.h"
#include "tests/fuzz/host_core.h"

const uint8_t *host_input;
size_t host_input_len;
char host_output[HOST_OUTPUT_MAX];
size_t host_output_len;
jmp_buf host_power;

/* ------------------------------------------------------------ serial, time */
int uart_getc(void)
{
	if (!host_input_len)
		return -1;
	host_input_len--;
	return *host_input++;
}

void kwrite(const char *s, size_t n)
{
	if (!s && n)
		abort();
	if (n > sizeof(host_output) - host_output_len)
		n = sizeof(host_output) - host_output_len; /* the checker sees a prefix */
	memcpy(host_output + host_output_len, s, n);
	host_output_len += n;
}

void kputs(const char *s)
{
	kwrite(s, strlen(s));
}

int kprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kwrite(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

static uint64_t now_ns;

uint64_t clock_ns(void)
{
	return now_ns += 1000000;
}

uint64_t clock_ticks(void)
{
	return now_ns / 10000000;
}

uint64_t clock_tsc_hz(void)
{
	return 2000000000;
}

/* Log lines are not replies: formatted (fmt is exercised) and dropped. */
static enum log_level level = LOG_INFO;

void log_msg(enum log_level lv, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)lv;
}

void log_set_level(enum log_level lv)
{
	level = lv;
}

enum log_level log_get_level(void)
{
	return level;
}

/* ------------------------------------------------------------ machine */
static const struct acpi_info no_acpi;
static const struct apic_info no_apic;
static const struct boot_info no_boot;
static struct palloc no_pages;

const struct acpi_info *acpi_get(void)
{
	return &no_acpi;
}

const struct apic_info *apic_get_info(void)
{
	return &no_apic;
}

const struct boot_info *bootinfo_get(void)
{
	return &no_boot;
}

void cpu_identify(struct cpu_info *info)
{
	memset(info, 0, sizeof(*info));
}

void cpu_read_vmx_msrs(struct vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
}

const struct config *kernel_config(void)
{
	static struct config c;

	config_defaults(&c);
	return &c;
}

const struct config_error *kernel_config_errors(int *n, int *total)
{
	*n = 0;
	*total = 0;
	return NULL;
}

uint64_t mainloop_halts(void)
{
	return 0;
}

uint64_t paging_table_pages(void)
{
	return 0;
}

const char *paging_page_size(void)
{
	return "2M";
}

const struct palloc *physmem_allocator(void)
{
	return &no_pages;
}

uint64_t physmem_reclaimed_pages(void)
{
	return 0;
}

hpa_t physmem_meta_base(void)
{
	return 0;
}

uint64_t physmem_meta_bytes(void)
{
	return 0;
}

const struct mem_region *physmem_regions(size_t *n)
{
	*n = 0;
	return NULL;
}

uint64_t trap_unexpected_count(void)
{
	return 0;
}

void vmx_off(void)
{
}

void power_off(void)
{
	longjmp(host_power, 1);
}

void power_reboot(void)
{
	longjmp(host_power, 2);
}

/* ------------------------------------------------------------ console output */
/* kwrite above is the whole transmit path here: nothing is ever queued. */
size_t console_out_queued(void)
{
	return 0;
}

size_t console_out_space(void)
{
	return 1 << 20;
}

void console_out_pump(void)
{
}

bool console_out_write_nowait(const char *s, size_t n)
{
	kwrite(s, n);
	return true;
}

void printk_sync(void)
{
}

/* ------------------------------------------------------------ snapshots */
/* No guest ever runs here, so no snapshot is ever taken: the commands reach
 * their refusals; anything that gets further aborts. */
int snapshot_take(struct guest *g, struct snapshot_info *info, char *err, size_t errlen)
{
	(void)g;
	(void)info;
	(void)err;
	(void)errlen;
	abort();
}

int snapshot_restore(const char *name, struct snapshot_info *info, char *err, size_t errlen)
{
	(void)info;
	if (!name || !*name)
		abort();
	fmt_snprintf(err, errlen, "no snapshot of guest '%s'", name);
	return -ENOENT;
}

struct guest *snapshot_clone(const char *name, const char *new_name, struct snapshot_info *info,
			     char *err, size_t errlen)
{
	(void)info;
	if (!name || !new_name)
		abort();
	fmt_snprintf(err, errlen, "no snapshot of guest '%s'", name);
	return NULL;
}

int snapshot_drop(const char *name)
{
	(void)name;
	return -ENOENT;
}

const char *snapshot_name_at(int i, struct snapshot_info *info)
{
	(void)i;
	(void)info;
	return NULL;
}

/* Reports of a vCPU: only for a guest that exists, which none does. */
void vcpu_report_stats(struct vcpu *v, struct reply *r)
{
	(void)v;
	(void)r;
	abort();
}

void vcpu_report_rip(struct vcpu *v, struct reply *r)
{
	(void)v;
	(void)r;
	abort();
}

void vcpu_report_registers(struct vcpu *v, struct reply *r)
{
	(void)v;
	(void)r;
	abort();
}

/* ------------------------------------------------------------ guests */
static struct guest slots[GUEST_MAX];

struct guest *guest_create(const struct guest_spec *spec, char *err, size_t errlen)
{
	uint32_t i;

	/* what kernel/guest_spec.c let through must be usable as it stands */
	if (!spec->file[0] || memchr(spec->file, 0, sizeof(spec->file)) == NULL ||
	    spec->nmodules > GUEST_MODULES_MAX)
		abort();
	for (i = 0; i < spec->nmodules; i++)
		if (!spec->modules[i][0])
			abort();
	fmt_snprintf(err, errlen, "no VMX in the host build");
	return NULL;
}

struct guest *guest_find(const char *name)
{
	(void)name;
	return NULL;
}

struct guest *guest_at(int i)
{
	if (i < 0 || i >= GUEST_MAX)
		abort();
	return &slots[i];
}

/* Unreachable while guest_find finds nothing: abort says otherwise. */
void guest_pause(struct guest *g)
{
	(void)g;
	abort();
}

void guest_resume(struct guest *g)
{
	(void)g;
	abort();
}

void guest_stop(struct guest *g, const char *fmt, ...)
{
	(void)g;
	(void)fmt;
	abort();
}

void vcpu_snapshot(struct vcpu *v, struct vcpu_snapshot *s)
{
	(void)v;
	(void)s;
	abort();
}

const char *guest_state_name(enum guest_status s)
{
	(void)s;
	return "stopped";
}

/* Unreachable while guest_find finds nothing: abort says otherwise. */
const char *guest_kind_name(enum guest_kind k)
{
	(void)k;
	abort();
}

/* ------------------------------------------------------------ network */
static struct netif eth0_netif;
static struct nic eth0_nic = { .name = "eth0", .model = "82540EM",
			       .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } };
static struct net_if eth0 = { &eth0_netif, &eth0_nic, NET_MODE_NONE, true };

struct net_if *net_if_find(const char *name)
{
	return strcmp(name, "eth0") ? NULL : &eth0;
}

struct net_if *net_if_at(int i)
{
	return i == 0 ? &eth0 : NULL;
}

int net_if_count(void)
{
	return 1;
}

void net_if_configure(struct net_if *ifc, enum net_mode mode, uint32_t addr, uint32_t mask,
		      uint32_t gw)
{
	uint32_t host = ~mask;

	if (ifc != &eth0 || mode > NET_MODE_STATIC)
		abort();
	if (mode == NET_MODE_STATIC && (host & (host + 1)))
		abort(); /* not a prefix: validation let a bad netmask through */
	ifc->mode = mode;
	ip4_addr_set_u32(&eth0_netif.ip_addr, lwip_htonl(mode == NET_MODE_STATIC ? addr : 0));
	ip4_addr_set_u32(&eth0_netif.netmask, lwip_htonl(mode == NET_MODE_STATIC ? mask : 0));
	ip4_addr_set_u32(&eth0_netif.gw, lwip_htonl(mode == NET_MODE_STATIC ? gw : 0));
}

ssize_t etharp_find_addr(struct netif *netif, const ip4_addr_t *ipaddr,
			 struct eth_addr **eth_ret, const ip4_addr_t **ip_ret)
{
	(void)netif;
	(void)ipaddr;
	(void)eth_ret;
	(void)ip_ret;
	return -1; /* no ARP entries: the raw benchmark refuses */
}

/* No peer answers: each network action fails at once, as with a dead link. */
int ping_run(uint32_t addr, uint32_t count, struct ping_result *out,
	     void (*progress)(uint32_t seq, bool ok, uint64_t rtt_us))
{
	if (!count)
		abort(); /* cmd_net's count check let 0 through */
	memset(out, 0, sizeof(*out));
	out->sent = count;
	if (progress)
		progress(1, false, 0);
	(void)addr;
	return 0;
}

int netbench_server_start(uint16_t port)
{
	(void)port;
	return 0;
}

void netbench_server_stats(struct netbench_server_stats *s)
{
	memset(s, 0, sizeof(*s));
}

int netbench_client_run(uint32_t addr, uint16_t port, uint32_t mib, struct netbench_result *out,
			void (*progress)(uint64_t sent))
{
	(void)addr;
	(void)port;
	(void)progress;
	if (!mib || mib > NETBENCH_MAX_MIB)
		abort(); /* cmd_net's size check let a bad size through */
	memset(out, 0, sizeof(*out));
	return -ECONNREFUSED;
}

void rawframes_stats(struct rawframes_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void rawframes_reset(void)
{
}

uint64_t rawframes_send(struct nic *nic, const uint8_t dst[6], uint32_t count, uint32_t *sent)
{
	(void)nic;
	(void)dst;
	(void)count;
	*sent = 0;
	return 0;
}
