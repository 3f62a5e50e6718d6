/*
 * Unit tests for kernel/acpi_tables.c and kernel/acpi_pm.c. The tables
 * are walked back the way an OS finds them (RSDP -> XSDT/RSDT -> FADT ->
 * FACS/DSDT, MADT), every checksum checked, with offsets from ACPI 6.5
 * typed in here. The PM block is driven the way Linux's ACPICA does for
 * a power-off (SLP_TYP, then SLP_EN) and a reset.
 */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/acpi_pm.h"
#include "kernel/acpi_tables.h"

#define BASE 0xe0000ULL

static uint8_t area[ACPI_TABLES_SIZE];

static uint64_t get(const uint8_t *p, size_t off, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[off + n];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The table at guest address a, after checking it lies in the area and sums to 0. */
static const uint8_t *table_at(uint64_t a, const char *sig)
{
	const uint8_t *t;
	uint64_t len;

	if (a < BASE || a + 36 > BASE + sizeof(area))
		return NULL;
	t = area + (a - BASE);
	len = get(t, 4, 4);
	if (memcmp(t, sig, 4) || a + len > BASE + sizeof(area) || sum(t, len))
		return NULL;
	return t;
}

static void build(bool ioapic)
{
	struct acpi_tables_opts o = { 0, ioapic, false, false };

	memset(area, 0xcc, sizeof(area));
	acpi_tables_build(area, BASE, &o);
}

TEST rsdp_revision_2_with_both_checksums(void)
{
	struct acpi_tables_opts o = { 0, false, false, false };

	ASSERT_EQ(BASE, acpi_tables_build(area, BASE, &o));
	ASSERT_MEM_EQ("RSD PTR ", area, 8);
	ASSERT_EQ(0, sum(area, 20));
	ASSERT_EQ(0, sum(area, 36));
	ASSERT_EQ(2, area[15]);
	ASSERT_EQ(36, get(area, 20, 4));
	PASS();
}

TEST xsdt_and_rsdt_list_fadt_and_madt(void)
{
	const uint8_t *x, *r;

	build(false);
	x = table_at(get(area, 24, 8), "XSDT");
	r = table_at(get(area, 16, 4), "RSDT");
	ASSERT(x && r);
	ASSERT_EQ(36 + 16, get(x, 4, 4));
	ASSERT_EQ(36 + 8, get(r, 4, 4));
	ASSERT(table_at(get(x, 36, 8), "FACP"));
	ASSERT(table_at(get(x, 44, 8), "APIC"));
	ASSERT_EQ(get(x, 36, 8), get(r, 36, 4));
	ASSERT_EQ(get(x, 44, 8), get(r, 40, 4));
	PASS();
}

TEST fadt_describes_the_fixed_hardware(void)
{
	const uint8_t *f;

	build(false);
	f = table_at(BASE + ACPI_OFF_FADT, "FACP");
	ASSERT(f);
	ASSERT_EQ(276, get(f, 4, 4));
	ASSERT_EQ(6, f[8]);
	ASSERT_EQ(9, get(f, 46, 2));            /* SCI_INT */
	ASSERT_EQ(0, get(f, 48, 4));            /* SMI_CMD: always in ACPI mode */
	ASSERT_EQ(0x600, get(f, 56, 4));        /* PM1a_EVT_BLK */
	ASSERT_EQ(0x604, get(f, 64, 4));        /* PM1a_CNT_BLK */
	ASSERT_EQ(0x608, get(f, 76, 4));        /* PM_TMR_BLK */
	ASSERT_EQ(4, f[88]);
	ASSERT_EQ(2, f[89]);
	ASSERT_EQ(4, f[91]);
	ASSERT(get(f, 112, 4) & (1U << 8));     /* TMR_VAL_EXT */
	ASSERT(get(f, 112, 4) & (1U << 10));    /* RESET_REG_SUP */
	ASSERT_FALSE(get(f, 112, 4) & (1U << 20)); /* not HW_REDUCED_ACPI */
	ASSERT_EQ(1, f[116]);                   /* reset register in I/O space */
	ASSERT_EQ(8, f[117]);
	ASSERT_EQ(0xcf9, get(f, 120, 8));
	ASSERT_EQ(6, f[128]);                   /* RESET_VALUE */
	ASSERT(get(f, 109, 2) & (1U << 5));     /* CMOS RTC not present */
	ASSERT_EQ(0x600, get(f, 152, 8));       /* X_PM1a_EVT_BLK address */
	ASSERT_EQ(0x604, get(f, 176, 8));       /* X_PM1a_CNT_BLK */
	ASSERT_EQ(0x608, get(f, 212, 8));       /* X_PM_TMR_BLK */
	ASSERT_EQ(32, f[209]);                  /* its bit width */
	ASSERT_EQ(0, get(f, 36, 4));            /* FIRMWARE_CTRL 0: X_FIRMWARE_CTRL rules */
	ASSERT_EQ(BASE + ACPI_OFF_FACS, get(f, 132, 8));
	ASSERT_EQ(get(f, 40, 4), get(f, 140, 8)); /* DSDT likewise */
	PASS();
}

TEST facs_and_dsdt_with_s5(void)
{
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				      0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	const uint8_t *f, *d, *facs;

	build(false);
	f = table_at(BASE + ACPI_OFF_FADT, "FACP");
	ASSERT(f);
	d = table_at(get(f, 140, 8), "DSDT");
	ASSERT(d);
	ASSERT_EQ(36 + sizeof(s5), get(d, 4, 4));
	ASSERT_EQ(2, d[8]);
	ASSERT_MEM_EQ(s5, d + 36, sizeof(s5));
	ASSERT_EQ(0, get(f, 132, 8) % 64);      /* FACS 64-byte aligned */
	facs = area + (get(f, 132, 8) - BASE);
	ASSERT_MEM_EQ("FACS", facs, 4);
	ASSERT_EQ(64, get(facs, 4, 4));
	PASS();
}

/* The LAPIC NMI entry (type 4): all processors, LINT1. */
static int lapic_nmi_at(const uint8_t *m, size_t at)
{
	return m[at] == 4 && m[at + 1] == 6 && m[at + 2] == 0xff && m[at + 5] == 1;
}

TEST madt_one_enabled_lapic_ioapic_only_on_request(void)
{
	const uint8_t *m;

	build(false);
	m = table_at(BASE + ACPI_OFF_MADT, "APIC");
	ASSERT(m);
	ASSERT_EQ(36 + 8 + 8 + 6, get(m, 4, 4));
	ASSERT_EQ(0xfee00000, get(m, 36, 4));
	ASSERT_EQ(0, get(m, 40, 4));            /* no PCAT_COMPAT: no 8259 modelled */
	ASSERT_EQ(0, m[44]);                    /* processor local APIC */
	ASSERT_EQ(8, m[45]);
	ASSERT_EQ(0, m[47]);                    /* APIC ID */
	ASSERT_EQ(1, get(m, 48, 4));            /* enabled */
	ASSERT(lapic_nmi_at(m, 52));
	build(true);
	m = table_at(BASE + ACPI_OFF_MADT, "APIC");
	ASSERT(m);
	ASSERT_EQ(36 + 8 + 8 + 12 + 10 + 10 + 6, get(m, 4, 4));
	ASSERT_EQ(1, m[52]);                    /* I/O APIC */
	ASSERT_EQ(12, m[53]);
	ASSERT_EQ(0xfec00000, get(m, 56, 4));
	ASSERT_EQ(0, get(m, 60, 4));            /* GSI base */
	/* IRQ0 -> GSI 2, flags conforming; SCI IRQ9 -> GSI 9, level, active high */
	ASSERT_EQ(2, m[64]);
	ASSERT_EQ(10, m[65]);
	ASSERT_EQ(0, m[67]);
	ASSERT_EQ(2, get(m, 68, 4));
	ASSERT_EQ(0, get(m, 72, 2));
	ASSERT_EQ(2, m[74]);
	ASSERT_EQ(9, m[77]);
	ASSERT_EQ(9, get(m, 78, 4));
	ASSERT_EQ(0xd, get(m, 82, 2));
	ASSERT(lapic_nmi_at(m, 84));
	PASS();
}

TEST tables_fit_their_area_and_checksums_hold_anywhere(void)
{
	struct acpi_tables_opts o = { 3, true, true, true };
	const uint8_t *m;

	ASSERT(ACPI_OFF_MADT + 36 + 8 + 8 + 12 + 10 + 10 + 6 <= ACPI_OFF_DSDT);
	ASSERT(ACPI_OFF_DSDT + 36 + 14 <= ACPI_TABLES_SIZE);
	acpi_tables_build(area, 0x7ff0000, &o);
	ASSERT_EQ(0, sum(area, 36));
	ASSERT_EQ(0, sum(area + ACPI_OFF_FADT, 276));
	ASSERT_EQ(0x7ff0000 + ACPI_OFF_XSDT, get(area, 24, 8));
	m = area + ACPI_OFF_MADT;
	ASSERT_EQ(1, get(m, 40, 4));            /* PCAT_COMPAT on request */
	ASSERT_EQ(3, m[47]);
	ASSERT_FALSE(get(area + ACPI_OFF_FADT, 109, 2) & (1U << 5));
	PASS();
}

/* ------------------------------------------------------------ PM block */

TEST s5_through_pm1a_cnt_powers_off(void)
{
	struct acpi_pm pm = { 0, 0 };

	/* ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN */
	ASSERT_EQ(ACPI_PM_NONE, acpi_pm_out(&pm, 0x604, 2, 5 << 10));
	ASSERT_EQ(ACPI_PM_POWER_OFF, acpi_pm_out(&pm, 0x604, 2, (5 << 10) | (1 << 13)));
	ASSERT_EQ(0, pm.pm1_cnt & (1 << 13));   /* SLP_EN self-clears */
	/* the high byte alone does it too */
	ASSERT_EQ(ACPI_PM_POWER_OFF, acpi_pm_out(&pm, 0x605, 1, ((5 << 10) | (1 << 13)) >> 8));
	PASS();
}

TEST other_sleep_types_do_nothing(void)
{
	struct acpi_pm pm = { 0, 0 };

	ASSERT_EQ(ACPI_PM_NONE, acpi_pm_out(&pm, 0x604, 2, (1 << 10) | (1 << 13)));
	ASSERT_EQ(ACPI_PM_NONE, acpi_pm_out(&pm, 0x604, 2, 5 << 10)); /* no SLP_EN */
	ASSERT_EQ(ACPI_PM_NONE, acpi_pm_out(&pm, 0x600, 4, 0xffffffff)); /* event block */
	PASS();
}

TEST reserved_control_bits_read_as_zero(void)
{
	struct acpi_pm pm = { 0, 0 };

	acpi_pm_out(&pm, 0x604, 2, 0xc000 | (1 << 10));
	ASSERT_EQ(0, pm.pm1_cnt & 0xc000); /* what the guest-state record may hold */
	ASSERT_EQ(0x0401, acpi_pm_in(&pm, 0x604, 2, 0));
	PASS();
}

TEST reset_register(void)
{
	struct acpi_pm pm = { 0, 0 };

	ASSERT_EQ(ACPI_PM_RESET, acpi_pm_out(&pm, 0xcf9, 1, 0x06));
	ASSERT_EQ(ACPI_PM_NONE, acpi_pm_out(&pm, 0xcf9, 1, 0x02));
	ASSERT(acpi_pm_claims(0xcf9, 1));
	ASSERT_FALSE(acpi_pm_claims(0xcf8, 4)); /* PCI configuration address */
	ASSERT_FALSE(acpi_pm_claims(0xcf9, 2));
	PASS();
}

TEST reads_of_the_blocks(void)
{
	struct acpi_pm pm = { 0, 0 };

	ASSERT_EQ(1, acpi_pm_in(&pm, 0x604, 2, 0));     /* SCI_EN */
	acpi_pm_out(&pm, 0x602, 2, 0x0121);
	ASSERT_EQ(0x0121, acpi_pm_in(&pm, 0x602, 2, 0)); /* PM1_EN kept */
	ASSERT_EQ(0x01210000, acpi_pm_in(&pm, 0x600, 4, 0)); /* PM1_STS reads 0 */
	ASSERT_EQ(0x89abcdef, acpi_pm_in(&pm, 0x608, 4, 0x1289abcdefULL)); /* 32 bits */
	ASSERT_EQ(0xcd, acpi_pm_in(&pm, 0x609, 1, 0x1289abcdefULL));
	acpi_pm_out(&pm, 0x604, 2, 5 << 10);
	ASSERT_EQ(0x14, acpi_pm_in(&pm, 0x605, 1, 0));   /* SLP_TYP in the high byte */
	ASSERT_EQ(0, acpi_pm_in(&pm, 0xcf9, 1, 0));      /* reset register */
	ASSERT_EQ(0x0000ffff, acpi_pm_in(&pm, 0x5fe, 4, 0)); /* bytes outside: all ones */
	ASSERT(acpi_pm_claims(0x60b, 1));
	ASSERT(acpi_pm_claims(0x5fe, 4));               /* overlaps PM1_STS */
	ASSERT_FALSE(acpi_pm_claims(0x60c, 1));
	ASSERT_FALSE(acpi_pm_claims(0x5fc, 4));
	PASS();
}

TEST pm_timer_rate(void)
{
	ASSERT_EQ(3579545ULL, acpi_pm_timer_ticks(2000000000ULL, 2000000000ULL));
	ASSERT_EQ(1789772ULL, acpi_pm_timer_ticks(1000000000ULL, 2000000000ULL));
	ASSERT_EQ(3579545ULL * 86400 * 365, acpi_pm_timer_ticks(2000000000ULL * 86400 * 365,
								 2000000000ULL));
	ASSERT_EQ(0, acpi_pm_timer_ticks(12345, 0));
	PASS();
}

SUITE(acpi)
{
	SHUFFLED_TESTS({
		RUN_TEST(rsdp_revision_2_with_both_checksums);
		RUN_TEST(xsdt_and_rsdt_list_fadt_and_madt);
		RUN_TEST(fadt_describes_the_fixed_hardware);
		RUN_TEST(facs_and_dsdt_with_s5);
		RUN_TEST(madt_one_enabled_lapic_ioapic_only_on_request);
		RUN_TEST(tables_fit_their_area_and_checksums_hold_anywhere);
		RUN_TEST(s5_through_pm1a_cnt_powers_off);
		RUN_TEST(other_sleep_types_do_nothing);
		RUN_TEST(reserved_control_bits_read_as_zero);
		RUN_TEST(reset_register);
		RUN_TEST(reads_of_the_blocks);
		RUN_TEST(pm_timer_rate);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({ RUN_SUITE(acpi); });
	GREATEST_MAIN_END();
}
