/*
 * The Linux x86 boot protocol's kernel image (bzImage): the setup header
 * and where the protected-mode kernel lies in the file. Pure: reads only
 * the byte buffer it is given. Offsets and names are those of the
 * kernel's Documentation/arch/x86/boot.rst ("THE REAL-MODE KERNEL
 * HEADER", "DETAILS OF HEADER FIELDS") and bootparam.h.
 */
#ifndef KERNEL_BZIMAGE_H
#define KERNEL_BZIMAGE_H

#include "lib/types.h"

/* Setup header fields, offsets in the image and in struct boot_params (boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_SYSSIZE 0x1f4
#define BZ_BOOT_FLAG 0x1fe
#define BZ_JUMP 0x200 /* its second byte gives the header's end: 0x202 + byte */
#define BZ_HEADER 0x202
#define BZ_VERSION 0x206
#define BZ_TYPE_OF_LOADER 0x210
#define BZ_LOADFLAGS 0x211
#define BZ_RAMDISK_IMAGE 0x218
#define BZ_RAMDISK_SIZE 0x21c
#define BZ_HEAP_END_PTR 0x224
#define BZ_CMD_LINE_PTR 0x228
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE_KERNEL 0x234
#define BZ_MIN_ALIGNMENT 0x235
#define BZ_XLOADFLAGS 0x236
#define BZ_CMDLINE_SIZE 0x238
#define BZ_PREF_ADDRESS 0x258
#define BZ_INIT_SIZE 0x260
#define BZ_HEADER_END_MIN 0x264 /* through init_size: protocol 2.10 */

#define BZ_BOOT_FLAG_MAGIC 0xaa55
#define BZ_HEADER_MAGIC 0x53726448 /* "HdrS" */
#define BZ_MIN_VERSION 0x020a      /* 2.10: pref_address, init_size */
#define BZ_SECTOR 512
#define BZ_DEFAULT_SETUP_SECTS 4 /* setup_sects 0 means 4 (boot.rst) */
#define BZ_ENTRY64_OFFSET 0x200 /* 64-bit entry: load address + 0x200 ("64-bit BOOT PROTOCOL") */

/* loadflags (boot.rst, "loadflags") */
#define LOADED_HIGH 0x01
#define KEEP_SEGMENTS 0x40
#define CAN_USE_HEAP 0x80

/* xloadflags (boot.rst, "xloadflags") */
#define XLF_KERNEL_64 0x0001
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x0002

struct bzimage_info {
	uint16_t version;         /* protocol version, 0x020a or later */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;         /* relocatable_kernel */
	uint32_t kernel_alignment; /* a power of two */
	uint64_t pref_address;    /* where the kernel prefers to be loaded */
	uint32_t init_size;       /* bytes the kernel needs from its load address */
	uint32_t cmdline_size;    /* longest command line, without the NUL */
	uint32_t initrd_addr_max; /* highest address an initrd byte may have */
	size_t header_end;        /* the setup header is [0x1f1, header_end) */
	size_t kernel_off;        /* protected-mode kernel: file offset ... */
	size_t kernel_size;       /* ... and length */
};

/*
 * Whether img looks like a bzImage at all: boot_flag 0xAA55 and "HdrS".
 * The loader picks the Linux path for these and multiboot otherwise.
 */
bool bzimage_detect(const void *img, size_t size);

/*
 * Validate the setup header of img (size bytes) and describe it in out:
 * protocol 2.10 or later, LOADED_HIGH, a 64-bit entry (XLF_KERNEL_64), a
 * power-of-two kernel_alignment, an init_size covering the kernel, a
 * protected-mode kernel inside the file. Returns 0 or -EINVAL with the
 * reason in err (errlen bytes).
 */
int bzimage_parse(const void *img, size_t size, struct bzimage_info *out, char *err,
		  size_t errlen);

#endif
