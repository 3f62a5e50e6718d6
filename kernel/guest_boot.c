/*
 * Booting a guest: the kernel file and its modules come from the ESP
 * (already in memory, kernel/bootinfo.h); the image's own header picks
 * the loader, a Linux bzImage (kernel/linux_load.c, with ACPI tables from
 * kernel/acpi_tables.c) or multiboot (kernel/multiboot.c); the machine
 * state the kernel starts in (arch/x86/boot_state.c) becomes a state
 * record and loads through guest_load_state, as a restore does.
 */
#include <string.h>
#include "arch/x86/boot_state.h"
#include "arch/x86/paging.h"
#include "kernel/acpi_tables.h"
#include "kernel/bootinfo.h"
#include "kernel/bzimage.h"
#include "kernel/guest.h"
#include "kernel/linux_load.h"
#include "kernel/log.h"
#include "kernel/multiboot.h"
#include "kernel/pc_firmware.h"
#include "kernel/vlapic_regs.h"
#include "kernel/vlapic_timer.h"
#include "lib/fmt.h"

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

/* Load the kernel and its modules into RAM; *entry and *mbi for the boot state. */
static int load_kernel(struct guest *g, const struct boot_file *f, uint32_t *entry,
		       uint32_t *mbi, char *err, size_t errlen)
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
	*entry = mb.entry;
	*mbi = mb.mbi;
	return 0;
}

/*
 * A booting guest's record around s->cpu (already set): configuration,
 * devices at power-on; for a multiboot guest, as a PC's BIOS leaves
 * them (kernel/pc_firmware.h), with the local APIC in virtual-wire mode
 * (software-enabled, LINT0 ExtINT, LINT1 NMI: MP spec 3.6.2.2), so the
 * 8259A's interrupts reach the vCPU as on a PC.
 */
static void boot_record(struct guest *g, struct guest_state *s)
{
	struct vlapic lapic;
	struct hpet hpet;
	struct vuart uart;
	static struct pcdev pc; /* large-ish; one boot at a time */

	s->config = g->spec;
	s->ram_size = g->ram_size;
	vlapic_init(&lapic, 0, g->vcpu.lapic.tsc_hz, g->vcpu.lapic.bus_hz);
	if (g->kind == GUEST_KIND_MULTIBOOT) {
		lapic.svr |= SVR_ENABLE;
		lapic.lvt_lint0 = LVT_DELIVERY_EXTINT;
		lapic.lvt_lint1 = LVT_DELIVERY_NMI;
	}
	vlapic_save(&lapic, 0, &s->lapic);
	hpet_init(&hpet, g->hpet.tsc_hz);
	hpet_save(&hpet, 0, &s->hpet);
	vuart_init(&uart, NULL, NULL);
	vuart_save(&uart, &s->uart);
	/* the RTC starts at the firmware's time, the devices at power-on state */
	pcdev_init(&pc, g->vcpu.lapic.tsc_hz, bootinfo_wall_seconds(), 0);
	if (g->kind == GUEST_KIND_MULTIBOOT)
		pc_firmware_program(&pc, 0);
	pcdev_save(&pc, 0, &s->pc);
	vioapic_save(&pc.ioapic, &s->ioapic);
}

/*
 * A Linux bzImage: the modules (initrd=) become its initrd, concatenated;
 * the 64-bit boot protocol's state. A booting guest's TSC starts at 0,
 * as after a reset (SDM Vol. 3B 18.17).
 */
static int boot_linux(struct guest *g, const struct boot_file *f, struct guest_state *s,
		      char *err, size_t errlen)
{
	struct multiboot_module mods[GUEST_MODULES_MAX];
	struct linux_initrd_part parts[GUEST_MODULES_MAX];
	static uint8_t acpi[ACPI_TABLES_SIZE]; /* one boot at a time */
	/* the board of kernel/pcdev.h: I/O APIC, 8259A pair, CMOS RTC */
	const struct acpi_tables_opts ao = { 0, true, true, true };
	struct linux_load_args a = { phys_to_virt(f->addr), f->size, g->spec.args, parts,
				     (int)g->spec.nmodules, acpi, sizeof(acpi), 0 };
	struct linux_load_result r;
	char msg[160];
	uint32_t i;

	if (find_modules(&g->spec, mods, err, errlen))
		return -ENOENT;
	for (i = 0; i < g->spec.nmodules; i++)
		parts[i] = (struct linux_initrd_part){ mods[i].data, mods[i].size };
	a.rsdp = acpi_tables_build(acpi, LINUX_ACPI_BASE, &ao);
	if (linux_load(&a, &g->ram, &r, msg, sizeof(msg))) {
		fmt_snprintf(err, errlen, "cannot load Linux kernel %s: %s", f->name, msg);
		return -EINVAL;
	}
	log_info("guest %s: Linux boot protocol %u.%02u, kernel at 0x%lx, initrd %lu bytes at 0x%lx",
		 g->name, r.version >> 8, r.version & 0xff, r.kernel, r.initrd_size, r.initrd);
	boot_state_linux64(&s->cpu, r.entry, r.zero_page, r.stack, r.cr3, r.gdt_base, r.gdt_limit, 0);
	g->kind = GUEST_KIND_LINUX;
	return 0;
}

static int boot_multiboot(struct guest *g, const struct boot_file *f, struct guest_state *s,
			  char *err, size_t errlen)
{
	uint32_t entry, mbi;

	/* first, so that an image reaching down into low memory wins */
	if (pc_firmware_write(&g->ram)) {
		fmt_snprintf(err, errlen, "guest RAM too small for the BIOS area");
		return -EINVAL;
	}
	if (load_kernel(g, f, &entry, &mbi, err, errlen))
		return -EINVAL;
	boot_state_multiboot(&s->cpu, entry, MULTIBOOT_BOOTLOADER_MAGIC, mbi, 0);
	g->kind = GUEST_KIND_MULTIBOOT;
	return 0;
}

int guest_boot(struct guest *g, char *err, size_t errlen)
{
	static struct guest_state s; /* large; one boot at a time (single CPU) */
	const struct boot_file *f = bootinfo_find_file(g->spec.file);
	int rc;

	if (!f) {
		fmt_snprintf(err, errlen, "no file '%s' in the ESP's guests/ folder", g->spec.file);
		return -ENOENT;
	}
	memset(&s, 0, sizeof(s));
	/* the image's own header says which loader: a bzImage's "HdrS", else multiboot */
	if (bzimage_detect(phys_to_virt(f->addr), f->size))
		rc = boot_linux(g, f, &s, err, errlen);
	else
		rc = boot_multiboot(g, f, &s, err, errlen);
	if (rc)
		return rc;
	boot_record(g, &s);
	return guest_load_state(g, &s, err, errlen);
}

