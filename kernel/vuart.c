/*
 * A guest's 16550 UART. Pure: see vuart.h.
 *
 * Register and bit names are the PC16550D data sheet's (National
 * Semiconductor, June 1995). Transmission is instant, so THR
 * and the transmitter shift register are always empty (LSR.THRE and TEMT
 * set) and the THR-empty interrupt is a latch: set when IER.ETBEI turns on
 * or a byte has been sent, cleared when the guest reads IIR reporting it
 * or writes THR. Only the receive-data and THR-empty interrupts are
 * modelled: no line errors occur (overruns show in LSR.OE only) and the
 * modem inputs change only in loopback.
 */
#include <string.h>

#include "kernel/vuart.h"

/* Register offsets, the data sheet's register summary table. */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR VUART_REG_LSR
#define UART_MSR 6
#define UART_SCR 7

#define IER_ERBFI 0x01 /* received data available interrupt */
#define IER_ETBEI 0x02 /* THR empty interrupt */
#define IER_MASK 0x0f  /* bits 7:4 are always 0 */

#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFOS 0xc0 /* bits 7:6 set when FCR0 is set */

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_KEEP 0xc9 /* enable, DMA mode, RX trigger level; 1,2 self-clear */

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08 /* gates the interrupt line on a PC */
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f /* bits 7:5 are always 0 */

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define MSR_DELTAS 0x0f
/* A connected terminal: CTS, DSR and DCD asserted, no ring. */
#define MSR_IDLE_LINES (MSR_CTS | MSR_DSR | MSR_DCD)

/* The reset values are the data sheet's reset configuration table; the
 * divisor is unaffected by reset there, so it starts as firmware leaves it
 * (115200 baud). */
void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t c), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->iir = IIR_NO_INT;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = MSR_IDLE_LINES;
	u->dll = 1;
	u->tx = tx;
	u->ctx = ctx;
}

/* Without FCR0 the UART is a 16450 with a one-byte receive buffer. */
static unsigned vuart_rx_capacity(const struct vuart *u)
{
	return (u->fcr & FCR_ENABLE) ? VUART_RX_FIFO : 1;
}

unsigned vuart_rx_space(const struct vuart *u)
{
	unsigned cap = vuart_rx_capacity(u);

	return u->rx_count >= cap ? 0 : cap - u->rx_count;
}

/* The highest-priority enabled source (interrupt control table), no side effects. */
static uint8_t vuart_pending_source(const struct vuart *u)
{
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_ETBEI) && u->thr_irq)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Keep the LSR.DR and IIR fields in step with the FIFO and interrupt state. */
static void vuart_update(struct vuart *u)
{
	if (u->rx_count)
		u->lsr |= LSR_DR;
	else
		u->lsr &= ~LSR_DR;
	u->iir = vuart_pending_source(u);
	if (u->fcr & FCR_ENABLE)
		u->iir |= IIR_FIFOS;
}

static void vuart_rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static bool vuart_rx_push(struct vuart *u, uint8_t c)
{
	if (!vuart_rx_space(u)) {
		/* The data sheet's overrun: the new character is lost. */
		u->lsr |= LSR_OE;
		u->rx_dropped++;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % VUART_RX_FIFO] = c;
	u->rx_count++;
	u->rx_bytes++;
	vuart_update(u);
	return true;
}

static uint8_t vuart_rx_pop(struct vuart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_RX_FIFO;
	u->rx_count--;
	vuart_update(u);
	return c;
}

/* In loopback the serial input is disconnected (data sheet MCR bit 4). */
bool vuart_receive(struct vuart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		u->rx_dropped++;
		return false;
	}
	return vuart_rx_push(u, c);
}

/* Modem inputs: in loopback they mirror MCR (DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD), otherwise a terminal that is always there. */
static uint8_t vuart_modem_lines(const struct vuart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_IDLE_LINES;
	return ((m & MCR_DTR) ? MSR_DSR : 0) | ((m & MCR_RTS) ? MSR_CTS : 0) |
	       ((m & MCR_OUT1) ? MSR_RI : 0) | ((m & MCR_OUT2) ? MSR_DCD : 0);
}

/* Latch the delta bits for lines that changed; TERI only on RI falling. */
static void vuart_set_modem_lines(struct vuart *u, uint8_t lines)
{
	uint8_t old = u->msr & ~MSR_DELTAS, changed = old ^ lines;
	uint8_t deltas = u->msr & MSR_DELTAS;

	if (changed & MSR_CTS)
		deltas |= MSR_DCTS;
	if (changed & MSR_DSR)
		deltas |= MSR_DDSR;
	if (changed & MSR_DCD)
		deltas |= MSR_DDCD;
	if ((old & MSR_RI) && !(lines & MSR_RI))
		deltas |= MSR_TERI;
	u->msr = lines | deltas;
}

