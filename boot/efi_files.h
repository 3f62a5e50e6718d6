/*
 * Reading files from the ESP the image was loaded from, through UEFI's
 * Simple File System protocol. Boot services only.
 */
#ifndef BOOT_EFI_FILES_H
#define BOOT_EFI_FILES_H

#include <efi.h>
#include "kernel/bootinfo.h"

/* Largest file read into memory: guest kernels and modules, hv.cfg. */
#define EFI_FILE_MAX_BYTES (64ULL << 20)

/*
 * Read path (relative to dir) into fresh EfiLoaderData pages with a NUL
 * byte after the contents. Returns EFI_SUCCESS, EFI_NOT_FOUND, or the
 * error of the failing call.
 */
EFI_STATUS efi_read_file(EFI_FILE_HANDLE dir, CHAR16 *path, hpa_t *addr, uint64_t *size);

/* Load every regular file of the root's guests/ folder into bi->files. */
void efi_load_guest_files(EFI_FILE_HANDLE root, struct boot_info *bi);

/* Copy a UCS-2 string to ASCII; returns false if it holds non-ASCII characters. */
bool efi_to_ascii(const CHAR16 *in, char *out, size_t outlen);

#endif
