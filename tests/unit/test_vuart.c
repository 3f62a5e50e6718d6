/* Unit tests for kernel/vuart.c: the guest's 16550 UART. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "kernel/vuart.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2,
       LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define IER_RDA 0x01
#define IER_THRE 0x02

static struct vuart u;
static uint8_t sent[256];
static unsigned nsent;
static int cb_ctx;
static void *seen_ctx;

static void tx_capture(void *ctx, uint8_t c)
{
	seen_ctx = ctx;
	if (nsent < sizeof(sent))
		sent[nsent] = c;
	nsent++;
}

static void setup(void *arg)
{
	(void)arg;
	nsent = 0;
	seen_ctx = NULL;
	memset(sent, 0, sizeof(sent));
	vuart_init(&u, tx_capture, &cb_ctx);
}

TEST reset_state(void)
{
	ASSERT_EQ(0x00, vuart_read(&u, IER));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	ASSERT_EQ(0x00, vuart_read(&u, LCR));
	ASSERT_EQ(0x00, vuart_read(&u, MCR));
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	ASSERT_EQ(0xb0, vuart_read(&u, MSR) & 0xf0);
	ASSERT_EQ(1, vuart_rx_space(&u)); /* FIFOs off: a 16450 buffer */
	ASSERT_FALSE(vuart_irq_line(&u));
	PASS();
}

/* The divisor after reset is 1 (115200 baud), visible through DLAB. */
TEST reset_divisor_is_one(void)
{
	vuart_write(&u, LCR, LCR_DLAB);
	ASSERT_EQ(0x01, vuart_read(&u, DLL));
	ASSERT_EQ(0x00, vuart_read(&u, DLM));
	PASS();
}

/* Reading RBR with nothing received gives 0 and leaves the FIFO empty. */
TEST read_of_empty_receiver(void)
{
	unsigned space = vuart_rx_space(&u);

	ASSERT(vuart_receive(&u, 'A'));
	ASSERT_EQ('A', vuart_read(&u, RBR));
	ASSERT_EQ(0, vuart_read(&u, RBR));
	ASSERT_EQ(0, vuart_read(&u, LSR) & 0x01); /* no data ready */
	ASSERT_EQ(space, vuart_rx_space(&u));
	PASS();
}

/* Rewriting MCR in loopback without changing a line reports no change. */
TEST loopback_same_mcr_no_deltas(void)
{
	vuart_write(&u, MCR, MCR_LOOP);
	vuart_read(&u, MSR); /* take the deltas of entering loopback */
	vuart_write(&u, MCR, MCR_LOOP);
	ASSERT_EQ(0x00, vuart_read(&u, MSR));
	vuart_write(&u, MCR, MCR_LOOP | MCR_DTR);
	vuart_read(&u, MSR);
	vuart_write(&u, MCR, MCR_LOOP | MCR_DTR);
	ASSERT_EQ(0x20, vuart_read(&u, MSR)); /* DSR only, no deltas */
	PASS();
}

TEST dlab_divisor_latch(void)
{
	vuart_write(&u, LCR, LCR_DLAB | LCR_8N1);
	vuart_write(&u, DLL, 0x0c);
	vuart_write(&u, DLM, 0x01);
	ASSERT_EQ(0x0c, vuart_read(&u, DLL));
	ASSERT_EQ(0x01, vuart_read(&u, DLM));
	ASSERT_EQ(0x0c, u.dll);
	ASSERT_EQ(0x01, u.dlm);
	/* The divisor writes went neither to THR nor IER. */
	ASSERT_EQ(0, nsent);
	ASSERT_EQ(0, u.ier);
	vuart_write(&u, LCR, LCR_8N1);
	ASSERT_EQ(LCR_8N1, vuart_read(&u, LCR));
	ASSERT_EQ(0x00, vuart_read(&u, IER));
	vuart_write(&u, IER, 0xff);
	ASSERT_EQ(0x0f, vuart_read(&u, IER)); /* bits 7:4 are 0 */
	vuart_write(&u, LCR, LCR_DLAB);
	ASSERT_EQ(0x01, vuart_read(&u, DLM)); /* still the divisor */
	PASS();
}

