/*
 * Loading a Linux bzImage into a guest for the 64-bit boot protocol
 * (the kernel's Documentation/arch/x86/boot.rst), the way QEMU's -kernel
 * or a boot loader does, without running the kernel's real-mode setup.
 * Pure: guest RAM is reached through struct guest_ram.
 *
 * Guest-physical layout (RAM from 0):
 *   0x1000-0x7fff   GDT and identity page tables (e820 reserved)
 *   0x8000-0xffff   the boot stack (RSP at entry)
 *   0x10000         the zero page (struct boot_params)
 *   0x11000         the command line
 *   0xe0000-1 MiB   ACPI tables, when given (e820 reserved)
 *   pref_address    the protected-mode kernel, init_size bytes
 *   below the top   the initrd, under initrd_addr_max
 */
#ifndef KERNEL_LINUX_LOAD_H
#define KERNEL_LINUX_LOAD_H

#include "kernel/guest_ram.h"
#include "lib/types.h"

#define LINUX_BOOT_AREA 0x1000
#define LINUX_BOOT_STACK 0x10000 /* grows down from the zero page */
#define LINUX_ZERO_PAGE 0x10000
#define LINUX_CMDLINE 0x11000
#define LINUX_CMDLINE_MAX 4096 /* room before anything else */
#define LINUX_ACPI_BASE 0xe0000
#define LINUX_ACPI_MAX 0x20000
#define LINUX_INITRD_PARTS 8

/* The initrd: its parts are concatenated (each 4-byte aligned), as boot loaders do. */
struct linux_initrd_part {
	const void *data;
	size_t size;
};

struct linux_load_args {
	const void *image;
	size_t size;
	const char *cmdline;
	const struct linux_initrd_part *initrd;
	int ninitrd;
	const void *acpi;   /* tables built for LINUX_ACPI_BASE, or NULL */
	size_t acpi_size;
	gpa_t rsdp;         /* the RSDP inside them */
};

struct linux_load_result {
	uint64_t entry;     /* RIP: the kernel's load address + 0x200 */
	gpa_t zero_page;    /* RSI */
	gpa_t stack;        /* RSP */
	gpa_t cr3;
	gpa_t gdt_base;
	uint16_t gdt_limit;
	gpa_t kernel, kernel_end; /* [load address, + init_size) */
	gpa_t initrd;
	uint64_t initrd_size;
	uint16_t version;   /* boot protocol */
};

/*
 * Check the image, plan where everything goes (all inside RAM, nothing
 * overlapping) and write it: kernel, initrd, command line, zero page, GDT
 * and page tables, ACPI tables. Returns 0, or -EINVAL with a message in
 * err: not a usable bzImage, command line longer than cmdline_size, RAM
 * too small for init_size, initrd not fitting under initrd_addr_max.
 */
int linux_load(const struct linux_load_args *a, const struct guest_ram *ram,
	       struct linux_load_result *out, char *err, size_t errlen);

#endif
