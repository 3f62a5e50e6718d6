/*
 * The core: from the boot stage's hand-over to the console loop.
 *
 * Order matters: the core first stops depending on firmware state (own
 * stack, GDT, IDT, page tables), reads ACPI, and only then reclaims
 * boot-services memory, where the firmware's stack and tables lived.
 */
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/uart.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/physmem.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/mainloop.h"
#include "kernel/guest.h"
#include "arch/x86/vmx.h"
#include "kernel/version.h"
#include "net/net.h"
#include "migrate/tls_keys.h"

#define KERNEL_STACK_SIZE (64 * 1024)

static uint8_t kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));
static struct config config;
static struct config_error config_errors[CONFIG_MAX_ERRORS];
static int config_bad_lines;

void arch_switch_stack(void *top, void (*fn)(void *), void *arg);

const struct config *kernel_config(void)
{
	return &config;
}

const struct config_error *kernel_config_errors(int *n, int *total)
{
	*total = config_bad_lines;
	*n = MIN(config_bad_lines, CONFIG_MAX_ERRORS);
	return config_errors;
}

static void load_config(const struct boot_info *bi)
{
	int i;

	config_defaults(&config);
	if (!bi->config) {
		log_info("no hv.cfg on the boot volume; using defaults");
		return;
	}
	config_bad_lines = config_parse(&config, phys_to_virt(bi->config), bi->config_size,
					config_errors, CONFIG_MAX_ERRORS);
	/* hv.cfg may hold migrate.psk: the parsed copy is the only one kept */
	memset(phys_to_virt(bi->config), 0, bi->config_size);
	for (i = 0; i < MIN(config_bad_lines, CONFIG_MAX_ERRORS); i++)
		log_warn("hv.cfg:%d: %s (line ignored)", config_errors[i].line, config_errors[i].msg);
	log_set_level(config.log_level);
	tls_keys_load(&config);
}

static void init_time(void)
{
	const struct apic_info *a;

	if (apic_init())
		panic("no local APIC: CPUID.1:EDX.APIC is clear");
	if (apic_calibrate())
		panic("timer calibration failed: the PIT does not count");
	a = apic_get_info();
	clock_init(a->tsc_hz);
	clock_start_tick();
	sti();
}

static void init_memory(struct boot_info *bi)
{
	struct memmap_summary s;
	int err;

	err = physmem_init(bi);
	if (err)
		panic("memory: cannot build the allocator (%d)", err);
	memmap_summarize(bi->regions, bi->nregions, &s);
	if (paging_init(s.top, physmem_alloc_page))
		panic("memory: out of pages for the page tables");
	err = acpi_init(bi->rsdp);
	if (err && bi->rsdp)
		log_warn("acpi: RSDP at 0x%lx unusable (%d)", bi->rsdp, err);
	physmem_reclaim_boot_services();
}

static void start_boot_guests(void)
{
	char err[160];
	size_t i;

	for (i = 0; i < config.nguests; i++)
		if (!guest_create(&config.guests[i], err, sizeof(err)))
			log_error("hv.cfg guest %s: %s", config.guests[i].name, err);
}

static void init_vmx(void)
{
	if (vmx_init())
		log_warn("vmx: unavailable (%s); guests cannot run", vmx_failure());
}

static void kmain_entry(void *arg)
{
	kmain(arg);
}

NORETURN void kmain(struct boot_info *bi)
{
	const struct palloc *pa;

	bootinfo_set(bi);
	uart_init();
	kputs("\n" HV_NAME " " HV_VERSION ": core started\n");
	if (bi->magic != BOOTINFO_MAGIC)
		panic("boot info corrupt (magic 0x%lx)", bi->magic);
	gdt_init();
	idt_init();
	init_memory(bi);
	init_time();
	load_config(bi);
	pa = physmem_allocator();
	log_info("memory: %lu MiB free, %lu MiB reclaimed from boot services",
		 pa->free_pages >> 8, physmem_reclaimed_pages() >> 8);
	log_info("clock: TSC %lu kHz, APIC timer %lu kHz, tick %u Hz",
		 clock_tsc_hz() / 1000, apic_get_info()->timer_hz / 1000, CLOCK_TICK_HZ);
	log_info("acpi: %s; %u guest file(s) on the ESP; hostname %s",
		 acpi_get()->rsdp_valid ? "tables found" : "no tables", bi->nfiles, config.hostname);
	net_init(&config);
	init_vmx();
	start_boot_guests();
	console_init(&config);
	mainloop_run();
}

NORETURN void kernel_enter(struct boot_info *bi)
{
	cli();
	arch_switch_stack(kernel_stack + KERNEL_STACK_SIZE, kmain_entry, bi);
	cpu_halt_forever();
}
