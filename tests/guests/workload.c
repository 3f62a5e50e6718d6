/*
 * workload: a memory-writing guest whose RAM contents can be checked, for
 * dirty tracking and live migration.
 *
 * Command line (multiboot cmdline words, all optional):
 *   pages=1024   4 KiB pages to write (default 4 MiB); 0 = all free RAM
 *                above the image and the boot information
 *   rounds=3     passes over the pages; 0 = run forever
 *   rate=0       write throttle in KiB/s (TSC-paced); 0 = as fast as possible
 *   verify=1     1: check every page after every round;
 *                0: check only after the last round (never when rounds=0)
 *   touch=0      words (of 1024) each round after the first rewrites per
 *                page; 0 = all. A page then changes by 4*touch bytes a
 *                round, the case page deltas are for; rate still counts
 *                whole pages, so the same pages are dirtied per second
 *
 * Every 32-bit word of page p in round r holds a value derived from
 * (p, r, word index), so a page lost, stale (older round) or misplaced
 * (another page's data) is caught by verification (lib/wlcore.c, shared
 * with the 64-bit long64 guest).
 *
 * gap_max_us in each PROGRESS line is the longest time, by the guest's
 * own TSC, between two consecutive pages written or verified in that
 * round: a migration's pause shows up there as the guest saw it.
 *
 * Output: first "MODULE index=I size=BYTES fnv1a=0xHASH name=STRING" for
 * each multiboot module (FNV-1a 32-bit over its bytes, so a test can see
 * the module arrived whole), "PROGRESS workload modules=N"; then
 * "PROGRESS workload round=R pages=N mib_written=M ... gap_max_us=G" per round,
 * then "RESULT workload ok rounds=.. pages=.. mib_written=.." or
 * "RESULT workload fail reason=mismatch round=.. page=.. addr=.. ...".
 */
#include "guest.h"
#include "timing.h"
#include "wlcore.h"

struct workload {
	uint32_t base;        /* guest-physical address of page 0 */
	uint32_t pages;
	uint32_t rounds;      /* 0: forever */
	uint32_t rate_kib;    /* 0: unthrottled */
	uint32_t verify_each; /* verify after every round */
	uint32_t touch;       /* words rewritten per page after round 0; 0 = all */
	uint32_t khz;         /* TSC frequency, for the throttle */
	uint64_t bytes_written;
	struct wl_gap gap;    /* longest stop between pages, for gap_max_us */
};

static volatile uint32_t *page_addr(const struct workload *wl, uint32_t page)
{
	return (volatile uint32_t *)(wl->base + page * PAGE_SIZE);
}

static void round_write(struct workload *wl, uint32_t round)
{
	uint64_t start = rdtsc(), per_page = wl_page_ticks(wl->khz, wl->rate_kib);
	uint32_t p;

	for (p = 0; p < wl->pages; p++) {
		/* paced from the round's start: a late page is caught up, not skipped */
		wl_wait_until(per_page ? start + p * per_page : 0);
		wl_page_fill_touched(page_addr(wl, p), p, round, wl->touch);
		wl->bytes_written += round && wl->touch ? wl->touch * 4 : PAGE_SIZE;
		wl_gap_step(&wl->gap);
	}
	wl_wait_until(per_page ? start + wl->pages * per_page : 0);
}

static void round_verify(struct workload *wl, uint32_t round)
{
	uint32_t p;

	for (p = 0; p < wl->pages; p++) {
		const volatile uint32_t *w = page_addr(wl, p);
		int bad = wl_page_check_touched(w, p, round, wl->touch);

		if (bad >= 0)
			guest_fail("reason=mismatch round=%u page=%u addr=0x%x "
				   "word=%d expected=0x%x got=0x%x", round + 1, p,
				   (uint32_t)&w[bad], bad,
				   wl_word_touched(p, round, (uint32_t)bad, wl->touch), w[bad]);
		wl_gap_step(&wl->gap);
	}
}

/* FNV-1a, 32 bits, over n bytes at p. */
static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 0x811c9dc5u;

	while (n--) {
		h ^= *p++;
		h *= 0x01000193u;
	}
	return h;
}

