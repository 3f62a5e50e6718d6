/*
 * Test fixture shared by the guest-state unit tests and fuzz target: a
 * record filled with pseudo-random values that still passes the decoder's
 * validation, and a helper that re-seals a patched encoding with a fresh
 * CRC so tests can reach the checks behind the checksum.
 */
#ifndef TESTS_UNIT_GS_FIXTURE_H
#define TESTS_UNIT_GS_FIXTURE_H

#include <string.h>
#include "lib/crc32.h"
#include "kernel/acpi_pm.h"
#include "kernel/vioapic.h"
#include "kernel/guest_state.h"
#include "kernel/hpet.h"

static uint64_t gs_rng_state;

static uint8_t gs_rand8(void)
{
	/* xorshift64*: deterministic for a given seed */
	gs_rng_state ^= gs_rng_state >> 12;
	gs_rng_state ^= gs_rng_state << 25;
	gs_rng_state ^= gs_rng_state >> 27;
	return (uint8_t)((gs_rng_state * 0x2545f4914f6cdd1dULL) >> 56);
}

/* The HPET's random fields cut down to what kernel/hpet_state.c accepts:
 * counting, timer 1 in 32-bit mode, timer 2 unarmed. */
static void gs_fix_hpet(struct gs_hpet *h, uint8_t flip)
{
	int n;

	h->config = HPET_ENABLE_CNF;
	h->isr &= (1u << GS_HPET_TIMERS) - 1;
	for (n = 0; n < GS_HPET_TIMERS; n++) {
		struct gs_hpet_timer *t = &h->timer[n];

		t->config &= HPET_TN_CONF_WRITABLE & ~HPET_TN_32MODE_CNF;
		t->armed = n != 2;
		t->remaining &= flip ? 0x7fffffffffffffffULL : 0xffffffffULL;
	}
	h->timer[1].config |= HPET_TN_32MODE_CNF;
	h->timer[1].comparator &= 0xffffffffULL;
	h->timer[1].period &= 0xffffffffULL;
	h->timer[1].remaining &= 0xffffffffULL;
}

/* The PC devices' validated fields made valid (kernel/guest_state.c, validate_pc). */
static void gs_fix_pc(struct gs_pc *pc, uint8_t flip)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		struct gs_vpic_chip *c = &pc->pic.chip[i];

		c->elcr &= i ? 0xde : 0xf8;
		c->vector_base &= 0xf8;
		c->init_step = flip ? 0 : (uint8_t)i * 2;
		c->priority_add &= 7;
		c->icw4_needed &= 1;
		c->single &= 1;
		c->auto_eoi &= 1;
		c->rotate_aeoi &= 1;
		c->read_isr &= 1;
		c->poll &= 1;
		c->special_mask &= 1;
		c->ready = c->init_step == 0;
	}
	for (i = 0; i < 3; i++) {
		struct gs_vpit_channel *c = &pc->pit.ch[i];

		c->count = (c->count & 0xffff) + 1;
		c->count_latched &= 3;
		c->status_latched &= 1;
		c->read_state = (uint8_t)(c->read_state % 4 + 1);
		c->write_state = (uint8_t)(c->write_state % 4 + 1);
		c->rw_mode = (uint8_t)(c->rw_mode % 3 + 1);
		c->mode %= 6;
		c->bcd &= 1;
		c->gate = i < 2 ? 1 : c->gate & 1;
		c->null_count &= 1;
		c->loaded &= 1;
	}
	pc->pit.port61 = (uint8_t)((pc->pit.port61 & 0x0e) | pc->pit.ch[2].gate);
	pc->pit.irq_armed &= 1;
	pc->rtc.index &= 0x7f;
	pc->rtc.nmi_masked &= 1;
	pc->rtc.seconds %= 253402300800ULL;
	pc->kbc.out_full &= 1;
	pc->kbc.pending = flip ? 0xd1 : 0;
	pc->kbc.port92 &= 2;
}

/* Redirection entries as a guest can write them; Remote IRR only on level entries. */
static void gs_fix_ioapic(struct gs_ioapic *io)
{
	const uint64_t kept = IOREDTBL_VECTOR | IOREDTBL_DELIVERY_MODE | IOREDTBL_DEST_LOGICAL |
			      IOREDTBL_POLARITY_LOW | IOREDTBL_REMOTE_IRR | IOREDTBL_LEVEL |
			      IOREDTBL_MASKED | 0xffull << IOREDTBL_DEST_SHIFT;
	size_t i;

	io->id &= 0x0f000000u;
	io->sel &= 0xff;
	io->lines &= (1u << GS_IOAPIC_PINS) - 1;
	for (i = 0; i < GS_IOAPIC_PINS; i++) {
		io->redir[i] &= kept;
		if (!(io->redir[i] & IOREDTBL_LEVEL))
			io->redir[i] &= ~IOREDTBL_REMOTE_IRR;
	}
}

/* Every byte random (xor'd with flip), then the validated fields made valid again. */
static void gs_fill(struct guest_state *s, uint64_t seed, uint8_t flip)
{
	size_t i;

	gs_rng_state = seed ? seed : 1;
	for (i = 0; i < sizeof(*s); i++)
		((uint8_t *)s)[i] = gs_rand8() ^ flip;
	memset(s->config.name, 0, sizeof(s->config.name));
	strcpy(s->config.name, flip ? "other-guest.2" : "guest_1");
	memset(s->config.file, 0, sizeof(s->config.file));
	strcpy(s->config.file, flip ? "linux.elf" : "workload.elf");
	s->config.args[sizeof(s->config.args) - 1] = '\0';
	for (i = 0; i < GUEST_MODULES_MAX; i++) {
		s->config.modules[i][sizeof(s->config.modules[i]) - 1] = '\0';
		s->config.modules[i][0] = (char)('a' + i);
	}
	s->config.nmodules = flip ? 8 : 3;
	s->config.mem_mib = flip ? 17 : 64;
	s->ram_size = flip ? MiB(18) : MiB(64);
	s->cpu.exception_pending = flip ? 1 : 0;
	s->cpu.exception_vector = flip ? 31 : 13;
	s->cpu.exception_has_error = flip ? 0 : 1;
	s->cpu.halted = flip ? 0 : 1;
	s->cpu.halted_with_if = flip ? 1 : 0;
	s->uart.rx_head = flip ? 15 : 3;
	s->uart.rx_count = flip ? 16 : 0;
	s->uart.thr_irq = flip ? 1 : 0;
	s->lapic.timer_armed = flip ? 0 : 1;
	s->lapic.nmi_pending = flip ? 1 : 0;
	s->lapic.tsc_hz |= 1;
	s->lapic.bus_hz |= 1;
	gs_fix_hpet(&s->hpet, flip);
	gs_fix_pc(&s->pc, flip);
	s->acpi.pm1_cnt &= (uint16_t)~(ACPI_PM1_SLP_EN | ACPI_PM1_CNT_RESERVED);
	gs_fix_ioapic(&s->ioapic);
}

/* Recompute the CRC of an encoded record (after a test patched it). */
static void gs_reseal(uint8_t *rec, size_t len)
{
	uint32_t crc;
	size_t at;

	if (len < 16)
		return;
	at = len - 4;
	crc = crc32_update(0, rec, at);
	rec[at] = (uint8_t)crc;
	rec[at + 1] = (uint8_t)(crc >> 8);
	rec[at + 2] = (uint8_t)(crc >> 16);
	rec[at + 3] = (uint8_t)(crc >> 24);
}

#endif
