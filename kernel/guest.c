/*
 * Guest lifecycle. RAM comes from the buddy allocator in 2 MiB blocks
 * (naturally aligned, so each is one EPT large page); the kernel image
 * and its modules are loaded with the multiboot loader; the vCPU starts in
 * the multiboot machine state.
 */
#include <stdarg.h>
#include <string.h>
#include "arch/x86/apic.h"
#include "arch/x86/paging.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmx.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/dirty_guest.h"
#include "kernel/fmt.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/multiboot.h"
#include "kernel/physmem.h"
#include "kernel/printk.h"

#define CHUNK_ORDER 9 /* 2^9 pages = 2 MiB */
#define GUEST_APIC_BUS_HZ 100000000ULL /* the guest's APIC timer input, reported by CPUID 0x40000010 */

static struct guest guests[GUEST_MAX];

static const char *const state_names[] = { "running", "paused", "stopped" };

const char *guest_state_name(enum guest_state s)
{
	return s <= GUEST_STOPPED ? state_names[s] : "unknown";
}

struct guest *guest_at(int i)
{
	return i >= 0 && i < GUEST_MAX ? &guests[i] : NULL;
}

struct guest *guest_find(const char *name)
{
	int i;

	for (i = 0; i < GUEST_MAX; i++)
		if (guests[i].used && !strcmp(guests[i].name, name))
			return &guests[i];
	return NULL;
}

int guest_running_count(void)
{
	int i, n = 0;

	for (i = 0; i < GUEST_MAX; i++)
		n += guests[i].used && guests[i].state == GUEST_RUNNING;
	return n;
}

/* Copy between guest RAM and buf, chunk by chunk. */
static int ram_copy(struct guest *g, gpa_t gpa, void *buf, size_t n, bool to_guest)
{
	uint8_t *p = buf;

	if (gpa >= g->ram_size || n > g->ram_size - gpa)
		return -EINVAL;
	if (to_guest)
		dirty_guest_mark(g, gpa, n); /* dirty logging: the hypervisor's own writes */
	while (n) {
		uint64_t off = gpa & (GUEST_CHUNK - 1);
		size_t len = MIN(n, GUEST_CHUNK - off);
		uint8_t *host = (uint8_t *)phys_to_virt(g->chunks[gpa / GUEST_CHUNK]) + off;

		if (to_guest)
			memcpy(host, p, len);
		else
			memcpy(p, host, len);
		gpa += len;
		p += len;
		n -= len;
	}
	return 0;
}

static int ram_write(void *ctx, gpa_t gpa, const void *src, size_t n)
{
	return ram_copy(ctx, gpa, (void *)src, n, true);
}

static int ram_read(void *ctx, gpa_t gpa, void *dst, size_t n)
{
	return ram_copy(ctx, gpa, dst, n, false);
}

static hpa_t ept_alloc(void *ctx)
{
	return physmem_alloc_page();
}

static void ept_free(void *ctx, hpa_t pa)
{
	physmem_free_pages(pa, 0);
}

static void *ept_map(void *ctx, hpa_t pa)
{
	return phys_to_virt(pa);
}

static const struct ept_mem_ops ept_ops = { ept_alloc, ept_free, ept_map, NULL };

static void free_ram(struct guest *g)
{
	uint32_t i;

	for (i = 0; g->chunks && i < g->nchunks; i++)
		if (g->chunks[i])
			physmem_free_pages(g->chunks[i], CHUNK_ORDER);
	if (g->chunk_table)
		physmem_free_pages(g->chunk_table, g->chunk_table_order);
	g->chunks = NULL;
	g->chunk_table = 0;
	g->nchunks = 0;
}

/* RAM in 2 MiB blocks, zeroed, each mapped RWX at its guest-physical place. */
static int alloc_ram(struct guest *g, uint32_t mib, char *err, size_t errlen)
{
	uint32_t i;

	g->nchunks = (uint32_t)DIV_ROUND_UP((uint64_t)mib << 20, GUEST_CHUNK);
	g->ram_size = (uint64_t)g->nchunks * GUEST_CHUNK;
	g->chunk_table_order = palloc_order_for(g->nchunks * sizeof(hpa_t));
	g->chunk_table = physmem_alloc_pages(g->chunk_table_order);
	if (!g->chunk_table)
		goto nomem;
	g->chunks = phys_to_virt(g->chunk_table);
	for (i = 0; i < g->nchunks; i++) {
		g->chunks[i] = physmem_alloc_pages(CHUNK_ORDER);
		if (!g->chunks[i])
			goto nomem;
		if (ept_map_range(&g->ept, (gpa_t)i * GUEST_CHUNK, g->chunks[i], GUEST_CHUNK, EPT_RWX))
			goto nomem;
	}
	return 0;
nomem:
	fmt_snprintf(err, errlen, "not enough memory for %u MiB of guest RAM (%lu MiB free)", mib,
		     physmem_allocator()->free_pages >> 8);
	return -ENOMEM;
}

static void uart_tx(void *ctx, uint8_t c)
{
	guest_console_output(ctx, c);
}

/* The ESP files named by mod= options, as multiboot modules (string: the file name). */
static int find_modules(const struct guest_spec *spec, struct multiboot_module *mods,
			char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < spec->nmodules; i++) {
		const struct boot_file *m = bootinfo_find_file(spec->modules[i]);

		if (!m) {
			fmt_snprintf(err, errlen, "no module file '%s' in the ESP's guests/ folder",
				     spec->modules[i]);
			return -ENOENT;
		}
		mods[i] = (struct multiboot_module){ phys_to_virt(m->addr), m->size, spec->modules[i] };
	}
	return 0;
}