TEST scratch_and_readonly_registers(void)
{
	vuart_write(&u, SCR, 0x5a);
	ASSERT_EQ(0x5a, vuart_read(&u, SCR));
	vuart_write(&u, LSR, 0x00);
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	vuart_write(&u, MSR, 0x00);
	ASSERT_EQ(0xb0, vuart_read(&u, MSR) & 0xf0);
	vuart_write(&u, MCR, 0xff);
	ASSERT_EQ(0x1f, vuart_read(&u, MCR));
	ASSERT_EQ(0xff, vuart_read(&u, 8));
	PASS();
}

TEST polling_driver_transmits(void)
{
	const char *msg = "hello\n";
	unsigned i;

	vuart_write(&u, LCR, LCR_8N1);
	for (i = 0; msg[i]; i++) {
		ASSERT(vuart_read(&u, LSR) & 0x20);
		vuart_write(&u, THR, (uint8_t)msg[i]);
		ASSERT_EQ(0x60, vuart_read(&u, LSR) & 0x60);
	}
	ASSERT_EQ(6, nsent);
	ASSERT_MEM_EQ(msg, sent, 6);
	ASSERT_EQ(6, u.tx_bytes);
	ASSERT_EQ(&cb_ctx, seen_ctx);
	PASS();
}

TEST null_tx_callback_counts(void)
{
	vuart_init(&u, NULL, NULL);
	vuart_write(&u, THR, 'x');
	ASSERT_EQ(1, u.tx_bytes);
	PASS();
}

TEST receive_sets_dr_and_reads_in_order(void)
{
	vuart_write(&u, FCR, 0x07);
	ASSERT_EQ(0, vuart_read(&u, LSR) & 0x01);
	ASSERT(vuart_receive(&u, 'a'));
	ASSERT(vuart_receive(&u, 'b'));
	ASSERT_EQ(0x61, vuart_read(&u, LSR));
	ASSERT_EQ('a', vuart_read(&u, RBR));
	ASSERT_EQ(0x01, vuart_read(&u, LSR) & 0x01);
	ASSERT_EQ('b', vuart_read(&u, RBR));
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	ASSERT_EQ(2, u.rx_bytes);
	ASSERT_EQ(0, vuart_read(&u, RBR)); /* empty */
	PASS();
}

TEST fifo_fill_and_overflow(void)
{
	unsigned i;

	vuart_write(&u, FCR, 0xc1);
	ASSERT_EQ(VUART_RX_FIFO, vuart_rx_space(&u));
	for (i = 0; i < VUART_RX_FIFO; i++) {
		ASSERT_EQ(VUART_RX_FIFO - i, vuart_rx_space(&u));
		ASSERT(vuart_receive(&u, (uint8_t)('A' + i)));
	}
	ASSERT_EQ(0, vuart_rx_space(&u));
	ASSERT_FALSE(vuart_receive(&u, '!'));
	ASSERT_FALSE(vuart_receive(&u, '?'));
	ASSERT_EQ(2, u.rx_dropped);
	ASSERT_EQ(VUART_RX_FIFO, u.rx_bytes);
	/* OE is reported once, then cleared by the LSR read. */
	ASSERT_EQ(0x63, vuart_read(&u, LSR));
	ASSERT_EQ(0x61, vuart_read(&u, LSR));
	/* The FIFO kept the old characters; the overflowing ones were lost. */
	for (i = 0; i < VUART_RX_FIFO; i++)
		ASSERT_EQ('A' + i, vuart_read(&u, RBR));
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	/* Wraps around the ring. */
	ASSERT(vuart_receive(&u, 'z'));
	ASSERT_EQ('z', vuart_read(&u, RBR));
	PASS();
}

TEST fifo_off_holds_one_byte(void)
{
	ASSERT(vuart_receive(&u, '1'));
	ASSERT_FALSE(vuart_receive(&u, '2'));
	ASSERT_EQ(1, u.rx_dropped);
	ASSERT_EQ('1', vuart_read(&u, RBR));
	PASS();
}

