/*
 * Guest port I/O and platform MMIO dispatch, and the wiring of the
 * board's interrupt sources to the vCPU: the PC devices' and the HPET's
 * timers, and the 8259's INTR, which reaches the CPU through LINT0
 * (kernel/pcdev.h, kernel/hpet.h, kernel/vcpu.h).
 */
#include "arch/x86/cpu.h"
#include "kernel/acpi_pm.h"
#include "kernel/guest.h"
#include "kernel/log.h"
#include "kernel/vio.h"

#define PORT_POST 0x80 /* POST code / delay port: writes are a normal part of PC code */

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffU : (1U << (size * 8)) - 1;
}

static bool is_uart(uint16_t port)
{
	return port >= VUART_COM1_BASE && port < VUART_COM1_BASE + VUART_REGS;
}

static uint64_t guest_now(const struct guest *g)
{
	return vcpu_guest_tsc(&g->vcpu, rdtsc());
}

/* COM1's interrupt line is IRQ4 (a level as the UART drives it). */
static void uart_irq(struct guest *g)
{
	pcdev_set_irq(&g->pc, VUART_COM1_IRQ, vuart_irq_line(&g->uart));
}

/* An I/O APIC message reaches the local APIC as an MSI does (82093AA 2.3:
 * on the APIC bus; on later chipsets as an upstream memory write). */
static void ioapic_deliver(void *ctx, const struct vioapic_msg *m)
{
	struct guest *g = ctx;
	uint64_t addr;
	uint32_t data;

	vioapic_msg_to_msi(m, &addr, &data);
	vlapic_deliver_msi(&g->vcpu.lapic, addr, data);
}

static void lapic_level_eoi(void *ctx, uint8_t vector)
{
	struct guest *g = ctx;

	vioapic_eoi(&g->pc.ioapic, vector);
}

void vio_wire_interrupts(struct guest *g)
{
	g->pc.ioapic.deliver = ioapic_deliver;
	g->pc.ioapic.ctx = g;
	g->vcpu.lapic.level_eoi = lapic_level_eoi;
	g->vcpu.lapic.level_eoi_ctx = g;
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
		guest_request_reset(g, "reset through the ACPI reset register 0x%x", ACPI_RESET_PORT);
		return false;
	default:
		return true;
	}
}

uint32_t vio_in(struct guest *g, uint16_t port, unsigned size)
{
	uint8_t val;

	if (acpi_pm_claims(port, size))
		return acpi_pm_in(&g->pm, port, size, pm_timer_now(g));
	if (is_uart(port) && size == 1) {
		g->uart.tx_busy = guest_console_full(g);
		/* a guest waiting for the transmitter gives the CPU back, so the
		 * main loop comes round and feeds the real UART */
		g->uart_yield |= g->uart.tx_busy && port - VUART_COM1_BASE == VUART_REG_LSR;
		val = vuart_read(&g->uart, port - VUART_COM1_BASE);
		uart_irq(g);
		return val;
	}
	if (pcdev_is_port(port) && size == 1)
		return pcdev_read(&g->pc, port, guest_now(g));
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
		uart_irq(g);
		return true;
	}
	if (pcdev_is_port(port) && size == 1) {
		if (!pcdev_write(&g->pc, port, (uint8_t)val, guest_now(g)))
			return true;
		/* a reset, as the PC's board does it; a triple fault still stops the
		 * guest (arch/x86/vmexit.c): that is a crash, not a request */
		guest_request_reset(g, "reset by the guest (port 0x%x value 0x%02x)", port,
				    val & 0xff);
		return false;
	}
	if (port == PORT_POST)
		return true; /* POST codes: accepted, no effect */
	g->unclaimed_io++;
	return true;
}

/* ---------------------------------------------------------------- MMIO */

bool vio_mmio_claims(const struct guest *g, gpa_t gpa)
{
	return (gpa & ~(gpa_t)(HPET_PAGE_SIZE - 1)) == HPET_BASE || vioapic_claims(gpa);
}

/* The I/O APIC's registers are 32 bits wide, at 16-byte strides (82093AA 3.0). */
static int ioapic_access_ok(gpa_t gpa, unsigned size)
{
	return size == 4 && !(gpa & 3) ? 0 : -EINVAL;
}

/* The HPET catches up first, so a read of its status or comparators is current. */
int vio_mmio_read(struct guest *g, gpa_t gpa, unsigned size, uint64_t now, uint64_t *val)
{
	if (vioapic_claims(gpa)) {
		*val = 0;
		if (ioapic_access_ok(gpa, size))
			return -EINVAL;
		*val = vioapic_read(&g->pc.ioapic, (uint32_t)(gpa - VIOAPIC_BASE));
		return 0;
	}
	vio_update_timers(g, now);
	return hpet_mmio_read(&g->hpet, (uint32_t)(gpa - HPET_BASE), size, now, val);
}

int vio_mmio_write(struct guest *g, gpa_t gpa, unsigned size, uint64_t val, uint64_t now)
{
	if (vioapic_claims(gpa)) {
		if (ioapic_access_ok(gpa, size))
			return -EINVAL;
		vioapic_write(&g->pc.ioapic, (uint32_t)(gpa - VIOAPIC_BASE), (uint32_t)val);
		return 0;
	}
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

/* ---------------------------------------------------------------- the board's timers and INTR */

void vcpu_board_update(struct vcpu *v, uint64_t now)
{
	pcdev_update(&v->guest->pc, now);
	vio_update_timers(v->guest, now);
	uart_irq(v->guest); /* bytes from the host may have arrived */
}

/* The earlier of the PIT's next IRQ0 and the HPET's next match; 0 for none. */
uint64_t vcpu_board_deadline(const struct vcpu *v)
{
	uint64_t pit = pcdev_next_event(&v->guest->pc), hpet = vio_next_deadline(v->guest);

	return !pit ? hpet : !hpet ? pit : MIN(pit, hpet);
}

int vcpu_extint_pending(const struct vcpu *v)
{
	if (!vlapic_extint_routed(&v->lapic))
		return -1;
	return vpic_pending_vector(&v->guest->pc.pic);
}

uint8_t vcpu_extint_ack(struct vcpu *v)
{
	return vpic_ack(&v->guest->pc.pic);
}
