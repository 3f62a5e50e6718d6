/*
 * Guest lifecycle. Creating a guest is two steps: allocate (RAM from the
 * buddy allocator in 2 MiB blocks, naturally aligned so each is one EPT
 * large page; the EPT; the VMCS), then give it a state: boot (kernel/guest_boot.c: a
 * loader produces a state record) or restore (a record plus
 * memory). Both load through guest_load_state. Stopping marks the guest;
 * its memory is released by guest_reap from the run loop, never under an
 * exit handler.
 */
#include <stdarg.h>
#include <string.h>
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vmx.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/console_out.h"
#include "lib/fmt.h"
#include "kernel/dirty_guest.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/physmem.h"
#include "kernel/printk.h"
#include "kernel/vio.h"

#define CHUNK_ORDER 9 /* 2^9 pages = 2 MiB */
#define GUEST_APIC_BUS_HZ 100000000ULL /* the guest's APIC timer input, reported by CPUID 0x40000010 */

static struct guest guests[GUEST_MAX];

static const char *const state_names[] = { "running", "paused", "stopped" };
static const char *const kind_names[] = { "restored", "multiboot", "linux" };

const char *guest_state_name(enum guest_status s)
{
	return s <= GUEST_STOPPED ? state_names[s] : "unknown";
}