TEST fcr_resets_fifo(void)
{
	vuart_write(&u, FCR, 0x01);
	ASSERT(vuart_receive(&u, 'x'));
	ASSERT(vuart_receive(&u, 'y'));
	vuart_write(&u, FCR, 0x03); /* RX reset */
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	ASSERT_EQ(VUART_RX_FIFO, vuart_rx_space(&u));
	ASSERT(vuart_receive(&u, 'x'));
	vuart_write(&u, FCR, 0x00); /* leaving FIFO mode clears too */
	ASSERT_EQ(0, u.rx_count);
	ASSERT_EQ(0x01, vuart_read(&u, IIR)); /* no FIFO bits */
	/* RX reset without FCR0 is not programmed. */
	ASSERT(vuart_receive(&u, 'q'));
	vuart_write(&u, FCR, 0x02);
	ASSERT_EQ(1, u.rx_count);
	PASS();
}

TEST iir_fifo_bits(void)
{
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	vuart_write(&u, FCR, 0x01);
	ASSERT_EQ(0xc1, vuart_read(&u, IIR));
	vuart_write(&u, IER, IER_THRE);
	ASSERT_EQ(0xc2, vuart_read(&u, IIR));
	ASSERT_EQ(0xc1, vuart_read(&u, IIR));
	PASS();
}

TEST iir_priority_rx_over_thre(void)
{
	vuart_write(&u, IER, IER_RDA | IER_THRE);
	ASSERT(vuart_receive(&u, 'k'));
	ASSERT_EQ(0x04, vuart_read(&u, IIR));
	/* Reading IIR while RX is reported must not eat the THRE latch. */
	ASSERT(u.thr_irq);
	ASSERT_EQ(0x04, vuart_read(&u, IIR));
	ASSERT_EQ('k', vuart_read(&u, RBR));
	ASSERT_EQ(0x02, vuart_read(&u, IIR));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	PASS();
}

TEST rx_interrupt_needs_ier(void)
{
	vuart_write(&u, MCR, MCR_OUT2);
	ASSERT(vuart_receive(&u, 'k'));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, IER, IER_RDA);
	ASSERT_EQ(0x04, vuart_read(&u, IIR));
	ASSERT(vuart_irq_line(&u));
	vuart_read(&u, RBR);
	ASSERT_FALSE(vuart_irq_line(&u));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	PASS();
}

TEST irq_line_needs_out2(void)
{
	vuart_write(&u, IER, IER_RDA);
	ASSERT(vuart_receive(&u, 'k'));
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, MCR, MCR_DTR | MCR_RTS);
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	ASSERT(vuart_irq_line(&u));
	vuart_write(&u, IER, 0);
	ASSERT_FALSE(vuart_irq_line(&u));
	PASS();
}

TEST thre_latched_on_enable_cleared_by_iir(void)
{
	vuart_write(&u, MCR, MCR_OUT2);
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, IER, IER_THRE);
	ASSERT(vuart_irq_line(&u));
	ASSERT_EQ(0x02, vuart_read(&u, IIR));
	ASSERT_FALSE(vuart_irq_line(&u));
	/* Rewriting IER with the bit already set is not a new event. */
	vuart_write(&u, IER, IER_THRE);
	ASSERT_FALSE(vuart_irq_line(&u));
	/* Off and on again (Linux's THRE test) re-raises it. */
	vuart_write(&u, IER, 0);
	vuart_write(&u, IER, IER_THRE);
	ASSERT_EQ(0x02, vuart_read(&u, IIR));
	PASS();
}

TEST thre_relatched_after_thr_write(void)
{
	vuart_write(&u, MCR, MCR_OUT2);
	vuart_write(&u, IER, IER_THRE);
	ASSERT_EQ(0x02, vuart_read(&u, IIR));
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, THR, 'a');
	ASSERT(vuart_irq_line(&u));
	ASSERT_EQ(0x02, vuart_read(&u, IIR));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	/* A THR write with the interrupt disabled latches, but gates off. */
	vuart_write(&u, IER, 0);
	vuart_write(&u, THR, 'b');
	ASSERT_FALSE(vuart_irq_line(&u));
	ASSERT_EQ(0x01, vuart_read(&u, IIR));
	ASSERT_EQ(2, nsent);
	PASS();
}

