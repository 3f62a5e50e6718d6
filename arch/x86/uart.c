/*
 * 16550 UART driver, polled. Register layout: the PC16550D data sheet
 * (National Semiconductor), the same model QEMU and Bochs emulate.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/uart.h"

#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear both */
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

#define UART_CLOCK_DIVISOR_115200 1 /* 1.8432 MHz / 16 / 115200 */
#define UART_TX_SPIN_LIMIT 1000000
#define UART_TX_FIFO 16

static bool present;

bool uart_init(void)
{
	uint16_t base = UART_COM1;

	/* the scratch register holds what we write if a UART is there */
	outb(base + UART_SCR, 0x5a);
	present = inb(base + UART_SCR) == 0x5a;
	if (!present)
		return false;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, UART_CLOCK_DIVISOR_115200);
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, LCR_8N1);
	outb(base + UART_FCR, FCR_ENABLE_CLEAR);
	outb(base + UART_MCR, MCR_DTR_RTS_OUT2);
	return true;
}

static void put_byte(uint8_t c)
{
	int spin;

	/* bounded wait: a wedged UART must not hang the hypervisor */
	for (spin = 0; spin < UART_TX_SPIN_LIMIT; spin++)
		if (inb(UART_COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(UART_COM1 + UART_THR, c);
}

void uart_write(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte((uint8_t)s[i]);
	}
}

unsigned uart_tx_room(void)
{
	/* with FIFOs on, THRE means the whole 16-byte FIFO is empty (PC16550D, LSR bit 5) */
	return (inb(UART_COM1 + UART_LSR) & LSR_THR_EMPTY) ? UART_TX_FIFO : 0;
}

void uart_tx_byte(uint8_t c)
{
	outb(UART_COM1 + UART_THR, c);
}

int uart_getc(void)
{
	if (!(inb(UART_COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(UART_COM1 + UART_RBR);
}
