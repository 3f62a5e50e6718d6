/*
 * Guest ACPI tables (see acpi_tables.h). Sections and tables cited are
 * the ACPI 6.5 specification's.
 */
#include <string.h>

#include "kernel/acpi_pm.h"
#include "kernel/acpi_tables.h"

#define SDT_HEADER_LEN 36 /* 5.2.6 table 5.4 */
#define SDT_CHECKSUM 9
#define OEM_ID "HVHV  "    /* 6 bytes */
#define OEM_TABLE_ID "HVGUEST " /* 8 bytes */
#define CREATOR_ID "HVHV"

/* RSDP, 5.2.5.3 table 5.3 */
#define RSDP_LEN 36
#define RSDP_V1_LEN 20 /* the part the first checksum covers */
#define RSDP_REVISION 2

/* FADT, 5.2.9 table 5.9 */
#define FADT_LEN 276
#define FADT_REVISION 6
#define FADT_MINOR 5
#define FADT_DSDT 40
#define FADT_PM_PROFILE 45
#define FADT_SCI_INT 46
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM_TMR_BLK 76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK 208
#define PM_PROFILE_UNSPECIFIED 0
#define P_LVL2_NONE 101  /* > 100: no C2 */
#define P_LVL3_NONE 1001 /* > 1000: no C3 */
/* IAPC_BOOT_ARCH, 5.2.9.3 table 5.11 */
#define BOOT_ARCH_VGA_NOT_PRESENT (1U << 2)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1U << 5)
/* FADT flags, table 5.10 */
#define FADT_WBINVD (1U << 0)
#define FADT_PWR_BUTTON (1U << 4) /* set: no fixed-hardware power button */
#define FADT_SLP_BUTTON (1U << 5)
#define FADT_TMR_VAL_EXT (1U << 8) /* the PM timer counts 32 bits */
#define FADT_RESET_REG_SUP (1U << 10)

/* Generic Address Structure, 5.2.3.2 table 5.1 */
#define GAS_LEN 12
#define GAS_SPACE_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* FACS, 5.2.10 table 5.14 */
#define FACS_LEN 64
#define FACS_VERSION_OFF 32
#define FACS_VERSION 2

/* MADT, 5.2.12 tables 5.19-5.21, 5.29 */
#define MADT_REVISION 5
#define MADT_PCAT_COMPAT 1U
#define MADT_LAPIC 0
#define MADT_LAPIC_LEN 8
#define MADT_LAPIC_ENABLED 1U
#define MADT_IOAPIC 1
#define MADT_IOAPIC_LEN 12
#define MADT_ISO 2 /* interrupt source override, ACPI 6.5 5.2.12.5 */
#define MADT_ISO_LEN 10
#define MADT_ISO_LEVEL_HIGH 0x000dU /* MPS INTI flags: active high, level-triggered */
#define MADT_LAPIC_NMI 4 /* ACPI 6.5 5.2.12.7 */
#define MADT_LAPIC_NMI_LEN 6
#define MADT_ALL_PROCESSORS 0xff
#define PIT_GSI 2 /* the PIT's IRQ0 is pin 2 of the I/O APIC, as on every PC since the MP spec */

#define DSDT_REVISION 2 /* 64-bit AML integers */
#define XSDT_REVISION 1
#define RSDT_REVISION 1

/*
 * The DSDT's AML (20.2): Name (\_S5, Package (4) { 5, 5, 0, 0 }) - the
 * S5 sleep type values for PM1a_CNT and PM1b_CNT (7.4.2), then two
 * reserved. NameOp 0x08, NameSeg "_S5_", PackageOp 0x12, PkgLength 8
 * (itself, NumElements and six element bytes), NumElements 4, BytePrefix
 * 0x0A 0x05 twice, ZeroOp twice.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_S5_SLP_TYP, 0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00,
};

static void put(uint8_t *p, size_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put(t, 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put(t, 24, 1, 4);          /* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	put(t, 32, 1, 4);          /* creator revision */
}