TEST lsr_read_does_not_clear_thre_irq(void)
{
	vuart_write(&u, MCR, MCR_OUT2);
	vuart_write(&u, IER, IER_THRE);
	vuart_read(&u, LSR);
	vuart_read(&u, MSR);
	ASSERT(vuart_irq_line(&u));
	PASS();
}

TEST loopback_routes_tx_to_rx(void)
{
	vuart_write(&u, FCR, 0x01);
	vuart_write(&u, MCR, MCR_LOOP);
	vuart_write(&u, THR, 0x55);
	vuart_write(&u, THR, 0xaa);
	ASSERT_EQ(0, nsent);
	ASSERT_EQ(0, u.tx_bytes);
	ASSERT_EQ(0x61, vuart_read(&u, LSR));
	ASSERT_EQ(0x55, vuart_read(&u, RBR));
	ASSERT_EQ(0xaa, vuart_read(&u, RBR));
	/* The serial input is disconnected meanwhile. */
	ASSERT_FALSE(vuart_receive(&u, 'x'));
	ASSERT_EQ(0x60, vuart_read(&u, LSR));
	vuart_write(&u, MCR, 0);
	vuart_write(&u, THR, 'o');
	ASSERT_EQ(1, nsent);
	ASSERT(vuart_receive(&u, 'x'));
	PASS();
}

TEST loopback_msr_mirrors_mcr(void)
{
	uint8_t msr;

	vuart_read(&u, MSR);
	vuart_write(&u, MCR, MCR_LOOP);
	msr = vuart_read(&u, MSR);
	ASSERT_EQ(0x00, msr & 0xf0);
	ASSERT_EQ(0x0b, msr & 0x0f); /* CTS, DSR, DCD dropped */
	ASSERT_EQ(0x00, vuart_read(&u, MSR)); /* deltas clear on read */
	vuart_write(&u, MCR, MCR_LOOP | MCR_RTS);
	ASSERT_EQ(0x11, vuart_read(&u, MSR));
	vuart_write(&u, MCR, MCR_LOOP | MCR_DTR | MCR_RTS);
	ASSERT_EQ(0x32, vuart_read(&u, MSR));
	vuart_write(&u, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1);
	ASSERT_EQ(0x70, vuart_read(&u, MSR)); /* RI rising: no TERI */
	vuart_write(&u, MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT2);
	ASSERT_EQ(0xbc, vuart_read(&u, MSR)); /* RI fell, DCD rose */
	PASS();
}

TEST loopback_rx_interrupt(void)
{
	vuart_write(&u, MCR, MCR_LOOP | MCR_OUT2);
	vuart_write(&u, IER, IER_RDA);
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_write(&u, THR, 'L');
	ASSERT(vuart_irq_line(&u));
	ASSERT_EQ(0x04, vuart_read(&u, IIR));
	ASSERT_EQ('L', vuart_read(&u, RBR));
	ASSERT_FALSE(vuart_irq_line(&u));
	PASS();
}

TEST save_and_load_keep_registers_fifo_and_wiring(void)
{
	struct gs_uart st;
	struct vuart v2;
	int other;

	vuart_write(&u, LCR, LCR_DLAB);
	vuart_write(&u, DLL, 0x0c);
	vuart_write(&u, LCR, LCR_8N1);
	vuart_write(&u, IER, IER_RDA);
	vuart_write(&u, MCR, MCR_OUT2 | MCR_DTR);
	vuart_write(&u, SCR, 0x5a);
	vuart_write(&u, FCR, 0x01); /* FIFO mode: more than one byte waits */
	ASSERT(vuart_receive(&u, 'h'));
	ASSERT(vuart_receive(&u, 'i'));
	vuart_save(&u, &st);
	vuart_init(&v2, NULL, &other);
	vuart_load(&v2, &st);
	ASSERT_EQ(&other, v2.ctx);   /* the host's wiring is not state */
	ASSERT_EQ(NULL, (void *)v2.tx);
	ASSERT_EQ(0x5a, vuart_read(&v2, SCR));
	ASSERT_EQ(IER_RDA, vuart_read(&v2, IER));
	ASSERT(vuart_irq_line(&v2));
	ASSERT_EQ('h', vuart_read(&v2, RBR));
	ASSERT_EQ('i', vuart_read(&v2, RBR));
	ASSERT_EQ(VUART_RX_FIFO, vuart_rx_space(&v2));
	vuart_write(&v2, LCR, LCR_DLAB);
	ASSERT_EQ(0x0c, vuart_read(&v2, DLL));
	PASS();
}

