/*
 * ESP file access for the boot stage: hv.cfg and the guests/ folder.
 * Every buffer is allocated as EfiLoaderData so it survives
 * ExitBootServices and the core keeps it out of its allocator.
 */
#include <efi.h>
#include <efilib.h>
#include "boot/efi_files.h"

bool efi_to_ascii(const CHAR16 *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < outlen; i++) {
		if (in[i] < 0x20 || in[i] > 0x7e)
			return false;
		out[i] = (char)in[i];
	}
	out[i] = 0;
	return in[i] == 0;
}

static EFI_STATUS read_open_file(EFI_FILE_HANDLE f, hpa_t *addr, uint64_t *size)
{
	EFI_FILE_INFO *info = LibFileInfo(f);
	EFI_PHYSICAL_ADDRESS pages = 0;
	EFI_STATUS st;
	UINTN len;

	if (!info)
		return EFI_DEVICE_ERROR;
	len = info->FileSize;
	FreePool(info);
	if (len > EFI_FILE_MAX_BYTES)
		return EFI_BAD_BUFFER_SIZE;
	/* one spare byte for the NUL that makes text files safe to parse */
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(len + 1), &pages);
	if (EFI_ERROR(st))
		return st;
	st = uefi_call_wrapper(f->Read, 3, f, &len, (void *)pages);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(BS->FreePages, 2, pages, EFI_SIZE_TO_PAGES(len + 1));
		return st;
	}
	((char *)pages)[len] = 0;
	*addr = pages;
	*size = len;
	return EFI_SUCCESS;
}

EFI_STATUS efi_read_file(EFI_FILE_HANDLE dir, CHAR16 *path, hpa_t *addr, uint64_t *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st;

	st = uefi_call_wrapper(dir->Open, 5, dir, &f, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	st = read_open_file(f, addr, size);
	uefi_call_wrapper(f->Close, 1, f);
	return st;
}

static void load_one(EFI_FILE_HANDLE dir, EFI_FILE_INFO *info, struct boot_info *bi)
{
	struct boot_file *bf;
	char name[BOOTINFO_FILE_NAME_MAX];
	EFI_STATUS st;

	if (!efi_to_ascii(info->FileName, name, sizeof(name)) ||
	    bi->nfiles == BOOTINFO_MAX_FILES) {
		Print(L"hv: skipping guests/%s (name or count limit)\n", info->FileName);
		bi->files_skipped++;
		return;
	}
	bf = &bi->files[bi->nfiles];
	st = efi_read_file(dir, info->FileName, &bf->addr, &bf->size);
	if (EFI_ERROR(st)) {
		Print(L"hv: cannot read guests/%s: %r\n", info->FileName, st);
		bi->files_skipped++;
		return;
	}
	CopyMem(bf->name, name, sizeof(name));
	bi->nfiles++;
}

void efi_load_guest_files(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	/* EFI_FILE_INFO plus a file name of up to 255 UCS-2 characters */
	UINT8 buf[SIZE_OF_EFI_FILE_INFO + 512] __attribute__((aligned(8)));
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	EFI_FILE_HANDLE dir;
	EFI_STATUS st;
	UINTN len;

	st = uefi_call_wrapper(root->Open, 5, root, &dir, L"guests", EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return;
	for (;;) {
		/* reading a directory yields one EFI_FILE_INFO per call, 0 bytes at the end (UEFI 2.10 13.5.5) */
		len = sizeof(buf);
		st = uefi_call_wrapper(dir->Read, 3, dir, &len, buf);
		if (EFI_ERROR(st) || len == 0)
			break;
		if (info->Attribute & EFI_FILE_DIRECTORY)
			continue;
		load_one(dir, info, bi);
	}
	uefi_call_wrapper(dir->Close, 1, dir);
}
