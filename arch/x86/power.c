/*
 * Power off and reset, trying the architectural ways first.
 */
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pit.h"
#include "arch/x86/power.h"

/* PM1 control register bits, ACPI 6.5 table 4.13 */
#define PM1_SCI_EN (1U << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1U << 13)
/* Bochs: writing the string "Shutdown" to this port ends the emulator (iodev/unmapped.cc) */
#define BOCHS_SHUTDOWN_PORT 0x8900
/* Reset Control Register, PIIX/ICH: bit 1 system reset, bit 2 reset CPU */
#define PORT_RESET_CONTROL 0xcf9
#define RESET_CONTROL_HARD 0x06
/* 8042 keyboard controller: command 0xFE pulses the reset line */
#define PORT_KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xfe

static void acpi_enter_s5(const struct acpi_info *a)
{
	int i;

	/* SLP_EN only works in ACPI mode; ask SMM to switch if the firmware has not */
	if (!(inw(a->pm1a_cnt) & PM1_SCI_EN) && a->smi_cmd && a->acpi_enable) {
		outb(a->smi_cmd, a->acpi_enable);
		for (i = 0; i < 100 && !(inw(a->pm1a_cnt) & PM1_SCI_EN); i++)
			pit_wait_ms(10);
	}
	outw(a->pm1a_cnt, (uint16_t)(a->slp_typa << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN);
	if (a->pm1b_cnt)
		outw(a->pm1b_cnt, (uint16_t)(a->slp_typb << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN);
	for (i = 0; i < 50; i++)
		pit_wait_ms(10);
}

void power_off(void)
{
	const struct acpi_info *a = acpi_get();
	const char *s;

	cli();
	if (a->have_fadt && a->have_s5 && a->pm1a_cnt)
		acpi_enter_s5(a);
	for (s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	pit_wait_ms(50);
	sti();
}

static void acpi_reset(const struct acpi_info *a)
{
	if (!a->reset_supported)
		return;
	if (a->reset_space == ACPI_SPACE_IO)
		outb((uint16_t)a->reset_addr, a->reset_value);
	else if (a->reset_space == ACPI_SPACE_MEMORY)
		*(volatile uint8_t *)phys_to_virt(a->reset_addr) = a->reset_value;
	pit_wait_ms(50);
}

NORETURN void power_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	cli();
	acpi_reset(acpi_get());
	/* the keyboard controller first: OVMF under Bochs does not come back from a 0xCF9 hard reset */
	outb(PORT_KBC_COMMAND, KBC_PULSE_RESET);
	pit_wait_ms(50);
	outb(PORT_RESET_CONTROL, 0x02);
	outb(PORT_RESET_CONTROL, RESET_CONTROL_HARD);
	pit_wait_ms(50);
	/* last resort: an exception with no IDT escalates to a triple fault, which resets */
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
	cpu_halt_forever();
}
