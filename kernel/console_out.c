/*
 * The console's transmit ring (see console_out.h). Newlines are turned
 * into CR LF as bytes enter the ring, so the pump only copies.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/uart.h"
#include "kernel/console_out.h"
#include "lib/outq.h"

#define TX_RING 16384
#define WAIT_SPINS 1000000 /* a wedged UART must not hang the hypervisor */

static char ring_buf[TX_RING];
static struct outq ring = { ring_buf, TX_RING, 0, 0, 0, 0 };
static bool queueing;

void console_out_pump(void)
{
	unsigned room = uart_tx_room();
	char c;

	while (room-- && outq_take(&ring, &c, 1))
		uart_tx_byte((uint8_t)c);
}

/* Wait until the UART has taken some bytes; false when it never does. */
static bool pump_wait(void)
{
	int spin;

	for (spin = 0; spin < WAIT_SPINS; spin++) {
		if (uart_tx_room()) {
			console_out_pump();
			return true;
		}
		pause();
	}
	return false;
}

static size_t translated_len(const char *s, size_t n)
{
	size_t i, len = n;

	for (i = 0; i < n; i++)
		len += s[i] == '\n';
	return len;
}

static void put_translated(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			outq_put(&ring, "\r", 1);
		outq_put(&ring, &s[i], 1);
	}
}

void console_out_write(const char *s, size_t n)
{
	size_t i;

	if (!queueing) {
		uart_write(s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		while (outq_space(&ring) < 2 && pump_wait())
			;
		if (outq_space(&ring) < 2) {
			ring.dropped_bytes += n - i;
			return;
		}
		put_translated(&s[i], 1);
	}
}

bool console_out_write_nowait(const char *s, size_t n)
{
	size_t len = translated_len(s, n);

	if (!queueing) {
		uart_write(s, n);
		return true;
	}
	if (len > outq_space(&ring)) {
		ring.dropped_bytes += len;
		ring.dropped_writes++;
		return false;
	}
	put_translated(s, n);
	return true;
}

bool console_out_pending(void)
{
	return ring.len != 0;
}

size_t console_out_queued(void)
{
	return ring.len;
}

size_t console_out_space(void)
{
	return outq_space(&ring);
}

void console_out_start_queueing(void)
{
	queueing = true;
}

void console_out_sync(void)
{
	while (ring.len && pump_wait())
		;
	queueing = false;
}

uint64_t console_out_dropped(void)
{
	return ring.dropped_bytes;
}
