/*
 * The little of ACPI the core needs before it has an AML interpreter:
 * how to power off (PM1 control blocks and the \_S5 sleep type) and how
 * to reset (the FADT reset register). Read once at boot, before
 * boot-services memory is reclaimed, and cached.
 */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include "lib/types.h"

/* Generic Address Structure address spaces, ACPI 6.5 table 5.1 */
#define ACPI_SPACE_MEMORY 0
#define ACPI_SPACE_IO 1

struct acpi_info {
	bool rsdp_valid;
	bool have_fadt;
	char oem_id[7];
	uint8_t revision;   /* RSDP revision: 0 for ACPI 1.0, 2 for 2.0+ */
	uint16_t smi_cmd;
	uint8_t acpi_enable;
	uint32_t pm1a_cnt;  /* I/O port, 0 when absent */
	uint32_t pm1b_cnt;
	bool have_s5;
	uint8_t slp_typa, slp_typb;
	bool reset_supported;
	uint8_t reset_space;
	uint64_t reset_addr;
	uint8_t reset_value;
	uint32_t ntables;
};

/* Parse the tables behind rsdp (0: none). Returns 0, or -ENOENT / -EINVAL. */
int acpi_init(hpa_t rsdp);

/* What acpi_init found. */
const struct acpi_info *acpi_get(void);

#endif
