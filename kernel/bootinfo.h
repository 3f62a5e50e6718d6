/*
 * What the UEFI stage hands to the core: everything the hypervisor needs
 * from the firmware, gathered before ExitBootServices. After the hand-over
 * no UEFI service is called, so nothing here may point into boot-services
 * memory; every buffer is EfiLoaderData or part of the image.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "lib/memmap.h"
#include "lib/types.h"

#define BOOTINFO_MAGIC 0x4856424f4f54494eULL /* "HVBOOTIN" */
#define BOOTINFO_MAX_REGIONS 512
#define BOOTINFO_MAX_FILES 32
#define BOOTINFO_FILE_NAME_MAX 64

/* A file read from the ESP into memory. */
struct boot_file {
	char name[BOOTINFO_FILE_NAME_MAX];
	hpa_t addr; /* page aligned, EfiLoaderData */
	uint64_t size;
};

/* The firmware's clock (UEFI GetTime) when the boot stage read it, as the
 * firmware keeps it (local time or UTC, as the machine was set up). */
struct boot_wall_clock {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	uint8_t valid; /* 0 when GetTime failed */
	uint64_t tsc;  /* the TSC when it was read */
};

struct boot_info {
	uint64_t magic;
	hpa_t image_base; /* where the firmware loaded this image */
	uint64_t image_size;
	hpa_t rsdp;       /* ACPI RSDP, 0 when the firmware has none */
	uint32_t rsdp_revision;
	char firmware_vendor[64];
	uint32_t firmware_revision;
	/* hv.cfg, NUL-terminated; config == 0 when the file is absent */
	hpa_t config;
	uint64_t config_size;
	uint32_t nfiles;
	uint32_t files_skipped; /* guest files not loaded: too many, too big, unreadable */
	struct boot_file files[BOOTINFO_MAX_FILES];
	uint32_t nregions;
	uint32_t exit_attempts; /* ExitBootServices tries before it succeeded */
	struct boot_wall_clock wall;
	struct mem_region regions[BOOTINFO_MAX_REGIONS];
};

/* The core's entry point, on the hypervisor's own stack. */
NORETURN void kmain(struct boot_info *bi);

/* Record the boot info the core runs with (kmain, once). */
void bootinfo_set(const struct boot_info *bi);

/* The boot info the core runs with. */
const struct boot_info *bootinfo_get(void);

/* The firmware's wall-clock time now, in seconds since 1970-01-01 00:00
 * (the boot stage's reading plus the TSC since), or 0 when unknown. */
uint64_t bootinfo_wall_seconds(void);

/* The file called name from the ESP's guests/ folder, or NULL. */
const struct boot_file *bootinfo_find_file(const char *name);

#endif
