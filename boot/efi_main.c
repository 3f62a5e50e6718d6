/*
 * UEFI entry: gather what the core needs into one struct boot_info, leave
 * boot services, and jump into the core. Nothing after ExitBootServices
 * may call the firmware, and nothing may allocate or print between the
 * last GetMemoryMap and ExitBootServices, or the map key goes stale.
 */
#include <efi.h>
#include <efilib.h>
#include "boot/efi_files.h"
#include "kernel/bootinfo.h"
#include "kernel/main.h"

#define EXIT_BOOT_SERVICES_TRIES 8

/* Called by gnu-efi's crt0 (_start) after it has relocated the image. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

static struct boot_info boot_info;
/* The memory map, read into the image so no allocation can change it. */
static UINT8 memmap_buf[128 * 1024] __attribute__((aligned(16)));

static void find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	EFI_GUID acpi10 = ACPI_TABLE_GUID;
	UINTN i;

	/* prefer the ACPI 2.0+ RSDP (it carries the XSDT), UEFI 2.10 4.6 */
	for (i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareGuid(&t->VendorGuid, &acpi20)) {
			bi->rsdp = (hpa_t)t->VendorTable;
			bi->rsdp_revision = 2;
			return;
		}
		if (!CompareGuid(&t->VendorGuid, &acpi10) && !bi->rsdp) {
			bi->rsdp = (hpa_t)t->VendorTable;
			bi->rsdp_revision = 1;
		}
	}
}

static void load_files(EFI_LOADED_IMAGE *li, struct boot_info *bi)
{
	EFI_FILE_HANDLE root = LibOpenRoot(li->DeviceHandle);
	EFI_STATUS st;

	if (!root) {
		Print(L"hv: cannot open the boot volume; no hv.cfg, no guests\n");
		return;
	}
	st = efi_read_file(root, L"hv.cfg", &bi->config, &bi->config_size);
	if (EFI_ERROR(st)) {
		if (st != EFI_NOT_FOUND)
			Print(L"hv: cannot read hv.cfg: %r\n", st);
		bi->config = 0;
		bi->config_size = 0;
	}
	efi_load_guest_files(root, bi);
	uefi_call_wrapper(root->Close, 1, root);
}

static void convert_memmap(struct boot_info *bi, UINTN size, UINTN desc_size)
{
	UINTN off;

	bi->nregions = 0;
	for (off = 0; off + desc_size <= size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(memmap_buf + off);
		struct mem_region *r;

		if (bi->nregions == BOOTINFO_MAX_REGIONS)
			break;
		r = &bi->regions[bi->nregions++];
		r->base = d->PhysicalStart;
		r->pages = d->NumberOfPages;
		r->efi_type = d->Type;
		r->kind = memmap_kind_from_efi(d->Type);
	}
}

/*
 * ExitBootServices fails with EFI_INVALID_PARAMETER when the map changed
 * since GetMemoryMap (UEFI 2.10 7.4.6); read the map again and retry.
 */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN size, key, desc_size;
	UINT32 desc_version;
	EFI_STATUS st = EFI_LOAD_ERROR;
	int tries;

	for (tries = 1; tries <= EXIT_BOOT_SERVICES_TRIES; tries++) {
		size = sizeof(memmap_buf);
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size,
				       (EFI_MEMORY_DESCRIPTOR *)memmap_buf, &key,
				       &desc_size, &desc_version);
		if (EFI_ERROR(st))
			return st;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st)) {
			bi->exit_attempts = tries;
			convert_memmap(bi, size, desc_size);
			return EFI_SUCCESS;
		}
	}
	return st;
}

/* The firmware's clock, for the guests' RTCs (kernel/vrtc.c). */
static void read_wall_clock(struct boot_info *bi)
{
	EFI_TIME t;

	if (EFI_ERROR(uefi_call_wrapper(RT->GetTime, 2, &t, NULL)) || t.Month < 1 ||
	    t.Month > 12 || t.Day < 1 || t.Day > 31 || t.Hour > 23 || t.Minute > 59 ||
	    t.Second > 59)
		return;
	bi->wall = (struct boot_wall_clock){ .year = t.Year, .month = t.Month, .day = t.Day,
					     .hour = t.Hour, .minute = t.Minute,
					     .second = t.Second, .valid = 1,
					     .tsc = __builtin_ia32_rdtsc() };
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct boot_info *bi = &boot_info;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st;

	InitializeLib(image, systab);
	Print(L"hv: UEFI stage\n");
	bi->magic = BOOTINFO_MAGIC;
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st)) {
		Print(L"hv: no loaded-image protocol: %r\n", st);
		return st;
	}
	bi->image_base = (hpa_t)li->ImageBase;
	bi->image_size = li->ImageSize;
	bi->firmware_revision = ST->FirmwareRevision;
	if (ST->FirmwareVendor &&
	    !efi_to_ascii(ST->FirmwareVendor, bi->firmware_vendor, sizeof(bi->firmware_vendor)))
		bi->firmware_vendor[0] = 0;
	find_rsdp(bi);
	read_wall_clock(bi);
	load_files(li, bi);
	Print(L"hv: %d guest file(s), leaving boot services\n", bi->nfiles);

	st = exit_boot_services(image, bi);
	if (EFI_ERROR(st)) {
		Print(L"hv: ExitBootServices failed: %r\n", st);
		return st;
	}
	kernel_enter(bi);
}
