/*
 * The local APIC in and out of the guest-state record. Pure: see
 * vlapic.h. Timer times are kept relative to the guest's TSC at the
 * moment of saving, as two's-complement differences, so a timer armed
 * before a snapshot fires the same guest time after a restore, whatever
 * the host's TSC reads by then. The statistics counters are the host's
 * and stay out of the record.
 */
#include "kernel/vlapic.h"

void vlapic_save(const struct vlapic *l, uint64_t now, struct gs_lapic *s)
{
	*s = (struct gs_lapic){
		.id = l->id, .apic_base = l->apic_base, .tpr = l->tpr, .svr = l->svr,
		.ldr = l->ldr, .dfr = l->dfr, .esr = l->esr, .esr_pending = l->esr_pending,
		.icr_lo = l->icr_lo, .icr_hi = l->icr_hi,
		.lvt_timer = l->lvt_timer, .lvt_thermal = l->lvt_thermal, .lvt_perf = l->lvt_perf,
		.lvt_lint0 = l->lvt_lint0, .lvt_lint1 = l->lvt_lint1, .lvt_error = l->lvt_error,
		.lvt_cmci = l->lvt_cmci, .timer_initial = l->timer_initial,
		.timer_divide = l->timer_divide,
		.timer_armed = l->timer_deadline != 0,
		.timer_remaining = l->timer_deadline ? l->timer_deadline - now : 0,
		.timer_elapsed = now - l->timer_start,
		.timer_frac = l->timer_frac, .timer_period = l->timer_period,
		.timer_period_rem = l->timer_period_rem, .tsc_deadline = l->tsc_deadline,
		.tsc_hz = l->tsc_hz, .bus_hz = l->bus_hz, .nmi_pending = l->nmi_pending,
	};
	for (int i = 0; i < 8; i++) {
		s->irr[i] = l->irr[i];
		s->isr[i] = l->isr[i];
		s->tmr[i] = l->tmr[i];
	}
}

void vlapic_load(struct vlapic *l, const struct gs_lapic *s, uint64_t now)
{
	uint64_t deadline = now + s->timer_remaining;

	l->id = s->id;
	l->apic_base = s->apic_base;
	l->tpr = s->tpr;
	l->svr = s->svr;
	l->ldr = s->ldr;
	l->dfr = s->dfr;
	l->esr = s->esr;
	l->esr_pending = s->esr_pending;
	l->icr_lo = s->icr_lo;
	l->icr_hi = s->icr_hi;
	l->lvt_timer = s->lvt_timer;
	l->lvt_thermal = s->lvt_thermal;
	l->lvt_perf = s->lvt_perf;
	l->lvt_lint0 = s->lvt_lint0;
	l->lvt_lint1 = s->lvt_lint1;
	l->lvt_error = s->lvt_error;
	l->lvt_cmci = s->lvt_cmci;
	l->timer_initial = s->timer_initial;
	l->timer_divide = s->timer_divide;
	for (int i = 0; i < 8; i++) {
		l->irr[i] = s->irr[i];
		l->isr[i] = s->isr[i];
		l->tmr[i] = s->tmr[i];
	}
	/* 0 means "idle" to the timer: an armed deadline that lands on 0 fires a tick late */
	l->timer_deadline = s->timer_armed ? (deadline ? deadline : 1) : 0;
	l->timer_start = now - s->timer_elapsed;
	l->timer_frac = s->timer_frac;
	l->timer_period = s->timer_period;
	l->timer_period_rem = s->timer_period_rem;
	l->tsc_deadline = s->tsc_deadline;
	l->tsc_hz = s->tsc_hz;
	l->bus_hz = s->bus_hz;
	l->nmi_pending = s->nmi_pending != 0;
}
