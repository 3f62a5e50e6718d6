/*
 * Unit tests for kernel/vlapic_state.c: the local APIC saved into the
 * guest-state record and loaded back, possibly at another guest time.
 * What must hold: every register comes back, and a timer armed before the
 * save fires the same guest time after the load, whatever "now" is then.
 */
#include <string.h>

#include "vlapic_fixture.h"
#include "unit_order.h"

#define VEC 0x40
#define LATER 0x123456789aULL /* the guest time at which the state is loaded */

static struct vlapic copy;

static bool irr_has_in(const struct vlapic *a, unsigned v)
{
	return a->irr[v / 32] & (1u << (v % 32));
}

/* Save l at now, load it into a fresh APIC at now + shift. */
static void move_by(uint64_t shift)
{
	struct gs_lapic s;

	vlapic_save(&l, now, &s);
	memset(&copy, 0, sizeof(copy));
	vlapic_load(&copy, &s, now + shift);
}

TEST registers_survive_save_and_load(void)
{
	CHECK_CALL(enable(false));
	MW(TPR, 0x20);
	MW(LDR, 0x01000000);
	MW(LVT_LINT0, 0x700);
	MW(LVT_ERROR, 0x33);
	MW(ICR_HI, 0x05000000);
	MW(TIMER_DIV, 0x3);
	vlapic_accept(&l, 0x51);
	vlapic_accept(&l, 0xe3);
	vlapic_ack(&l, 0xe3);
	move_by(0);
	ASSERT_EQ(l.id, copy.id);
	ASSERT_EQ(l.apic_base, copy.apic_base);
	ASSERT_EQ(l.tpr, copy.tpr);
	ASSERT_EQ(l.svr, copy.svr);
	ASSERT_EQ(l.ldr, copy.ldr);
	ASSERT_EQ(l.lvt_lint0, copy.lvt_lint0);
	ASSERT_EQ(l.lvt_error, copy.lvt_error);
	ASSERT_EQ(l.icr_hi, copy.icr_hi);
	ASSERT_EQ(l.timer_divide, copy.timer_divide);
	ASSERT_MEM_EQ(l.irr, copy.irr, sizeof(l.irr));
	ASSERT_MEM_EQ(l.isr, copy.isr, sizeof(l.isr));
	ASSERT_EQ(l.tsc_hz, copy.tsc_hz);
	ASSERT_EQ(l.bus_hz, copy.bus_hz);
	ASSERT_EQ(vlapic_pending(&l), vlapic_pending(&copy));
	l.nmi_pending = true;
	move_by(0);
	ASSERT(copy.nmi_pending);
	ASSERT(copy.isr[0xe3 / 32] & (1u << (0xe3 % 32)));
	PASS();
}

TEST oneshot_timer_fires_the_same_guest_time_later(void)
{
	uint64_t due;

	CHECK_CALL(enable(false));
	MW(LVT_TIMER, VEC);
	MW(TIMER_INIT, 1000);
	due = vlapic_next_deadline(&l);
	ASSERT(due > now);
	now += (due - now) / 3; /* part of the count has run */
	move_by(LATER);
	ASSERT_EQ(due + LATER, vlapic_next_deadline(&copy));
	ASSERT_EQ(l.timer_start + LATER, copy.timer_start); /* the count started as long ago */
	ASSERT_EQ(vlapic_timer_current(&l, now), vlapic_timer_current(&copy, now + LATER));
	vlapic_update_timer(&copy, due + LATER - 1);
	ASSERT_FALSE(irr_has_in(&copy, VEC));
	vlapic_update_timer(&copy, due + LATER);
	ASSERT(irr_has_in(&copy, VEC));
	PASS();
}

TEST periodic_timer_keeps_its_rate_after_a_load(void)
{
	uint64_t first, second, period;

	CHECK_CALL(enable(false));
	MW(LVT_TIMER, VEC | PERIODIC);
	MW(TIMER_INIT, 777); /* a period that is no whole number of TSC ticks */
	first = vlapic_next_deadline(&l);
	vlapic_update_timer(&l, first);
	second = vlapic_next_deadline(&l);
	period = second - first;
	now = first + 1;
	move_by(LATER);
	vlapic_update_timer(&l, second);
	vlapic_update_timer(&copy, second + LATER);
	/* both copies go on in step, fractions included */
	ASSERT_EQ(vlapic_next_deadline(&l) + LATER, vlapic_next_deadline(&copy));
	ASSERT(vlapic_next_deadline(&copy) - (second + LATER) >= period - 1);
	PASS();
}

