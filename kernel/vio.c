/*
 * Guest port I/O and platform MMIO dispatch.
 */
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

uint32_t vio_in(struct guest *g, uint16_t port, unsigned size)
{
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

/* ---------------------------------------------------------------- MMIO */

bool vio_mmio_claims(const struct guest *g, gpa_t gpa)
{
	return (gpa & ~(gpa_t)(HPET_PAGE_SIZE - 1)) == HPET_BASE;
}

/* The HPET catches up first, so a read of its status or comparators is current. */
int vio_mmio_read(struct guest *g, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val)
{
	vio_update_timers(g, now);
	return hpet_mmio_read(&g->hpet, (uint32_t)(gpa - HPET_BASE), size, now, val);
}

int vio_mmio_write(struct guest *g, gpa_t gpa, unsigned size, uint64_t val, uint64_t now)
{
	vio_update_timers(g, now);
	return hpet_mmio_write(&g->hpet, (uint32_t)(gpa - HPET_BASE), size, val, now);
}

void vio_update_timers(struct guest *g, uint64_t now)
{
	hpet_update(&g->hpet, now, &g->vcpu.lapic);
}

uint64_t vio_next_deadline(const struct guest *g)
{
	return hpet_next_deadline(&g->hpet);
}
