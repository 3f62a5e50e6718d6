/*
 * The test guests' common library: multiboot boot information, serial
 * output, formatting, the result protocol, command-line words.
 *
 * Result protocol (parsed by the integration tests): every guest prints
 * "GUEST <name> START", progress lines, then exactly one
 * "RESULT <name> ok key=value ..." or "RESULT <name> fail reason=..."
 * and leaves through the exit port with status 0 (ok) or nonzero (fail).
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

#define MB_BOOT_MAGIC 0x2badb002u /* EAX at entry, Multiboot 0.6.96 3.2 */

/* Boot information flags, Multiboot 0.6.96 section 3.3. */
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)

#define MB_MMAP_AVAILABLE 1

/*
 * The hypervisor (like QEMU's isa-debug-exit at iobase 0xf4) stops the
 * guest when it writes a status to this port.
 */
#define GUEST_EXIT_PORT 0xf4

#define PAGE_SIZE 4096u

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

/* Symbols from link.ld. */
extern char __image_start[], __image_end[];

/* The boot information crt0 received (NULL if the magic was wrong). */
extern const struct mb_info *guest_mbi;

/* Entry point every guest defines; its return value is the exit status. */
int main(uint32_t magic, const struct mb_info *mbi);

/* Early set-up called by crt0 before main: serial port, IDT, PIC masked. */
void guest_init(uint32_t magic, const struct mb_info *mbi);

/* Print "GUEST <name> START" and remember the name for RESULT lines. */
void guest_start(const char *name);

/* The name given to guest_start ("guest" before it). */
const char *guest_name(void);

/* Print "RESULT <name> ok <fmt...>" and exit with status 0. */
void guest_ok(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Print "RESULT <name> fail <fmt...>" and exit with status 1. */
void guest_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Write status to the exit port; halts forever if nothing stops the guest. */
void guest_exit(uint32_t status) __attribute__((noreturn));

/* Initialise COM1 (0x3F8) for 115200 8N1, no interrupts. */
void serial_init(void);

/* Send one byte, waiting for LSR.THRE; "\n" goes out as "\r\n". */
void serial_putc(char c);

/* Send a NUL-terminated string. */
void serial_puts(const char *s);

/*
 * Formatting: %d %i %u %x %X %c %s %p %%, length modifiers l and ll,
 * flags '0' and '-', a field width. No floating point.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Format into buf (always NUL-terminated when size > 0). */
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Format to the serial port. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy the value of "key=value" from the multiboot command line into buf.
 * Returns 1 when found, 0 when not (buf then holds "").
 */
int cmdline_get(const char *key, char *buf, size_t size);

/* Numeric value of key (decimal or 0x hex), or def when absent or malformed. */
uint64_t cmdline_u64(const char *key, uint64_t def);

/* Parse a decimal or 0x-prefixed hex number; returns 0 on success. */
int parse_u64(const char *s, const char **end, uint64_t *out);

/* Entry index of the multiboot memory map; returns 0, or -1 past the end. */
int mbi_mmap_entry(int index, uint64_t *base, uint64_t *len, uint32_t *type);

/*
 * Highest end (exclusive) of guest RAM: the top of the available memory
 * map range that contains 1 MiB, or 1 MiB + mem_upper without a map.
 */
uint64_t mbi_ram_end(void);

/* First page-aligned address above the image and all boot information. */
uint32_t mbi_free_start(void);

/* String helpers (the compiler may also call the mem* ones itself). */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* 64-bit unsigned division with remainder (rem may be NULL). */
uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem);

#endif