/* Report each multiboot module the loader handed over (Multiboot 0.6.96,
 * section 3.3: mods_addr points at mods_count {start, end, string}). */
static void workload_modules(const struct mb_info *mbi)
{
	const struct mb_module *mods;
	uint32_t i, n = 0;

	if (mbi && (mbi->flags & MB_INFO_MODS)) {
		n = mbi->mods_count;
		mods = (const struct mb_module *)mbi->mods_addr;
		for (i = 0; i < n; i++) {
			uint32_t size = mods[i].end - mods[i].start;

			if (mods[i].end < mods[i].start)
				guest_fail("reason=bad-module index=%u start=0x%x end=0x%x",
					   i, mods[i].start, mods[i].end);
			printf("MODULE index=%u size=%u fnv1a=0x%08x name=%s\n", i, size,
			       fnv1a((const uint8_t *)mods[i].start, size),
			       mods[i].string ? (const char *)mods[i].string : "");
		}
	}
	printf("PROGRESS workload modules=%u\n", n);
}

static void workload_setup(struct workload *wl)
{
	uint64_t ram_end = mbi_ram_end();
	uint32_t free_pages;

	wl->base = mbi_free_start();
	wl->pages = (uint32_t)cmdline_u64("pages", 1024);
	wl->rounds = (uint32_t)cmdline_u64("rounds", 3);
	wl->rate_kib = (uint32_t)cmdline_u64("rate", 0);
	wl->verify_each = cmdline_u64("verify", 1) != 0;
	wl->touch = (uint32_t)cmdline_u64("touch", 0);
	if (wl->touch >= WL_WORDS_PER_PAGE)
		wl->touch = 0;
	if (ram_end > 0xffffffffull)
		ram_end = 0x100000000ull - PAGE_SIZE; /* 32-bit flat addressing */
	if (ram_end <= wl->base)
		guest_fail("reason=no-ram ram_end=0x%llx free_start=0x%x",
			   (unsigned long long)ram_end, wl->base);
	free_pages = (uint32_t)((ram_end - wl->base) / PAGE_SIZE);
	if (!wl->pages)
		wl->pages = free_pages;
	if (wl->pages > free_pages)
		guest_fail("reason=not-enough-ram pages=%u free_pages=%u",
			   wl->pages, free_pages);
	wl->khz = tsc_khz(); /* for the throttle and gap_max_us */
	if (wl->rate_kib && !wl->khz)
		guest_fail("reason=no-tsc-frequency");
	printf("PROGRESS workload config pages=%u rounds=%u rate_kib=%u verify=%s touch=%u "
	       "base=0x%x ram_end=0x%llx tsc_khz=%u tsc_source=%s\n", wl->pages,
	       wl->rounds, wl->rate_kib, wl->verify_each ? "each" : "end", wl->touch,
	       wl->base, (unsigned long long)ram_end, wl->khz, tsc_source());
}

int main(uint32_t magic, const struct mb_info *mbi)
{
	struct workload wl = { 0 };
	uint32_t round;

	(void)magic;
	guest_start("workload");
	workload_modules(mbi);
	workload_setup(&wl);
	for (round = 0; !wl.rounds || round < wl.rounds; round++) {
		uint64_t t0 = rdtsc(), t1;

		round_write(&wl, round);
		t1 = rdtsc();
		if (wl.verify_each || round + 1 == wl.rounds)
			round_verify(&wl, round);
		printf("PROGRESS workload round=%u pages=%u mib_written=%llu "
		       "verified=%s write_cycles=%llu gap_max_us=%llu\n", round + 1, wl.pages,
		       (unsigned long long)(wl.bytes_written >> 20),
		       (wl.verify_each || round + 1 == wl.rounds) ? "yes" : "no",
		       (unsigned long long)(t1 - t0),
		       (unsigned long long)tsc_to_us(wl_gap_take(&wl.gap)));
	}
	guest_ok("rounds=%u pages=%u mib_written=%llu gap_worst_us=%llu", wl.rounds, wl.pages,
		 (unsigned long long)(wl.bytes_written >> 20),
		 (unsigned long long)tsc_to_us(wl.gap.worst));
}