/* The host's flow control: a busy transmitter hides THRE and TEMT, nothing else. */
TEST tx_busy_clears_thre_and_temt_only(void)
{
	uint8_t idle = vuart_read(&u, LSR);

	ASSERT(idle & 0x20);
	ASSERT(idle & 0x40);
	u.tx_busy = true;
	ASSERT_EQ(idle & ~0x60, vuart_read(&u, LSR));
	ASSERT(vuart_receive(&u, 'x'));
	ASSERT_EQ(0x01, vuart_read(&u, LSR) & 0x61); /* data ready still shows */
	u.tx_busy = false;
	ASSERT_EQ(0x61, vuart_read(&u, LSR) & 0x61);
	PASS();
}

TEST a_thre_interrupt_already_reported_stays_reported_after_a_load(void)
{
	struct gs_uart st;
	struct vuart v2;

	vuart_write(&u, MCR, MCR_OUT2); /* interrupts reach the line */
	vuart_write(&u, IER, IER_THRE);
	ASSERT(vuart_irq_line(&u));
	ASSERT_EQ(0x02, vuart_read(&u, IIR)); /* reading IIR reports and clears the latch */
	ASSERT_FALSE(vuart_irq_line(&u));
	vuart_save(&u, &st);
	vuart_init(&v2, NULL, NULL);
	vuart_load(&v2, &st);
	ASSERT_FALSE(vuart_irq_line(&v2)); /* no second THRE interrupt */
	ASSERT_EQ(0x01, vuart_read(&v2, IIR));
	PASS();
}

TEST load_clamps_a_fifo_state_it_cannot_hold(void)
{
	struct gs_uart st;

	vuart_save(&u, &st);
	st.rx_head = 200;
	st.rx_count = 99;
	vuart_load(&u, &st);
	ASSERT(u.rx_head < VUART_RX_FIFO);
	ASSERT(u.rx_count <= VUART_RX_FIFO);
	PASS();
}

SUITE(vuart)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(reset_state);
		RUN_TEST(dlab_divisor_latch);
		RUN_TEST(scratch_and_readonly_registers);
		RUN_TEST(polling_driver_transmits);
		RUN_TEST(null_tx_callback_counts);
		RUN_TEST(receive_sets_dr_and_reads_in_order);
		RUN_TEST(fifo_fill_and_overflow);
		RUN_TEST(fifo_off_holds_one_byte);
		RUN_TEST(fcr_resets_fifo);
		RUN_TEST(iir_fifo_bits);
		RUN_TEST(iir_priority_rx_over_thre);
		RUN_TEST(rx_interrupt_needs_ier);
		RUN_TEST(irq_line_needs_out2);
		RUN_TEST(thre_latched_on_enable_cleared_by_iir);
		RUN_TEST(thre_relatched_after_thr_write);
		RUN_TEST(lsr_read_does_not_clear_thre_irq);
		RUN_TEST(loopback_routes_tx_to_rx);
		RUN_TEST(loopback_msr_mirrors_mcr);
		RUN_TEST(reset_divisor_is_one);
		RUN_TEST(read_of_empty_receiver);
		RUN_TEST(loopback_same_mcr_no_deltas);
		RUN_TEST(loopback_rx_interrupt);
		RUN_TEST(save_and_load_keep_registers_fifo_and_wiring);
		RUN_TEST(load_clamps_a_fifo_state_it_cannot_hold);
		RUN_TEST(a_thre_interrupt_already_reported_stays_reported_after_a_load);
		RUN_TEST(tx_busy_clears_thre_and_temt_only);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vuart);
	});
	GREATEST_MAIN_END();
}