static void sdt_sum(uint8_t *t)
{
	uint32_t len = (uint32_t)(t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24);

	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = checksum(t, len);
}

static void gas_io(uint8_t *p, unsigned bits, unsigned access, uint64_t port)
{
	p[0] = GAS_SPACE_IO;
	p[1] = (uint8_t)bits;
	p[2] = 0;                  /* bit offset */
	p[3] = (uint8_t)access;
	put(p, 4, port, 8);
}

static void build_fadt(uint8_t *t, gpa_t base, const struct acpi_tables_opts *o)
{
	uint16_t arch = BOOT_ARCH_VGA_NOT_PRESENT | (o->cmos_rtc ? 0 : BOOT_ARCH_CMOS_RTC_NOT_PRESENT);

	sdt_header(t, "FACP", FADT_LEN, FADT_REVISION);
	/*
	 * FIRMWARE_CTRL must be 0 when X_FIRMWARE_CTRL is set (5.2.9 table
	 * 5.9; Linux lists the FACS twice otherwise); DSDT and X_DSDT may both
	 * be set and agree, for OSes that read only the 32-bit one.
	 */
	put(t, FADT_X_FIRMWARE_CTRL, base + ACPI_OFF_FACS, 8);
	put(t, FADT_DSDT, base + ACPI_OFF_DSDT, 4);
	put(t, FADT_X_DSDT, base + ACPI_OFF_DSDT, 8);
	t[FADT_PM_PROFILE] = PM_PROFILE_UNSPECIFIED;
	put(t, FADT_SCI_INT, ACPI_SCI_IRQ, 2);
	/* SMI_CMD stays 0: no SMM, the machine is in ACPI mode from the start (5.2.9) */
	put(t, FADT_PM1A_EVT_BLK, ACPI_PM1A_EVT_BLK, 4);
	put(t, FADT_PM1A_CNT_BLK, ACPI_PM1A_CNT_BLK, 4);
	put(t, FADT_PM_TMR_BLK, ACPI_PM_TMR_BLK, 4);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	put(t, FADT_P_LVL2_LAT, P_LVL2_NONE, 2);
	put(t, FADT_P_LVL3_LAT, P_LVL3_NONE, 2);
	put(t, FADT_IAPC_BOOT_ARCH, arch, 2);
	put(t, FADT_FLAGS, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_TMR_VAL_EXT |
			   FADT_RESET_REG_SUP, 4);
	gas_io(t + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, ACPI_RESET_PORT);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	gas_io(t + FADT_X_PM1A_EVT_BLK, 8 * ACPI_PM1_EVT_LEN, GAS_ACCESS_WORD, ACPI_PM1A_EVT_BLK);
	gas_io(t + FADT_X_PM1A_CNT_BLK, 8 * ACPI_PM1_CNT_LEN, GAS_ACCESS_WORD, ACPI_PM1A_CNT_BLK);
	gas_io(t + FADT_X_PM_TMR_BLK, 8 * ACPI_PM_TMR_LEN, GAS_ACCESS_DWORD, ACPI_PM_TMR_BLK);
	sdt_sum(t);
}

/* An ISA IRQ that reaches the I/O APIC on another pin or with other flags. */
static uint32_t madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = MADT_ISO;
	e[1] = MADT_ISO_LEN;
	e[2] = 0; /* bus: ISA */
	e[3] = irq;
	put(e, 4, gsi, 4);
	put(e, 8, flags, 2);
	return MADT_ISO_LEN;
}

