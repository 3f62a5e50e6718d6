/*
 * ACPI fixed hardware of the guest PC (see acpi_pm.h). Accesses are
 * taken byte by byte, so a 1-, 2- or 4-byte access at any offset of a
 * block reads and writes what the same bytes would on hardware.
 */
#include "kernel/acpi_pm.h"

static bool in_block(uint16_t port, uint16_t base, unsigned len)
{
	return port >= base && port < base + len;
}

static bool claims_byte(uint16_t port)
{
	return in_block(port, ACPI_PM1A_EVT_BLK, ACPI_PM1_EVT_LEN) ||
	       in_block(port, ACPI_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN) ||
	       in_block(port, ACPI_PM_TMR_BLK, ACPI_PM_TMR_LEN);
}

bool acpi_pm_claims(uint16_t port, unsigned size)
{
	unsigned i;

	/* 0xCF9 alone, byte-wide: a dword at 0xCF8 is the PCI configuration address */
	if (port == ACPI_RESET_PORT)
		return size == 1;
	for (i = 0; i < size; i++)
		if (claims_byte((uint16_t)(port + i)))
			return true;
	return false;
}

/* One byte of the register file. */
static uint8_t read_byte(const struct acpi_pm *pm, uint16_t port, uint64_t ticks)
{
	/* SCI_EN reads as set: the machine is always in ACPI mode (FADT SMI_CMD = 0) */
	uint16_t cnt = (uint16_t)((pm->pm1_cnt & ~ACPI_PM1_SLP_EN) | ACPI_PM1_SCI_EN);

	if (in_block(port, ACPI_PM_TMR_BLK, ACPI_PM_TMR_LEN))
		return (uint8_t)(ticks >> (8 * (port - ACPI_PM_TMR_BLK)));
	if (in_block(port, ACPI_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN))
		return (uint8_t)(cnt >> (8 * (port - ACPI_PM1A_CNT_BLK)));
	if (port == ACPI_PM1A_EVT_BLK + 2 || port == ACPI_PM1A_EVT_BLK + 3)
		return (uint8_t)(pm->pm1_en >> (8 * (port - ACPI_PM1A_EVT_BLK - 2)));
	if (port == ACPI_PM1A_EVT_BLK || port == ACPI_PM1A_EVT_BLK + 1)
		return 0; /* PM1_STS: no event ever pending */
	return port == ACPI_RESET_PORT ? 0 : 0xff;
}

uint32_t acpi_pm_in(const struct acpi_pm *pm, uint16_t port, unsigned size, uint64_t now_ticks)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size && i < 4; i++)
		v |= (uint32_t)read_byte(pm, (uint16_t)(port + i), now_ticks) << (8 * i);
	return v;
}

static void write_byte(struct acpi_pm *pm, uint16_t port, uint8_t b)
{
	unsigned sh;

	if (in_block(port, ACPI_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN)) {
		sh = 8 * (port - ACPI_PM1A_CNT_BLK);
		pm->pm1_cnt = (uint16_t)((pm->pm1_cnt & ~(0xffu << sh)) | (unsigned)b << sh);
		pm->pm1_cnt &= (uint16_t)~ACPI_PM1_CNT_RESERVED;
	} else if (port == ACPI_PM1A_EVT_BLK + 2 || port == ACPI_PM1A_EVT_BLK + 3) {
		sh = 8 * (port - ACPI_PM1A_EVT_BLK - 2);
		pm->pm1_en = (uint16_t)((pm->pm1_en & ~(0xffu << sh)) | (unsigned)b << sh);
	}
	/* PM1_STS bits are write-one-to-clear and none is ever set; the timer is read-only */
}

enum acpi_pm_action acpi_pm_out(struct acpi_pm *pm, uint16_t port, unsigned size, uint32_t val)
{
	bool control = false;
	unsigned i;

	if (port == ACPI_RESET_PORT && size == 1)
		return (val & 0xff) == ACPI_RESET_VALUE ? ACPI_PM_RESET : ACPI_PM_NONE;
	for (i = 0; i < size && i < 4; i++) {
		control |= in_block((uint16_t)(port + i), ACPI_PM1A_CNT_BLK, ACPI_PM1_CNT_LEN);
		write_byte(pm, (uint16_t)(port + i), (uint8_t)(val >> (8 * i)));
	}
	if (!control || !(pm->pm1_cnt & ACPI_PM1_SLP_EN))
		return ACPI_PM_NONE;
	/* SLP_EN is write-only and self-clearing (table 4.16); the sleep happens now */
	pm->pm1_cnt &= (uint16_t)~ACPI_PM1_SLP_EN;
	if (((pm->pm1_cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP)
		return ACPI_PM_POWER_OFF;
	return ACPI_PM_NONE; /* S1-S4 are not offered (no \_S1.._S4 in the DSDT) */
}

uint64_t acpi_pm_timer_ticks(uint64_t tsc, uint64_t tsc_hz)
{
	if (!tsc_hz)
		return 0;
	/* whole seconds and the remainder apart: remainder * 3.58 MHz < 2^64 for tsc_hz < 5e12 */
	return tsc / tsc_hz * ACPI_PM_TIMER_HZ + tsc % tsc_hz * ACPI_PM_TIMER_HZ / tsc_hz;
}