static int load_kernel(struct guest *g, const struct boot_file *f, struct vcpu_boot_state *boot,
		       char *err, size_t errlen)
{
	struct multiboot_module mods[GUEST_MODULES_MAX];
	struct multiboot_result mb;
	char msg[128];

	if (find_modules(&g->spec, mods, err, errlen))
		return -ENOENT;
	if (multiboot_load(phys_to_virt(f->addr), f->size, g->spec.args, mods, (int)g->spec.nmodules,
			   &g->ram, &mb, msg, sizeof(msg))) {
		fmt_snprintf(err, errlen, "cannot load %s: %s", f->name, msg);
		return -EINVAL;
	}
	boot->eip = mb.entry;
	boot->eax = MULTIBOOT_BOOTLOADER_MAGIC;
	boot->ebx = mb.mbi;
	return 0;
}

static struct guest *claim_slot(const char *name, char *err, size_t errlen)
{
	struct guest *g = guest_find(name);
	int i;

	if (g && g->state != GUEST_STOPPED) {
		fmt_snprintf(err, errlen, "a guest named '%s' is already %s", name,
			     guest_state_name(g->state));
		return NULL;
	}
	for (i = 0; !g && i < GUEST_MAX; i++)
		if (!guests[i].used)
			g = &guests[i];
	for (i = 0; !g && i < GUEST_MAX; i++)
		if (guests[i].state == GUEST_STOPPED)
			g = &guests[i]; /* the oldest stopped guest gives way */
	if (!g)
		fmt_snprintf(err, errlen, "too many guests (at most %d running)", GUEST_MAX);
	return g;
}

static int build(struct guest *g, const struct boot_file *f, char *err, size_t errlen)
{
	struct vcpu_boot_state boot;
	const struct apic_info *host = apic_get_info();

	if (ept_init(&g->ept, &ept_ops)) {
		fmt_snprintf(err, errlen, "not enough memory for the EPT of guest %s", g->name);
		return -ENOMEM;
	}
	if (alloc_ram(g, g->spec.mem_mib, err, errlen))
		return -ENOMEM;
	g->ram = (struct guest_ram){ ram_write, ram_read, g, g->ram_size };
	if (load_kernel(g, f, &boot, err, errlen))
		return -EINVAL;
	g->vcpu.guest = g;
	vlapic_init(&g->vcpu.lapic, 0, host->tsc_hz, GUEST_APIC_BUS_HZ);
	vuart_init(&g->uart, uart_tx, g);
	if (vcpu_arch_init(&g->vcpu, &boot, ept_eptp(&g->ept, vmx_get_caps()->ept_ad))) {
		fmt_snprintf(err, errlen, "cannot set up the vCPU (see log)");
		return -ENODEV;
	}
	return 0;
}

static void release(struct guest *g)
{
	dirty_guest_release(g);
	vcpu_arch_destroy(&g->vcpu);
	/* cached translations of this EPT must not outlive its tables and RAM, SDM Vol. 3C 29.4.3 */
	if (g->ept.root)
		vmx_invept(ept_eptp(&g->ept, vmx_get_caps()->ept_ad));
	free_ram(g);
	if (g->ept.root)
		ept_destroy(&g->ept);
	memset(&g->ept, 0, sizeof(g->ept));
}

struct guest *guest_create(const struct guest_spec *spec, char *err, size_t errlen)
{
	const struct boot_file *f;
	struct guest *g;

	if (vmx_init()) {
		fmt_snprintf(err, errlen, "VMX is not available: %s", vmx_failure());
		return NULL;
	}
	f = bootinfo_find_file(spec->file);
	if (!f) {
		fmt_snprintf(err, errlen, "no file '%s' in the ESP's guests/ folder", spec->file);
		return NULL;
	}
	g = claim_slot(spec->name, err, errlen);
	if (!g)
		return NULL;
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->spec = *spec;
	memcpy(g->name, spec->name, sizeof(g->name));
	if (build(g, f, err, errlen)) {
		release(g);
		g->used = false;
		return NULL;
	}
	g->state = GUEST_RUNNING;
	g->started_ns = clock_ns();
	log_info("guest %s: started %s with %u MiB", g->name, f->name, spec->mem_mib);
	return g;
}

static void flush_line(struct guest *g)
{
	char buf[GUEST_NAME_MAX + GUEST_LINE_MAX + 8];
	int n;

	if (!g->line_len)
		return;
	n = fmt_snprintf(buf, sizeof(buf), "[%s] %.*s\n", g->name, (int)g->line_len, g->line);
	console_async_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	g->line_len = 0;
}

void guest_console_output(struct guest *g, uint8_t c)
{
	if (console_attached() == g) {
		kwrite((const char *)&c, 1);
		return;
	}
	if (c == '\n' || g->line_len == sizeof(g->line)) {
		flush_line(g);
		if (c == '\n')
			return;
	}
	if (c == '\r')
		return;
	g->line[g->line_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
}

void guest_stop(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (g->state == GUEST_STOPPED)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
	va_end(ap);
	flush_line(g);
	g->state = GUEST_STOPPED;
	g->stopped_ns = clock_ns();
	if (console_attached() == g)
		console_detach();
	log_info("guest %s: stopped: %s", g->name, g->reason);
	release(g);
}

void guest_pause(struct guest *g)
{
	if (g->state == GUEST_RUNNING)
		g->state = GUEST_PAUSED;
}

void guest_resume(struct guest *g)
{
	if (g->state == GUEST_PAUSED)
		g->state = GUEST_RUNNING;
}