static void vuart_transmit(struct vuart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		vuart_rx_push(u, c);
	} else {
		u->tx_bytes++;
		if (u->tx)
			u->tx(u->ctx, c);
	}
	/* The byte left at once, so THR is empty again: that is the event. */
	u->thr_irq = true;
}

static uint8_t vuart_read_iir(struct vuart *u)
{
	uint8_t iir = u->iir;

	/* Reading IIR while it reports THR empty acknowledges that source. */
	if ((iir & 0x0f) == IIR_THRI) {
		u->thr_irq = false;
		vuart_update(u);
	}
	return iir;
}

static uint8_t vuart_read_lsr(struct vuart *u)
{
	uint8_t lsr = u->lsr;

	u->lsr &= ~LSR_OE;
	/* the transmitter is "still sending" while the host's queue is full */
	return u->tx_busy ? lsr & ~(LSR_THRE | LSR_TEMT) : lsr;
}

static uint8_t vuart_read_msr(struct vuart *u)
{
	uint8_t msr = u->msr;

	u->msr &= ~MSR_DELTAS;
	return msr;
}

uint8_t vuart_read(struct vuart *u, unsigned offset)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case UART_RBR:
		return dlab ? u->dll : vuart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return vuart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return vuart_read_lsr(u);
	case UART_MSR:
		return vuart_read_msr(u);
	case UART_SCR:
		return u->scr;
	default:
		return 0xff; /* nothing decodes there */
	}
}

static void vuart_write_ier(struct vuart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & IER_MASK;
	/* Enabling ETBEI with THR empty (always) raises the interrupt. */
	if ((u->ier & IER_ETBEI) && !(old & IER_ETBEI))
		u->thr_irq = true;
	vuart_update(u);
}

/* Other FCR bits are programmed only while FCR0 is written as 1; changing
 * FCR0 empties the FIFOs (data sheet FCR bits 0 and 1). */
static void vuart_write_fcr(struct vuart *u, uint8_t val)
{
	uint8_t old = u->fcr;

	u->fcr = (val & FCR_ENABLE) ? (val & FCR_KEEP) : 0;
	if ((old ^ u->fcr) & FCR_ENABLE || (u->fcr & FCR_ENABLE && val & FCR_RX_RESET))
		vuart_rx_clear(u);
	vuart_update(u);
}

static void vuart_write_mcr(struct vuart *u, uint8_t val)
{
	u->mcr = val & MCR_MASK;
	vuart_set_modem_lines(u, vuart_modem_lines(u));
}

void vuart_write(struct vuart *u, unsigned offset, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case UART_THR:
		if (dlab) {
			u->dll = val;
		} else {
			u->thr_irq = false;
			vuart_transmit(u, val);
			vuart_update(u);
		}
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			vuart_write_ier(u, val);
		break;
	case UART_FCR:
		vuart_write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		vuart_write_mcr(u, val);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		break; /* LSR and MSR are read-only (writes are factory test) */
	}
}

bool vuart_irq_line(const struct vuart *u)
{
	return (u->mcr & MCR_OUT2) && vuart_pending_source(u) != IIR_NO_INT;
}

void vuart_save(const struct vuart *u, struct gs_uart *s)
{
	*s = (struct gs_uart){
		.ier = u->ier, .iir = u->iir, .lcr = u->lcr, .mcr = u->mcr, .lsr = u->lsr,
		.msr = u->msr, .scr = u->scr, .dll = u->dll, .dlm = u->dlm, .fcr = u->fcr,
		.rx_head = u->rx_head, .rx_count = u->rx_count, .thr_irq = u->thr_irq,
	};
	memcpy(s->rx, u->rx, sizeof(s->rx));
}

void vuart_load(struct vuart *u, const struct gs_uart *s)
{
	u->ier = s->ier;
	u->iir = s->iir;
	u->lcr = s->lcr;
	u->mcr = s->mcr;
	u->lsr = s->lsr;
	u->msr = s->msr;
	u->scr = s->scr;
	u->dll = s->dll;
	u->dlm = s->dlm;
	u->fcr = s->fcr;
	memcpy(u->rx, s->rx, sizeof(u->rx));
	u->rx_head = s->rx_head % VUART_RX_FIFO;
	u->rx_count = MIN(s->rx_count, VUART_RX_FIFO);
	u->thr_irq = s->thr_irq != 0;
}