const char *guest_kind_name(enum guest_kind k)
{
	return k <= GUEST_KIND_LINUX ? kind_names[k] : "unknown";
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

/*
 * RAM in 2 MiB blocks, zeroed, each mapped RWX at its guest-physical
 * place; or, when donor is not NULL, the caller's blocks taken over as
 * they are (a migration's staged memory: no copy while the guest waits).
 */
static int alloc_ram(struct guest *g, uint32_t mib, const hpa_t *donor, char *err, size_t errlen)
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
		g->chunks[i] = donor ? donor[i] : physmem_alloc_pages(CHUNK_ORDER);
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

static struct guest *claim_slot(const char *name, char *err, size_t errlen)
{
	struct guest *g = guest_find(name);
	int i;

	guest_reap();
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
	g->release_pending = false;
}

static int alloc_resources(struct guest *g, const hpa_t *donor, char *err, size_t errlen)
{
	const struct apic_info *host = apic_get_info();

	if (ept_init(&g->ept, &ept_ops)) {
		fmt_snprintf(err, errlen, "not enough memory for the EPT of guest %s", g->name);
		return -ENOMEM;
	}
	if (alloc_ram(g, g->spec.mem_mib, donor, err, errlen))
		return -ENOMEM;
	g->ram = (struct guest_ram){ ram_write, ram_read, g, g->ram_size };
	g->vcpu.guest = g;
	g->vcpu.ram = &g->ram;
	vlapic_init(&g->vcpu.lapic, 0, host->tsc_hz, GUEST_APIC_BUS_HZ);
	hpet_init(&g->hpet, host->tsc_hz);
	vuart_init(&g->uart, uart_tx, g);
	pcdev_init(&g->pc, host->tsc_hz, bootinfo_wall_seconds(), 0);
	vio_wire_interrupts(g);
	if (vcpu_arch_create(&g->vcpu, ept_eptp(&g->ept, vmx_get_caps()->ept_ad))) {
		fmt_snprintf(err, errlen, "cannot set up the vCPU (see log)");
		return -ENODEV;
	}
	return 0;
}

/* A failed guest_alloc_adopt: the donated blocks stay the caller's. */
static void disown_ram(struct guest *g)
{
	uint32_t i;

	for (i = 0; g->chunks && i < g->nchunks; i++)
		g->chunks[i] = 0;
}

static struct guest *alloc_guest(const struct guest_spec *spec, const hpa_t *donor, char *err,
				 size_t errlen)
{
	struct guest *g;

	if (vmx_init()) {
		fmt_snprintf(err, errlen, "VMX is not available: %s", vmx_failure());
		return NULL;
	}
	g = claim_slot(spec->name, err, errlen);
	if (!g)
		return NULL;
	memset(g, 0, sizeof(*g));
	outq_init(&g->out, g->out_buf, sizeof(g->out_buf));
	g->used = true;
	g->spec = *spec;
	memcpy(g->name, spec->name, sizeof(g->name));
	g->state = GUEST_PAUSED; /* not runnable until it has a state */
	if (alloc_resources(g, donor, err, errlen)) {
		if (donor)
			disown_ram(g);
		release(g);
		g->used = false;
		return NULL;
	}
	g->started_ns = clock_ns();
	return g;
}

struct guest *guest_alloc(const struct guest_spec *spec, char *err, size_t errlen)
{
	return alloc_guest(spec, NULL, err, errlen);
}

struct guest *guest_alloc_adopt(const struct guest_spec *spec, const hpa_t *blocks,
				uint32_t nblocks, char *err, size_t errlen)
{
	if (nblocks != DIV_ROUND_UP(MiB(spec->mem_mib), GUEST_CHUNK)) {
		fmt_snprintf(err, errlen, "%u MiB of guest RAM need %lu blocks of 2 MiB, not %u",
			     spec->mem_mib, (unsigned long)DIV_ROUND_UP(MiB(spec->mem_mib), GUEST_CHUNK),
			     nblocks);
		return NULL;
	}
	return alloc_guest(spec, blocks, err, errlen);
}

void guest_free(struct guest *g)
{
	release(g);
	g->used = false;
}

int guest_save_state(struct guest *g, struct guest_state *s)
{
	memset(s, 0, sizeof(*s));
	s->config = g->spec;
	s->ram_size = g->ram_size;
	if (vcpu_arch_save_state(&g->vcpu, &s->cpu))
		return -EIO;
	vlapic_save(&g->vcpu.lapic, s->cpu.tsc, &s->lapic);
	hpet_save(&g->hpet, s->cpu.tsc, &s->hpet);
	vuart_save(&g->uart, &s->uart);
	pcdev_save(&g->pc, s->cpu.tsc, &s->pc);
	s->acpi = (struct gs_acpi){ g->pm.pm1_en, g->pm.pm1_cnt };
	vioapic_save(&g->pc.ioapic, &s->ioapic);
	return 0;
}

int guest_load_state(struct guest *g, const struct guest_state *s, char *err, size_t errlen)
{
	if (s->ram_size != g->ram_size) {
		fmt_snprintf(err, errlen, "state is for %lu MiB of RAM, guest %s has %lu MiB",
			     (unsigned long)(s->ram_size >> 20), g->name,
			     (unsigned long)(g->ram_size >> 20));
		return -EINVAL;
	}
	if (vcpu_arch_check_state(&s->cpu, err, errlen))
		return -EINVAL; /* refused before anything of it is loaded */
	if (vcpu_arch_load_state(&g->vcpu, &s->cpu)) {
		fmt_snprintf(err, errlen, "cannot load the vCPU state of guest %s", g->name);
		return -EIO;
	}
	/* the guest's TSC now reads s->cpu.tsc: the APIC's times are relative to it */
	vlapic_load(&g->vcpu.lapic, &s->lapic, s->cpu.tsc);
	hpet_load(&g->hpet, &s->hpet, s->cpu.tsc);
	vuart_load(&g->uart, &s->uart);
	pcdev_load(&g->pc, &s->pc, s->cpu.tsc);
	g->pm = (struct acpi_pm){ s->acpi.pm1_en, s->acpi.pm1_cnt };
	vioapic_load(&g->pc.ioapic, &s->ioapic);
	g->line_len = 0;
	g->exited = false;
	return 0;
}

struct guest *guest_create(const struct guest_spec *spec, char *err, size_t errlen)
{
	struct guest *g = guest_alloc(spec, err, errlen);

	if (!g)
		return NULL;
	if (guest_boot(g, err, errlen)) {
		guest_free(g);
		return NULL;
	}
	g->state = GUEST_RUNNING;
	log_info("guest %s: started %s (%s) with %u MiB", g->name, spec->file,
		 guest_kind_name(g->kind), spec->mem_mib);
	return g;
}

static void flush_line(struct guest *g)
{
	char buf[GUEST_NAME_MAX + GUEST_LINE_MAX + 8];
	int n;

	if (!g->line_len)
		return;
	n = fmt_snprintf(buf, sizeof(buf), "[%s] %.*s\n", g->name, (int)g->line_len, g->line);
	/* into the guest's own queue: when full the line is dropped and counted, never waited for */
	outq_put_all(&g->out, buf, MIN((size_t)n, sizeof(buf) - 1));
	g->line_len = 0;
}

bool guest_console_full(struct guest *g)
{
	if (console_attached() == g)
		return console_out_space() < 64;
	/*
	 * Room for one more whole line, as flush_line writes it. While the
	 * console holds its output back (a command runs, perhaps for seconds)
	 * the guest is not made to wait: its lines beyond the queue are
	 * dropped and counted instead.
	 */
	return !console_holding() && outq_space(&g->out) < GUEST_NAME_MAX + GUEST_LINE_MAX + 8;
}

void guest_console_output(struct guest *g, uint8_t c)
{
	if (console_attached() == g) {
		if (!console_out_write_nowait((const char *)&c, 1))
			g->out.dropped_bytes++;
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
	g->release_pending = true;
	if (console_attached() == g)
		console_detach();
	log_info("guest %s: stopped: %s", g->name, g->reason);
}

void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	char why[GUEST_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	guest_stop(v->guest, "%s", why);
}

const char *vcpu_name(const struct vcpu *v)
{
	return v->guest->name;
}

void guest_request_reset(struct guest *g, const char *fmt, ...)
{
	char why[GUEST_REASON_MAX];
	va_list ap;

	if (g->state == GUEST_STOPPED)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	flush_line(g);
	g->reset_pending = true;
	log_info("guest %s: %s: restarting", g->name, why);
}

/* Power-on again: zeroed RAM (a dirty log sees every page change) and a fresh boot. */
static void reboot(struct guest *g)
{
	char err[GUEST_REASON_MAX];
	uint32_t i;

	g->reset_pending = false;
	for (i = 0; i < g->nchunks; i++)
		memset(phys_to_virt(g->chunks[i]), 0, GUEST_CHUNK);
	dirty_guest_mark(g, 0, g->ram_size);
	if (guest_boot(g, err, sizeof(err))) {
		guest_stop(g, "reset, then could not boot again: %s", err);
		return;
	}
	g->resets++;
	log_info("guest %s: restarted (reset %u)", g->name, g->resets);
}

void guest_reap(void)
{
	int i;

	for (i = 0; i < GUEST_MAX; i++) {
		if (guests[i].used && guests[i].reset_pending && !guests[i].release_pending)
			reboot(&guests[i]);
		if (guests[i].used && guests[i].release_pending)
			release(&guests[i]);
	}
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
