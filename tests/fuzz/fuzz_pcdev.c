/*
 * libFuzzer target: the PC devices (kernel/pcdev.h: 8259A pair, 8254 PIT
 * and port 0x61, CMOS RTC, i8042 and port 0x92) driven by arbitrary
 * sequences of port reads and writes, time steps, IRQ line changes, INTA
 * cycles and snapshot/restore.
 *
 * After every step it checks what the vCPU relies on: a pending or
 * acknowledged vector is one of the eight of a programmed chip; an
 * acknowledged request is in service unless in auto-EOI mode; the
 * master's IR2 request follows the slave's INTR; the PIT's next IRQ0 is
 * later than the time it was brought up to; the RTC's time registers
 * hold valid BCD in BCD mode. A snapshot step saves the board into a
 * whole guest-state record, which must encode, decode (the validator
 * accepts every state the models produce) and load into a fresh board
 * that saves back to the same record; the run continues on the restored
 * board.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/pcdev.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/unit/gs_fixture.h"


static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42,
				  0x43, 0x61, 0x60, 0x64, 0x92, 0x70, 0x71 };

static struct pcdev pc;
static struct guest_state st, st2;
static uint8_t rec[GUEST_STATE_ENCODED_MAX], rec2[GUEST_STATE_ENCODED_MAX];

static bool vector_of_a_chip(const struct vpic *p, int vec)
{
	return (p->chip[0].ready && (vec & 0xf8) == p->chip[0].vector_base) ||
	       (p->chip[1].ready && (vec & 0xf8) == p->chip[1].vector_base) ||
	       (vec & 0xf8) == p->chip[0].vector_base; /* IR7 spurious */
}

static bool valid_bcd(uint8_t v)
{
	return (v & 0x0f) <= 9 && ((v >> 4) & 7) <= 9;
}

static void check(uint64_t now)
{
	int vec = vpic_pending_vector(&pc.pic);
	unsigned i;

	CHECK(vec == -1 || (vec >= 0 && vec < 256 && vector_of_a_chip(&pc.pic, vec)));
	for (i = 0; i < 2; i++) {
		const struct vpic_chip *c = &pc.pic.chip[i];

		CHECK(c->priority_add < 8 && c->init_step <= 3);
		CHECK(!(c->ready && c->init_step));
		CHECK(!(c->elcr & (i ? 0x21 : 0x07)));
	}
	/* the cascade is a level: IR2 requested exactly while the slave asserts INTR */
	CHECK(!!(pc.pic.chip[0].irr & 4) == (pc.pic.chip[1].ready &&
					      vpic_pending_vector(&(struct vpic){
						      .chip = { pc.pic.chip[1] } }) >= 0) ||
	      !pc.pic.chip[1].ready);
	for (i = 0; i < 3; i++)
		CHECK(pc.pit.ch[i].count >= 1 && pc.pit.ch[i].count <= 0x10000);
	CHECK(vrtc_seconds(&pc.rtc, now) <= 253402300799ULL);
	if (!(pc.rtc.cmos[RTC_REG_B] & (RTC_DM_BINARY | RTC_SET))) {
		static const uint8_t regs[] = { 0, 2, 6, 7, 8, 9 };

		for (i = 0; i < sizeof(regs); i++) {
			pc.rtc.index = regs[i];
			CHECK(valid_bcd(vrtc_read(&pc.rtc, VRTC_PORT_DATA, now)));
		}
	}
}

static void ack(void)
{
	int want = vpic_pending_vector(&pc.pic);
	uint8_t vec = vpic_ack(&pc.pic);
	const struct vpic_chip *m = &pc.pic.chip[0], *s = &pc.pic.chip[1];

	CHECK(vector_of_a_chip(&pc.pic, vec));
	if (want < 0)
		return;
	CHECK(vec == want);
	/* non-spurious and not in AEOI mode: the IR is in service now */
	if ((vec & 0xf8) == m->vector_base && m->ready && !m->auto_eoi && !m->single &&
	    (vec & 7) != VPIC_CASCADE_IRQ)
		CHECK(m->isr & (1u << (vec & 7)));
	else if ((vec & 0xf8) == s->vector_base && s->ready && !s->auto_eoi &&
		 s->vector_base != m->vector_base)
		CHECK(s->isr & (1u << (vec & 7)));
}

/* Save into a full record, round trip it, continue on a restored board. */
static void snapshot(uint64_t now, uint64_t later)
{
	static struct pcdev q;
	char err[160];
	int n, n2;

	gs_fill(&st, 5, 0);
	pcdev_save(&pc, now, &st.pc);
	n = guest_state_encode(&st, rec, sizeof(rec));
	CHECK(n > 0);
	if (guest_state_decode(rec, (size_t)n, &st2, err, sizeof(err))) {
		fprintf(stderr, "refused: %s\n", err);
		CHECK(!"a state the models produced was refused");
	}
	pcdev_init(&q, pc.pit.tsc_hz, 0, later);
	pcdev_load(&q, &st2.pc, later);
	pcdev_save(&q, later, &st2.pc);
	n2 = guest_state_encode(&st2, rec2, sizeof(rec2));
	CHECK(n2 == n && !memcmp(rec, rec2, (size_t)n));
	pc = q;
}

static void step(struct input *in, uint64_t *now)
{
	uint8_t op = (uint8_t)take(in, 1);
	uint16_t port = ports[(op >> 3) % (sizeof(ports) / sizeof(ports[0]))];

	switch (op & 7) {
	case 0:
	case 1:
		pcdev_write(&pc, port, (uint8_t)take(in, 1), *now);
		break;
	case 2:
		pcdev_read(&pc, port, *now);
		break;
	case 3:
		*now += take(in, 1 + (op >> 6));
		pcdev_update(&pc, *now);
		CHECK(!pcdev_next_event(&pc) || pcdev_next_event(&pc) > *now);
		break;
	case 4:
		vpic_set_irq(&pc.pic, (op >> 3) & 15, op >> 7);
		break;
	case 5:
		ack();
		break;
	case 6:
		if (pcdev_next_event(&pc)) {
			*now = pcdev_next_event(&pc);
			pcdev_update(&pc, *now);
		}
		break;
	default:
		snapshot(*now, *now + take(in, 4));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rates[] = { 1193182000ULL, 3000000000ULL, 2600000007ULL, 1000000ULL };
	struct input in = { data, size };
	uint8_t cfg = (uint8_t)take(&in, 1);
	uint64_t now = take(&in, 4);

	pcdev_init(&pc, rates[cfg & 3], take(&in, 5), now);
	check(now);
	while (in.n) {
		step(&in, &now);
		check(now);
	}
	return 0;
}
