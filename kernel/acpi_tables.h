/*
 * ACPI tables for a guest PC, built in a buffer for a guest-physical
 * address: RSDP (revision 2), RSDT and XSDT, FADT (revision 6, not
 * hardware-reduced) describing the fixed hardware of kernel/acpi_pm.h,
 * FACS, MADT (one enabled local APIC), and a DSDT holding only \_S5.
 * Pure, arch-neutral byte layout per the ACPI 6.5 specification
 * (chapter 5.2); every checksum is computed.
 */
#ifndef KERNEL_ACPI_TABLES_H
#define KERNEL_ACPI_TABLES_H

#include "lib/types.h"

/* Offsets of the tables inside the area (alignments: RSDP 16, FACS 64, others 8). */
#define ACPI_OFF_RSDP 0x000
#define ACPI_OFF_FACS 0x040
#define ACPI_OFF_RSDT 0x080
#define ACPI_OFF_XSDT 0x0c0
#define ACPI_OFF_FADT 0x100
#define ACPI_OFF_MADT 0x220
#define ACPI_OFF_DSDT 0x280
#define ACPI_TABLES_SIZE 0x300

#define ACPI_LAPIC_BASE 0xfee00000U
#define ACPI_IOAPIC_BASE 0xfec00000U
#define ACPI_SCI_IRQ 9 /* the PC's SCI, as PIIX4/ICH route it */

struct acpi_tables_opts {
	uint8_t apic_id; /* the one processor's local APIC ID */
	/* An I/O APIC at ACPI_IOAPIC_BASE in the MADT, with the PC's
	 * interrupt source overrides (IRQ0 on pin 2, the SCI level-triggered). */
	bool ioapic;
	bool pcat_compat; /* MADT PCAT_COMPAT: a dual 8259 is present */
	bool cmos_rtc;    /* clear: FADT IAPC_BOOT_ARCH says "CMOS RTC not present" */
};

/*
 * Build the tables into buf (ACPI_TABLES_SIZE bytes, zeroed first) as
 * they will sit at guest-physical base (16-byte aligned, below 4 GiB so
 * the 32-bit pointers are valid too). Returns the RSDP's address.
 */
gpa_t acpi_tables_build(uint8_t *buf, gpa_t base, const struct acpi_tables_opts *o);

#endif
