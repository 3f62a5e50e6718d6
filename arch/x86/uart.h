/*
 * The 16550 UART on COM1: the hypervisor's console.
 */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H

#include "lib/types.h"

#define UART_COM1 0x3f8

/* Program COM1 for 115200 8N1 with FIFOs; returns false if no UART answers. */
bool uart_init(void);
/* Write n bytes, turning "\n" into "\r\n"; waits for the transmitter. */
void uart_write(const char *s, size_t n);
/* Bytes the transmitter takes now without waiting (16 or 0). */
unsigned uart_tx_room(void);
/* Write one byte without waiting: only after uart_tx_room said there is room. */
void uart_tx_byte(uint8_t c);
/* Next received byte, or -1 when none is waiting. */
int uart_getc(void);

#endif
