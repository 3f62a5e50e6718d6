/*
 * ACPI table reading: RSDP -> XSDT/RSDT -> FADT -> DSDT. Layouts from the
 * ACPI 6.5 specification: RSDP 5.2.5.3, SDT header 5.2.6, FADT 5.2.9
 * (table 5.9), PM1 control register 4.8.3.2.1, \_S5 package 7.4.2.
 * Every table's checksum is checked; a bad one is ignored.
 */
#include "arch/x86/acpi.h"
#include "arch/x86/paging.h"
#include "kernel/log.h"
#include <string.h>

#define SDT_HEADER_LEN 36
#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_FLAG_RESET_REG_SUP (1U << 10)
#define AML_PACKAGE_OP 0x12
#define AML_BYTE_PREFIX 0x0a
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define ACPI_TABLE_MAX_LEN (16U << 20)

static struct acpi_info info;

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* The table at pa if its length is sane and its checksum adds up. */
static const uint8_t *sdt_map(hpa_t pa)
{
	const uint8_t *t = phys_to_virt(pa);
	uint32_t len;

	if (!pa)
		return NULL;
	len = rd32(t + 4);
	if (len < SDT_HEADER_LEN || len > ACPI_TABLE_MAX_LEN || !checksum_ok(t, len)) {
		log_warn("acpi: table at 0x%lx has a bad length or checksum; ignored", pa);
		return NULL;
	}
	return t;
}

/* A value from an AML data object (ByteConst, ZeroOp, OneOp, or a bare byte). */
static const uint8_t *aml_byte(const uint8_t *p, const uint8_t *end, uint8_t *out)
{
	if (p >= end)
		return NULL;
	if (*p == AML_BYTE_PREFIX) {
		if (p + 1 >= end)
			return NULL;
		*out = p[1];
		return p + 2;
	}
	*out = *p == AML_ONE_OP ? 1 : *p == AML_ZERO_OP ? 0 : *p;
	return p + 1;
}

/*
 * Find Name(\_S5, Package() {SLP_TYPa, SLP_TYPb, ...}) in the DSDT by its
 * byte pattern. This is the usual shortcut without an AML interpreter;
 * it covers the tables of QEMU, OVMF and common firmware.
 */
static void find_s5(const uint8_t *dsdt)
{
	uint32_t len = rd32(dsdt + 4);
	const uint8_t *end = dsdt + len, *p;

	for (p = dsdt + SDT_HEADER_LEN; p + 4 < end; p++) {
		if (memcmp(p, "_S5_", 4) != 0 || p[4] != AML_PACKAGE_OP)
			continue;
		p += 5;
		p += 1 + (*p >> 6); /* PkgLength: lead byte bits 7:6 count extra bytes */
		p++;                /* NumElements */
		p = aml_byte(p, end, &info.slp_typa);
		if (p && aml_byte(p, end, &info.slp_typb))
			info.have_s5 = true;
		return;
	}
}

static void parse_fadt(const uint8_t *f)
{
	uint32_t len = rd32(f + 4);
	hpa_t dsdt = rd32(f + FADT_DSDT);
	const uint8_t *d;

	info.have_fadt = true;
	info.smi_cmd = (uint16_t)rd32(f + FADT_SMI_CMD);
	info.acpi_enable = f[FADT_ACPI_ENABLE];
	info.pm1a_cnt = rd32(f + FADT_PM1A_CNT_BLK);
	info.pm1b_cnt = rd32(f + FADT_PM1B_CNT_BLK);
	if (len >= FADT_RESET_VALUE + 1) {
		info.reset_supported = rd32(f + FADT_FLAGS) & FADT_FLAG_RESET_REG_SUP;
		info.reset_space = f[FADT_RESET_REG];
		info.reset_addr = rd64(f + FADT_RESET_REG + 4);
		info.reset_value = f[FADT_RESET_VALUE];
	}
	if (len >= FADT_X_DSDT + 8 && rd64(f + FADT_X_DSDT))
		dsdt = rd64(f + FADT_X_DSDT);
	d = sdt_map(dsdt);
	if (d && !memcmp(d, "DSDT", 4))
		find_s5(d);
}

int acpi_init(hpa_t rsdp_pa)
{
	const uint8_t *rsdp = phys_to_virt(rsdp_pa), *root;
	uint32_t i, n, entry;
	bool xsdt;

	if (!rsdp_pa)
		return -ENOENT;
	/* the first 20 bytes carry the ACPI 1.0 checksum */
	if (memcmp(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, 20))
		return -EINVAL;
	info.rsdp_valid = true;
	memcpy(info.oem_id, rsdp + 9, 6);
	info.revision = rsdp[15];
	xsdt = info.revision >= 2 && rd64(rsdp + 24);
	root = sdt_map(xsdt ? rd64(rsdp + 24) : rd32(rsdp + 16));
	if (!root)
		return -EINVAL;
	entry = xsdt ? 8 : 4;
	n = (rd32(root + 4) - SDT_HEADER_LEN) / entry;
	info.ntables = n;
	for (i = 0; i < n; i++) {
		const uint8_t *p = root + SDT_HEADER_LEN + i * entry;
		const uint8_t *t = sdt_map(xsdt ? rd64(p) : rd32(p));

		if (t && !memcmp(t, "FACP", 4))
			parse_fadt(t);
	}
	return 0;
}

const struct acpi_info *acpi_get(void)
{
	return &info;
}
