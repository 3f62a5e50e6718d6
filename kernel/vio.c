/*
 * Guest port I/O dispatch.
 */
#include "arch/x86/cpu.h"
#include "kernel/acpi_pm.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/vio.h"

#define PIC1_CMD 0x20
#define PIC2_CMD 0xa0
#define PORT_POST 0x80 /* POST code / delay port: writes are a normal part of PC code */

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffU : (1U << (size * 8)) - 1;
}

static bool is_uart(uint16_t port)
{
	return port >= VUART_COM1_BASE && port < VUART_COM1_BASE + VUART_REGS;
}

bool vio_take_yield(struct guest *g)
{
	bool y = g->uart_yield;

	g->uart_yield = false;
	return y;
}

/* The PM timer's count now: the guest's TSC converted to 3.579545 MHz ticks. */
static uint64_t pm_timer_now(struct guest *g)
{
	return acpi_pm_timer_ticks(vcpu_guest_tsc(&g->vcpu, rdtsc()), g->vcpu.lapic.tsc_hz);
}

/* A write to the ACPI fixed hardware; false when it ended the guest. */
static bool acpi_out(struct guest *g, uint16_t port, unsigned size, uint32_t val)
{
	switch (acpi_pm_out(&g->pm, port, size, val)) {
	case ACPI_PM_POWER_OFF:
		guest_stop(g, "powered off (ACPI S5 through PM1a_CNT)");
		return false;
	case ACPI_PM_RESET:
		/* no warm restart yet: a reset ends the guest, said as such */
		guest_stop(g, "reset (ACPI reset register 0x%x), not restarted", ACPI_RESET_PORT);
		return false;
	default:
		return true;
	}
}

uint32_t vio_in(struct guest *g, uint16_t port, unsigned size)
{
	if (acpi_pm_claims(port, size))
		return acpi_pm_in(&g->pm, port, size, pm_timer_now(g));
	if (is_uart(port) && size == 1) {
		g->uart.tx_busy = guest_console_full(g);
		/* a guest waiting for the transmitter gives the CPU back, so the
		 * main loop comes round and feeds the real UART */
		g->uart_yield |= g->uart.tx_busy && port - VUART_COM1_BASE == VUART_REG_LSR;
		return vuart_read(&g->uart, port - VUART_COM1_BASE);
	}
	if (port == VIO_PIC1_DATA && size == 1)
		return g->pic.mask[0];
	if (port == VIO_PIC2_DATA && size == 1)
		return g->pic.mask[1];
	if ((port == PIC1_CMD || port == PIC2_CMD) && size == 1)
		return 0; /* no interrupt in service: the PIC is masked and silent */
	g->unclaimed_io++;
	return all_ones(size);
}

bool vio_out(struct guest *g, uint16_t port, unsigned size, uint32_t val)
{
	if (port == VIO_EXIT_PORT) {
		g->exited = true;
		g->exit_status = val & all_ones(size);
		guest_stop(g, "exited with status %u", g->exit_status);
		return false;
	}
	if (acpi_pm_claims(port, size))
		return acpi_out(g, port, size, val);
	if (is_uart(port) && size == 1) {
		vuart_write(&g->uart, port - VUART_COM1_BASE, (uint8_t)val);
		return true;
	}
	if (port == VIO_PIC1_DATA && size == 1) {
		g->pic.mask[0] = (uint8_t)val;
		return true;
	}
	if (port == VIO_PIC2_DATA && size == 1) {
		g->pic.mask[1] = (uint8_t)val;
		return true;
	}
	if (port == PIC1_CMD || port == PIC2_CMD || port == PORT_POST)
		return true; /* initialization words and POST codes: accepted, no effect */
	g->unclaimed_io++;
	return true;
}
