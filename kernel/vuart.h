/*
 * A guest's 16550 UART (COM1 at 0x3F8), as a pure device model: register
 * reads and writes in, transmitted bytes and interrupt state out.
 *
 * Behaviour follows the PC16550D data sheet: divisor latch behind
 * LCR.DLAB, a 16-byte receive FIFO, LSR.DR while data waits, LSR.THRE and
 * TEMT always set (transmission is instant), IIR reporting the highest
 * pending interrupt (receive data, then THR empty), loopback in MCR bit 4,
 * scratch register. Polling drivers and interrupt-driven ones both work.
 */
#ifndef KERNEL_VUART_H
#define KERNEL_VUART_H

#include "kernel/guest_state.h"
#include "lib/types.h"

#define VUART_COM1_BASE 0x3f8
#define VUART_COM1_IRQ 4
#define VUART_REGS 8
#define VUART_RX_FIFO 16
#define VUART_REG_LSR 5 /* line status register offset */

struct vuart {
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	uint8_t rx[VUART_RX_FIFO];
	uint8_t rx_head, rx_count;
	bool thr_irq; /* THR-empty interrupt latched (cleared by reading IIR or writing THR) */
	void (*tx)(void *ctx, uint8_t c);
	void *ctx;
	/* set by the host when it cannot take output now: LSR.THRE and TEMT
	 * read 0, so a guest that polls LSR before writing waits (flow
	 * control) instead of having its bytes dropped; not guest state */
	bool tx_busy;
	uint64_t tx_bytes, rx_bytes, rx_dropped;
};

/* Reset state; tx receives every byte the guest transmits (not in loopback). */
void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t c), void *ctx);

/* A guest read of register offset (0-7) from the base port. */
uint8_t vuart_read(struct vuart *u, unsigned offset);

/* A guest write of val to register offset (0-7). */
void vuart_write(struct vuart *u, unsigned offset, uint8_t val);

/* Queue a byte for the guest to receive; false (and counted) when the FIFO is full. */
bool vuart_receive(struct vuart *u, uint8_t c);

/* Free space in the receive FIFO. */
unsigned vuart_rx_space(const struct vuart *u);

/* Save the UART's registers and receive FIFO into s, and load them back
 * (the transmit callback stays as it was: it is the host's wiring). */
void vuart_save(const struct vuart *u, struct gs_uart *s);
void vuart_load(struct vuart *u, const struct gs_uart *s);

/* Whether the UART asserts its interrupt line (IER-enabled condition pending, MCR.OUT2 set). */
bool vuart_irq_line(const struct vuart *u);

#endif
