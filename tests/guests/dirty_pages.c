/*
 * dirty_pages: writes a known pseudo-random set of pages and announces
 * it, so a test can check that a dirty-log harvest holds every one.
 *
 * Command line (all optional):
 *   pages=64     pages written per round
 *   rounds=0     rounds to run; 0 = forever
 *   seed=1       seed of the page choice (xorshift32)
 *   delay_ms=200 pause after each round (TSC-paced)
 *   stream=0     1: no announcements, write without pause (for the
 *                pre-copy test: memory keeps changing while harvests run)
 *
 * Pages are chosen from the free RAM above the image and the boot
 * information. In round R each chosen page gets a word that depends on R
 * and the page, at an offset that moves with R, so consecutive rounds
 * change its contents.
 *
 * Output per round (frames are guest-physical page numbers in hex):
 *   "DIRTY round=R part=K frames=F,F,..."  (16 frames a line)
 *   "DIRTY round=R done n=N"
 * printed after the round's writes: when "done" is seen, all of them
 * have happened. With stream=1: "PROGRESS dirty_pages round=R" every 64
 * rounds from round 1. RESULT after the last round.
 */
#include "guest.h"
#include "timing.h"

#define FRAMES_PER_LINE 16

struct dirty_cfg {
	uint32_t first, count; /* frames to choose from */
	uint32_t pages, rounds, delay_ms, stream;
	uint32_t rng;
	uint32_t khz;
};

static uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void setup(struct dirty_cfg *c)
{
	uint64_t end = mbi_ram_end();

	c->first = mbi_free_start() / PAGE_SIZE;
	if (end > 0xffffffffull)
		end = 0x100000000ull - PAGE_SIZE;
	if (end / PAGE_SIZE <= c->first)
		guest_fail("reason=no-ram");
	c->count = (uint32_t)(end / PAGE_SIZE) - c->first;
	c->pages = (uint32_t)cmdline_u64("pages", 64);
	c->rounds = (uint32_t)cmdline_u64("rounds", 0);
	c->delay_ms = (uint32_t)cmdline_u64("delay_ms", 200);
	c->stream = (uint32_t)cmdline_u64("stream", 0);
	c->rng = (uint32_t)cmdline_u64("seed", 1) | 1;
	c->khz = tsc_khz();
	printf("PROGRESS dirty_pages config pages=%u first=0x%x count=%u stream=%u\n", c->pages,
	       c->first, c->count, c->stream);
}

static void write_page(uint32_t frame, uint32_t round)
{
	volatile uint32_t *w = (volatile uint32_t *)(frame * PAGE_SIZE);

	w[(round * 17) % (PAGE_SIZE / 4)] = (frame * 0x9e3779b1u) ^ round;
}

static void announce(uint32_t round, const uint32_t *frames, uint32_t n)
{
	char line[FRAMES_PER_LINE * 9 + 1];
	uint32_t i, len = 0;

	for (i = 0; i < n; i++) {
		len += (uint32_t)snprintf(line + len, sizeof(line) - len, "%s%x",
					  len ? "," : "", frames[i]);
		if ((i + 1) % FRAMES_PER_LINE == 0 || i + 1 == n) {
			printf("DIRTY round=%u part=%u frames=%s\n", round, i / FRAMES_PER_LINE, line);
			len = 0;
		}
	}
	printf("DIRTY round=%u done n=%u\n", round, n);
}

static void pause_ms(const struct dirty_cfg *c, uint32_t ms)
{
	uint64_t end = rdtsc() + (uint64_t)ms * c->khz;

	while (c->khz && rdtsc() < end)
		cpu_pause();
}

static void run_round(struct dirty_cfg *c, uint32_t round)
{
	static uint32_t frames[1024];
	uint32_t i, n = c->pages < 1024 ? c->pages : 1024;

	for (i = 0; i < n; i++) {
		frames[i] = c->first + xorshift32(&c->rng) % c->count;
		write_page(frames[i], round);
	}
	if (c->stream) {
		if (round % 64 == 1)
			printf("PROGRESS dirty_pages round=%u\n", round);
		return;
	}
	announce(round, frames, n);
	pause_ms(c, c->delay_ms);
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	struct dirty_cfg c = { 0 };
	uint32_t round;

	(void)magic;
	(void)mbi;
	guest_start("dirty_pages");
	setup(&c);
	for (round = 1; !c.rounds || round <= c.rounds; round++)
		run_round(&c, round);
	guest_ok("rounds=%u pages=%u", c.rounds, c.pages);
}