TEST a_deadline_that_lands_on_zero_fires_a_tick_late(void)
{
	uint64_t due;

	CHECK_CALL(enable(false));
	MW(LVT_TIMER, VEC);
	MW(TIMER_INIT, 1000);
	due = vlapic_next_deadline(&l);
	move_by(0 - due); /* loaded where the deadline is TSC 0, which means idle */
	ASSERT_EQ(1u, vlapic_next_deadline(&copy));
	PASS();
}

TEST every_irr_isr_and_tmr_word_survives(void)
{
	int i;

	CHECK_CALL(enable(false));
	for (i = 0; i < 8; i++) { /* made-up bits: only the copy is checked */
		l.irr[i] = 0x10000u << i | 1u;
		l.isr[i] = 0x20000u << i | 2u;
		l.tmr[i] = 0x40000u << i | 4u;
	}
	move_by(0);
	ASSERT_MEM_EQ(l.irr, copy.irr, sizeof(l.irr));
	ASSERT_MEM_EQ(l.isr, copy.isr, sizeof(l.isr));
	ASSERT_MEM_EQ(l.tmr, copy.tmr, sizeof(l.tmr));
	PASS();
}

TEST tsc_deadline_stays_absolute(void)
{
	CHECK_CALL(enable(true));
	MSRW(X2(LVT_TIMER), VEC | TSC_DEADLINE);
	MSRW(MSR_IA32_TSC_DEADLINE, now + 5000);
	move_by(0);
	ASSERT_EQ(now + 5000, copy.tsc_deadline);
	ASSERT_EQ(now + 5000, vlapic_next_deadline(&copy));
	ASSERT(vlapic_x2apic_mode(&copy));
	PASS();
}

TEST current_count_reads_0_in_tsc_deadline_mode_whatever_the_record_says(void)
{
	struct gs_lapic s;

	CHECK_CALL(enable(true));
	MSRW(X2(LVT_TIMER), VEC | TSC_DEADLINE);
	MSRW(MSR_IA32_TSC_DEADLINE, now + 5000);
	vlapic_save(&l, now, &s);
	s.timer_initial = 1000; /* a record no APIC here would write: the mode ignores it */
	memset(&copy, 0, sizeof(copy));
	vlapic_load(&copy, &s, now);
	ASSERT_EQ(0u, vlapic_timer_current(&copy, now));
	PASS();
}

TEST current_count_reads_0_for_a_record_with_an_unarmed_periodic_timer(void)
{
	struct gs_lapic s;

	CHECK_CALL(enable(false));
	MW(LVT_TIMER, VEC | PERIODIC);
	MW(TIMER_INIT, 1000);
	vlapic_save(&l, now, &s);
	s.timer_armed = 0; /* a record with a count but no running timer */
	memset(&copy, 0, sizeof(copy));
	vlapic_load(&copy, &s, now);
	ASSERT_EQ(0u, vlapic_next_deadline(&copy));
	ASSERT_EQ(0u, vlapic_timer_current(&copy, now + 12345));
	PASS();
}

TEST idle_timer_stays_idle(void)
{
	CHECK_CALL(enable(false));
	MW(LVT_TIMER, VEC); /* unmasked, so a deadline would show */
	move_by(LATER);
	ASSERT_EQ(0u, vlapic_next_deadline(&copy));
	PASS();
}

TEST statistics_are_not_state(void)
{
	struct gs_lapic s;

	CHECK_CALL(enable(false));
	l.timer_fires = 5;
	vlapic_save(&l, now, &s);
	copy.timer_fires = 9;
	vlapic_load(&copy, &s, now);
	ASSERT_EQ(9u, copy.timer_fires);
	PASS();
}

SUITE(vlapic_state)
{
	SHUFFLED_TESTS({
		GREATEST_SET_SETUP_CB(setup, NULL);
		RUN_TEST(registers_survive_save_and_load);
		RUN_TEST(oneshot_timer_fires_the_same_guest_time_later);
		RUN_TEST(periodic_timer_keeps_its_rate_after_a_load);
		RUN_TEST(a_deadline_that_lands_on_zero_fires_a_tick_late);
		RUN_TEST(every_irr_isr_and_tmr_word_survives);
		RUN_TEST(tsc_deadline_stays_absolute);
		RUN_TEST(current_count_reads_0_in_tsc_deadline_mode_whatever_the_record_says);
		RUN_TEST(current_count_reads_0_for_a_record_with_an_unarmed_periodic_timer);
		RUN_TEST(idle_timer_stays_idle);
		RUN_TEST(statistics_are_not_state);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(vlapic_state);
	});
	GREATEST_MAIN_END();
}