static uint32_t build_madt(uint8_t *t, const struct acpi_tables_opts *o)
{
	uint32_t len = SDT_HEADER_LEN + 8;

	put(t, SDT_HEADER_LEN, ACPI_LAPIC_BASE, 4);
	put(t, SDT_HEADER_LEN + 4, o->pcat_compat ? MADT_PCAT_COMPAT : 0, 4);
	t[len] = MADT_LAPIC;
	t[len + 1] = MADT_LAPIC_LEN;
	t[len + 2] = 0;            /* ACPI processor UID */
	t[len + 3] = o->apic_id;
	put(t, len + 4, MADT_LAPIC_ENABLED, 4);
	len += MADT_LAPIC_LEN;
	if (o->ioapic) {
		t[len] = MADT_IOAPIC;
		t[len + 1] = MADT_IOAPIC_LEN;
		t[len + 2] = 0;    /* I/O APIC ID */
		put(t, len + 4, ACPI_IOAPIC_BASE, 4);
		put(t, len + 8, 0, 4); /* global system interrupt base */
		len += MADT_IOAPIC_LEN;
		len += madt_iso(t + len, 0, PIT_GSI, 0);
		len += madt_iso(t + len, ACPI_SCI_IRQ, ACPI_SCI_IRQ, MADT_ISO_LEVEL_HIGH);
	}
	/* LINT1 is NMI, as the BIOS's virtual wire left it (MP spec 3.6.2.2) */
	t[len] = MADT_LAPIC_NMI;
	t[len + 1] = MADT_LAPIC_NMI_LEN;
	t[len + 2] = MADT_ALL_PROCESSORS;
	put(t, len + 3, 0, 2); /* flags: conforms to the bus */
	t[len + 5] = 1;        /* LINT1 */
	len += MADT_LAPIC_NMI_LEN;
	sdt_header(t, "APIC", len, MADT_REVISION);
	sdt_sum(t);
	return len;
}

/* RSDT (32-bit entries) and XSDT (64-bit): both list the FADT and the MADT. */
static void build_roots(uint8_t *buf, gpa_t base)
{
	static const uint32_t tables[] = { ACPI_OFF_FADT, ACPI_OFF_MADT };
	uint8_t *r = buf + ACPI_OFF_RSDT, *x = buf + ACPI_OFF_XSDT;
	size_t i;

	sdt_header(r, "RSDT", SDT_HEADER_LEN + 4 * 2, RSDT_REVISION);
	sdt_header(x, "XSDT", SDT_HEADER_LEN + 8 * 2, XSDT_REVISION);
	for (i = 0; i < 2; i++) {
		put(r, SDT_HEADER_LEN + 4 * i, base + tables[i], 4);
		put(x, SDT_HEADER_LEN + 8 * i, base + tables[i], 8);
	}
	sdt_sum(r);
	sdt_sum(x);
}

static void build_rsdp(uint8_t *p, gpa_t base)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	p[15] = RSDP_REVISION;
	put(p, 16, base + ACPI_OFF_RSDT, 4);
	put(p, 20, RSDP_LEN, 4);
	put(p, 24, base + ACPI_OFF_XSDT, 8);
	p[8] = checksum(p, RSDP_V1_LEN);
	p[32] = checksum(p, RSDP_LEN);
}

gpa_t acpi_tables_build(uint8_t *buf, gpa_t base, const struct acpi_tables_opts *o)
{
	uint8_t *facs = buf + ACPI_OFF_FACS, *dsdt = buf + ACPI_OFF_DSDT;

	memset(buf, 0, ACPI_TABLES_SIZE);
	memcpy(facs, "FACS", 4);
	put(facs, 4, FACS_LEN, 4);
	facs[FACS_VERSION_OFF] = FACS_VERSION; /* FACS has no checksum */
	sdt_header(dsdt, "DSDT", SDT_HEADER_LEN + sizeof(dsdt_aml), DSDT_REVISION);
	memcpy(dsdt + SDT_HEADER_LEN, dsdt_aml, sizeof(dsdt_aml));
	sdt_sum(dsdt);
	build_madt(buf + ACPI_OFF_MADT, o);
	build_fadt(buf + ACPI_OFF_FADT, base, o);
	build_roots(buf, base);
	build_rsdp(buf + ACPI_OFF_RSDP, base);
	return base + ACPI_OFF_RSDP;
}
