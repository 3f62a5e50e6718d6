/*
 * apic_timer: the local APIC timer in every mode the CPU offers, with
 * the achieved interrupt rate measured against the TSC.
 *
 * Command line (optional):
 *   mode=all     xapic, x2apic or all (xapic first: leaving x2APIC needs a
 *                trip through "disabled", SDM Vol. 3A 11.12.5)
 *   timer=all    oneshot, periodic, deadline or all
 *   hz=100       target interrupt rate
 *   count=50     interrupts per test
 *
 * Per test: "APIC mode=xapic timer=periodic target_hz=100 measured_hz=99.8
 * interrupts=50 first_to_last_us=.. run_hz=.." where measured_hz covers
 * first to last interrupt and run_hz arming to last; or "APIC mode=..
 * timer=.. skip reason=.." when CPUID.1:ECX lacks x2APIC (bit 21) or
 * TSC-deadline (bit 24). RESULT ok when every test ran within 10% of the
 * target, else fail reason=out-of-tolerance tests=<mode>/<timer>,...
 * The wait loop is "sti; hlt": a timer that never fires hangs the guest
 * after its "armed" line.
 */
#include "apic.h"
#include "guest.h"
#include "idt.h"
#include "timing.h"

#define TIMER_VECTOR 0x40
#define TOLERANCE_PERCENT 10

enum timer_kind { T_ONESHOT, T_PERIODIC, T_DEADLINE, T_KINDS };

static const char *const mode_names[] = { "xapic", "x2apic" };
static const char *const timer_names[] = { "oneshot", "periodic", "deadline" };

struct run {
	enum timer_kind kind;
	uint32_t target;        /* interrupts wanted */
	uint32_t initial;       /* count for one-shot/periodic */
	uint32_t divider;       /* timer divide value for one-shot/periodic */
	uint64_t period_tsc;    /* one period in TSC ticks */
	uint64_t next_deadline;
	uint64_t armed, first, last;
	volatile uint32_t ticks;
};

static struct run *volatile cur;

struct summary {
	unsigned tested, skipped;
	char bad[128];
	size_t bad_len;
};

static void timer_stop(enum timer_kind kind)
{
	/* Disarm while still in TSC-deadline mode: elsewhere the MSR is ignored. */
	if (kind == T_DEADLINE)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INITIAL, 0);
}

/*
 * Aim the next one-shot at the n+1-th period boundary since arming, not
 * one period from now: handler latency (large in emulators) would
 * otherwise add up, and that measures the guest, not the timer.
 */
static uint32_t oneshot_count(const struct run *r, uint32_t n, uint64_t now)
{
	uint64_t due = r->armed + (n + 1) * r->period_tsc, bus;

	if (due <= now)
		return 1;
	bus = (due - now) * apic_bus_khz() / tsc_khz() / r->divider;
	if (bus > r->initial)
		bus = r->initial; /* never longer than a whole period */
	return bus ? (uint32_t)bus : 1;
}

static void timer_interrupt(struct trap_frame *f)
{
	struct run *r = cur;
	uint64_t now = rdtsc();
	uint32_t n;

	(void)f;
	if (!r) {
		apic_eoi();
		return;
	}
	n = ++r->ticks;
	if (n == 1)
		r->first = now;
	if (n <= r->target)
		r->last = now;
	if (n >= r->target) {
		timer_stop(r->kind);
	} else if (r->kind == T_ONESHOT) {
		apic_write(APIC_TIMER_INITIAL, oneshot_count(r, n, now));
	} else if (r->kind == T_DEADLINE) {
		/* From the previous deadline, not from now: no drift. */
		r->next_deadline += r->period_tsc;
		wrmsr(MSR_IA32_TSC_DEADLINE, r->next_deadline);
	}
	apic_eoi();
}

/* Initial count and divider for hz; 0 when the bus rate is unknown. */
static uint32_t timer_count(uint32_t hz, unsigned *divider)
{
	uint64_t ticks = (uint64_t)apic_bus_khz() * 1000 / hz;

	for (*divider = 1; *divider < 128 && ticks / *divider > 0xffffffffu;)
		*divider *= 2;
	ticks /= *divider;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	return (uint32_t)ticks;
}

static int timer_arm(struct run *r, uint32_t hz)
{
	unsigned divider;

	r->period_tsc = (uint64_t)tsc_khz() * 1000 / hz;
	if (r->kind == T_DEADLINE) {
		apic_write(APIC_LVT_TIMER, TIMER_VECTOR | APIC_TIMER_TSC_DEADLINE);
		/* SDM 11.5.4.1: order the LVT write before the WRMSR. */
		(void)apic_read(APIC_LVT_TIMER);
		asm volatile("mfence" : : : "memory");
		r->armed = rdtsc();
		r->next_deadline = r->armed + r->period_tsc;
		wrmsr(MSR_IA32_TSC_DEADLINE, r->next_deadline);
		return 0;
	}
	r->initial = timer_count(hz, &divider);
	if (!r->initial)
		return -1;
	r->divider = divider;
	apic_write(APIC_TIMER_DIVIDE, apic_divide_code(divider));
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR | (r->kind == T_PERIODIC ?
		   APIC_TIMER_PERIODIC : APIC_TIMER_ONESHOT));
	r->armed = rdtsc();
	apic_write(APIC_TIMER_INITIAL, r->initial);
	return 0;
}

