/*
 * TSC frequency from the hypervisor's CPUID leaf or from the 8254 PIT:
 * channel 2, gated through port 0x61 bit 0 (speaker off, bit 1), its
 * count read back with the counter-latch command (8254 data sheet).
 */
#include "guest.h"
#include "timing.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PIT_CMD_CH2_LATCH 0x80      /* counter latch command, channel 2 */
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PIT_WINDOW_TICKS 35795      /* 30 ms; the 16-bit count wraps at 54.9 */
#define PIT_WINDOWS 5
#define PIT_SAMPLE_TRIES 5
#define PIT_WAIT_SPINS 1000000u

struct pit_sample {
	uint16_t pit; /* PIT channel 2 count (counts down) */
	uint64_t ctr; /* the caller's counter (counts up) */
};

static uint32_t tsc_khz_cached;
static const char *tsc_src = "none";

int hv_present(void)
{
	struct cpuid_regs r;
	char sig[13];

	cpuid(HV_LEAF_BASE, 0, &r);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	return !strcmp(sig, HV_SIGNATURE) && r.eax >= HV_LEAF_TIMING;
}

void hv_timing(uint32_t *tsc, uint32_t *bus)
{
	struct cpuid_regs r = { 0 };

	if (hv_present())
		cpuid(HV_LEAF_TIMING, 0, &r);
	if (tsc)
		*tsc = r.eax;
	if (bus)
		*bus = r.ebx;
}

static uint16_t pit_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, PIT_CMD_CH2_LATCH);
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return (uint16_t)(lo | hi << 8);
}

/*
 * Read the PIT and the counter together, keeping the try whose TSC
 * bracket was tightest: an emulator descheduled in the middle of a try
 * (a loaded host) makes that try's bracket long, not the result wrong.
 */
static void pit_sample(uint64_t (*read)(void), struct pit_sample *s)
{
	uint64_t best = ~0ull, t0, t1, c;
	uint16_t p;
	int i;

	for (i = 0; i < PIT_SAMPLE_TRIES; i++) {
		t0 = rdtsc();
		p = pit_count();
		c = read();
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			s->pit = p;
			s->ctr = c;
		}
	}
}

/* One window: counts of read() per millisecond (kHz); 0 without a PIT. */
static uint64_t pit_window_khz(uint64_t (*read)(void))
{
	struct pit_sample a, b;
	uint32_t i, elapsed;

	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	pit_sample(read, &a);
	for (i = 0;; i++) {
		if (i == PIT_WAIT_SPINS)
			return 0; /* nothing counts there */
		if ((uint16_t)(a.pit - pit_count()) >= PIT_WINDOW_TICKS)
			break;
	}
	pit_sample(read, &b);
	elapsed = (uint16_t)(a.pit - b.pit);
	if (!elapsed)
		return 0;
	return (b.ctr - a.ctr) * PIT_HZ / ((uint64_t)elapsed * 1000);
}

uint32_t pit_rate_khz(uint64_t (*read)(void))
{
	uint64_t w[PIT_WINDOWS], v;
	int i, j;

	/* The median shrugs off a window that a long stall wrapped. */
	for (i = 0; i < PIT_WINDOWS; i++) {
		v = pit_window_khz(read);
		if (!v)
			return 0;
		for (j = i; j > 0 && w[j - 1] > v; j--)
			w[j] = w[j - 1];
		w[j] = v;
	}
	v = w[PIT_WINDOWS / 2];
	return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

static uint64_t rdtsc_read(void)
{
	return rdtsc();
}

uint32_t tsc_khz(void)
{
	if (tsc_khz_cached)
		return tsc_khz_cached;
	hv_timing(&tsc_khz_cached, NULL);
	if (tsc_khz_cached) {
		tsc_src = "cpuid";
		return tsc_khz_cached;
	}
	tsc_khz_cached = pit_rate_khz(rdtsc_read);
	if (tsc_khz_cached)
		tsc_src = "pit";
	return tsc_khz_cached;
}

const char *tsc_source(void)
{
	return tsc_src;
}

uint64_t tsc_to_us(uint64_t ticks)
{
	uint32_t khz = tsc_khz();

	if (!khz)
		return 0;
	/* ticks * 1000 / khz, split so huge tick counts cannot overflow. */
	return (ticks / khz) * 1000 + (ticks % khz) * 1000 / khz;
}
