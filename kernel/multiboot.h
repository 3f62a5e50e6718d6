/*
 * Loading multiboot (version 1) kernels into a guest, the way QEMU's
 * -kernel does. Pure: the image is a byte buffer, guest RAM is reached
 * through struct guest_ram, every field of the image is validated.
 *
 * Multiboot Specification 0.6.96: header 3.1, machine state 3.2, boot
 * information format 3.3.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include "kernel/guest_ram.h"
#include "lib/types.h"

#define MULTIBOOT_HEADER_MAGIC 0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002 /* in EAX at entry */
#define MULTIBOOT_SEARCH 8192                  /* header within the first 8 KiB */
#define MULTIBOOT_MAX_MODULES 8
#define MULTIBOOT_LOADER_NAME "hv"

/* Guest-physical layout of a PC's low memory, as QEMU reports it. */
#define MULTIBOOT_LOW_MEM_END 0x9fc00 /* mem_lower = 639 KiB */
#define MULTIBOOT_HIGH_MEM_START 0x100000

struct multiboot_module {
	const void *data;
	size_t size;
	const char *cmdline; /* the module's string */
};

struct multiboot_result {
	uint32_t entry;     /* EIP at entry, 32-bit protected mode, paging off */
	uint32_t mbi;       /* EBX at entry: the boot information structure */
	uint32_t load_start; /* lowest byte written for the kernel image */
	uint32_t load_end;   /* end of kernel image and BSS */
	uint32_t used_end;   /* end of everything placed (kernel, modules, info) */
	bool aout_kludge;    /* loaded by the header's address fields, not as ELF */
};

/*
 * Load the kernel image (size bytes) into ram, place the modules (page
 * aligned, after the kernel) and build the boot information: memory
 * bounds and a memory map matching ram->size (low 639 KiB available, the
 * PC hole reserved, 1 MiB up available), the command line, the modules,
 * the boot loader name. ELF32 (EM_386, ET_EXEC) segments are loaded and
 * their BSS zeroed; with header flag bit 16 the a.out-kludge address
 * fields are used instead. Returns 0 or -EINVAL with a message in err
 * (no header, bad checksum, unsupported required flag, segment outside
 * RAM or below 1 MiB... ) and nothing promised about RAM contents.
 */
int multiboot_load(const void *image, size_t size, const char *cmdline,
		   const struct multiboot_module *mods, int nmods,
		   const struct guest_ram *ram, struct multiboot_result *out,
		   char *err, size_t errlen);

#endif
