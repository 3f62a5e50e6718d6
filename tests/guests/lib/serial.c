/*
 * Polled output on COM1. PC16550D data sheet: LSR bit 5 (THRE) says the
 * transmit holding register can take a byte; the divisor latch sits
 * behind LCR bit 7.
 */
#include "guest.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding (write) */
#define UART_DLL 0 /* divisor latch low (LCR.DLAB = 1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (LCR.DLAB = 1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define MCR_DTR_RTS 0x03
#define FCR_ENABLE_CLEAR 0x07

/* Bound on the THRE wait: a UART that never drains must not hang us. */
#define THRE_SPINS 100000

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void serial_put_raw(char c)
{
	int i;

	for (i = 0; i < THRE_SPINS; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
		cpu_pause();
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_put_raw('\r');
	serial_put_raw(c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}
