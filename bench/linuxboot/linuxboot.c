/*
 * A UEFI application that boots Linux directly, for bench/linux_boot.py:
 * it loads \vmlinuz from its own volume (the kernel's EFI stub) and
 * starts it with the command line in \cmdline.txt, so the same kernel,
 * initramfs and command line that the hypervisor runs as a guest boot
 * on the bare emulated machine, through the same firmware.
 *
 * UEFI 2.10: EFI_BOOT_SERVICES.LoadImage/StartImage (7.4), the loaded
 * image's LoadOptions (9.1), which Linux's stub reads as its command
 * line (Documentation/admin-guide/efi-stub.rst), initrd= included.
 */
#include <efi.h>
#include <efilib.h>

#define CMDLINE_MAX 1024

/* \cmdline.txt as UCS-2, one line; false when it cannot be read. */
static BOOLEAN read_cmdline(EFI_HANDLE device, CHAR16 *out, UINTN max)
{
	static CHAR8 buf[CMDLINE_MAX];
	EFI_FILE_HANDLE root = LibOpenRoot(device), f;
	UINTN n = sizeof(buf) - 1, i;

	if (!root || uefi_call_wrapper(root->Open, 5, root, &f, L"\\cmdline.txt",
				       EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return FALSE;
	if (uefi_call_wrapper(f->Read, 3, f, &n, buf) != EFI_SUCCESS)
		return FALSE;
	for (i = 0; i < n && i < max - 1 && buf[i] != '\n' && buf[i] != '\r'; i++)
		out[i] = buf[i];
	out[i] = 0;
	return TRUE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static CHAR16 cmdline[CMDLINE_MAX];
	EFI_LOADED_IMAGE *self, *kernel_image;
	EFI_HANDLE kernel;
	EFI_STATUS st;

	InitializeLib(image, systab);
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&self);
	if (st != EFI_SUCCESS || !read_cmdline(self->DeviceHandle, cmdline, CMDLINE_MAX)) {
		Print(L"linuxboot: cannot read \\cmdline.txt\n");
		return EFI_NOT_FOUND;
	}
	st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image,
			       FileDevicePath(self->DeviceHandle, L"\\vmlinuz"), NULL, 0, &kernel);
	if (st != EFI_SUCCESS) {
		Print(L"linuxboot: cannot load \\vmlinuz: %r\n", st);
		return st;
	}
	uefi_call_wrapper(BS->HandleProtocol, 3, kernel, &LoadedImageProtocol,
			  (void **)&kernel_image);
	kernel_image->LoadOptions = cmdline;
	kernel_image->LoadOptionsSize = (UINT32)((StrLen(cmdline) + 1) * sizeof(CHAR16));
	Print(L"linuxboot: starting \\vmlinuz %s\n", cmdline);
	st = uefi_call_wrapper(BS->StartImage, 3, kernel, NULL, NULL);
	Print(L"linuxboot: \\vmlinuz returned %r\n", st);
	return st;
}