/* Rate in tenths of Hz for n intervals over ticks of TSC. */
static uint64_t rate_x10(uint32_t n, uint64_t ticks)
{
	return ticks ? (uint64_t)n * tsc_khz() * 10000 / ticks : 0;
}

static void note_bad(struct summary *s, enum apic_mode m, enum timer_kind k)
{
	s->bad_len += snprintf(s->bad + s->bad_len, sizeof(s->bad) - s->bad_len,
			       "%s%s/%s", s->bad_len ? "," : "", mode_names[m],
			       timer_names[k]);
	if (s->bad_len >= sizeof(s->bad))
		s->bad_len = sizeof(s->bad) - 1;
}

static void timer_test(enum apic_mode m, enum timer_kind k, uint32_t hz,
		       uint32_t count, struct summary *s)
{
	static struct run r;
	uint64_t hz10, run10;

	r = (struct run){ .kind = k, .target = count };
	printf("PROGRESS apic_timer mode=%s timer=%s armed\n", mode_names[m],
	       timer_names[k]);
	cli();
	cur = &r;
	if (timer_arm(&r, hz)) {
		cur = NULL;
		printf("APIC mode=%s timer=%s fail reason=no-bus-frequency\n",
		       mode_names[m], timer_names[k]);
		note_bad(s, m, k);
		return;
	}
	while (r.ticks < count)
		sti_hlt_cli();
	cur = NULL;
	hz10 = rate_x10(count - 1, r.last - r.first);
	run10 = rate_x10(count, r.last - r.armed);
	printf("APIC mode=%s timer=%s target_hz=%u measured_hz=%llu.%u "
	       "interrupts=%u first_to_last_us=%llu run_hz=%llu.%u\n",
	       mode_names[m], timer_names[k], hz, hz10 / 10, (unsigned)(hz10 % 10),
	       count, tsc_to_us(r.last - r.first), run10 / 10,
	       (unsigned)(run10 % 10));
	s->tested++;
	if (hz10 * 100 < (uint64_t)hz * 10 * (100 - TOLERANCE_PERCENT) ||
	    hz10 * 100 > (uint64_t)hz * 10 * (100 + TOLERANCE_PERCENT))
		note_bad(s, m, k);
}

static void mode_tests(enum apic_mode m, const char *timers, uint32_t hz,
		       uint32_t count, struct summary *s)
{
	uint32_t ecx = apic_cpuid1_ecx();
	enum timer_kind k;

	for (k = 0; k < T_KINDS; k++) {
		if (strcmp(timers, "all") && strcmp(timers, timer_names[k]))
			continue;
		if (m == APIC_X2APIC && !(ecx & CPUID1_ECX_X2APIC)) {
			printf("APIC mode=%s timer=%s skip reason=no-x2apic\n",
			       mode_names[m], timer_names[k]);
		} else if (k == T_DEADLINE && !(ecx & CPUID1_ECX_TSC_DEADLINE)) {
			printf("APIC mode=%s timer=%s skip reason=no-tsc-deadline\n",
			       mode_names[m], timer_names[k]);
		} else {
			if (apic_enable(m))
				guest_fail("reason=apic-enable-refused mode=%s",
					   mode_names[m]);
			if (!apic_bus_khz())
				guest_fail("reason=no-bus-frequency");
			timer_test(m, k, hz, count, s);
			continue;
		}
		s->skipped++;
	}
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t hz = (uint32_t)cmdline_u64("hz", 100);
	uint32_t count = (uint32_t)cmdline_u64("count", 50);
	struct summary s = { 0 };
	char mode[8], timers[10];
	enum apic_mode m;

	(void)magic;
	(void)mbi;
	guest_start("apic_timer");
	if (!cmdline_get("mode", mode, sizeof(mode)))
		memcpy(mode, "all", 4);
	if (!cmdline_get("timer", timers, sizeof(timers)))
		memcpy(timers, "all", 4);
	if (hz < 1 || hz > 100000 || count < 2)
		guest_fail("reason=bad-arguments hz=%u count=%u", hz, count);
	if (!tsc_khz())
		guest_fail("reason=no-tsc-frequency");
	idt_set_handler(TIMER_VECTOR, timer_interrupt);
	printf("PROGRESS apic_timer tsc_khz=%u tsc_source=%s cpuid1_ecx=0x%x\n",
	       tsc_khz(), tsc_source(), apic_cpuid1_ecx());
	for (m = APIC_XAPIC; m <= APIC_X2APIC; m++) {
		if (!strcmp(mode, "all") || !strcmp(mode, mode_names[m]))
			mode_tests(m, timers, hz, count, &s);
	}
	printf("PROGRESS apic_timer bus_khz=%u bus_source=%s spurious=%u\n",
	       apic_bus_khz(), apic_bus_source(), idt_spurious_count);
	if (s.bad_len)
		guest_fail("reason=out-of-tolerance tests=%s tested=%u", s.bad, s.tested);
	if (!s.tested)
		guest_fail("reason=nothing-tested skipped=%u", s.skipped);
	guest_ok("tested=%u skipped=%u", s.tested, s.skipped);
}
