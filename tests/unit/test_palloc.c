/* Unit tests for lib/palloc.c: the buddy allocator over made-up frames. */
#include <stdio.h>
#include <stdlib.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/palloc.h"

#define PG(n) ((uint64_t)(n) << PAGE_SHIFT)

static struct palloc pa;
static void *meta;
static size_t meta_len;

static void arena_init(uint64_t base_pfn, uint64_t nframes)
{
	free(meta);
	meta_len = palloc_meta_bytes(nframes);
	meta = malloc(meta_len ? meta_len : 1);
	palloc_init(&pa, base_pfn, nframes, meta);
}

static uint64_t blocks_pages(const struct palloc *p)
{
	uint64_t sum = 0;
	unsigned k;

	for (k = 0; k <= PALLOC_MAX_ORDER; k++)
		sum += p->free_blocks[k] << k;
	return sum;
}

/* The whole allocator state, to prove a rejected call changed nothing. */
struct snapshot {
	struct palloc pa;
	unsigned char *meta;
};

static void snap_take(struct snapshot *s)
{
	s->pa = pa;
	s->meta = malloc(meta_len);
	memcpy(s->meta, meta, meta_len);
}

static bool snap_same(struct snapshot *s)
{
	bool same = memcmp(&s->pa, &pa, sizeof(pa)) == 0 &&
		    memcmp(s->meta, meta, meta_len) == 0;

	free(s->meta);
	return same;
}

TEST init_has_nothing_free(void)
{
	arena_init(0x100, 64);
	ASSERT(palloc_meta_bytes(64) >= 64 * 6);
	ASSERT(palloc_meta_bytes(128) == 2 * palloc_meta_bytes(64));
	ASSERT_EQ(0, pa.free_pages);
	ASSERT_EQ(0, pa.total_pages);
	ASSERT_EQ(PALLOC_NONE, palloc_alloc(&pa, 0));
	PASS();
}

TEST add_splits_into_maximal_aligned_blocks(void)
{
	arena_init(0x100, 0x1000);
	ASSERT_EQ(0x1000, palloc_add_range(&pa, PG(0x100), 0x1000));
	ASSERT_EQ(0x1000, pa.free_pages);
	ASSERT_EQ(0x1000, pa.total_pages);
	/* [0x100, 0x1100): 0x100/8, 0x200/9, 0x400/10, 0x800/11, 0x1000/8 */
	ASSERT_EQ(2, pa.free_blocks[8]);
	ASSERT_EQ(1, pa.free_blocks[9]);
	ASSERT_EQ(1, pa.free_blocks[10]);
	ASSERT_EQ(1, pa.free_blocks[11]);
	ASSERT_EQ(0, pa.free_blocks[0]);
	ASSERT_EQ(0x1000, blocks_pages(&pa));
	PASS();
}

TEST add_unaligned_and_clipped_ranges(void)
{
	arena_init(16, 64); /* frames [16, 80) */
	/* 0x1800 + 3 pages covers whole pages 2 and 3 only: outside. */
	ASSERT_EQ(0, palloc_add_range(&pa, 0x1800, 3));
	/* Ragged start inside: [16.5, 19.5) pages gives frames 17, 18. */
	ASSERT_EQ(2, palloc_add_range(&pa, PG(16) + 0x800, 3));
	ASSERT_EQ(2, pa.free_pages);
	/* Clipped at both ends of the managed frames. */
	ASSERT_EQ(5, palloc_add_range(&pa, PG(10), 13)); /* 16, 19..22 new */
	ASSERT_EQ(3, palloc_add_range(&pa, PG(77), 100));
	ASSERT_EQ(0, palloc_add_range(&pa, PG(80), 10));
	ASSERT_EQ(0, palloc_add_range(&pa, PG(0), 16));
	ASSERT_EQ(0, palloc_add_range(&pa, UINT64_MAX - 5, 1000));
	ASSERT_EQ(0, palloc_add_range(&pa, PG(20), 0));
	ASSERT_EQ(10, pa.free_pages);
	ASSERT_EQ(10, pa.total_pages);
	ASSERT_EQ(pa.free_pages, blocks_pages(&pa));
	PASS();
}

TEST add_overlapping_ranges_count_once(void)
{
	arena_init(0, 64);
	ASSERT_EQ(10, palloc_add_range(&pa, PG(10), 10));
	ASSERT_EQ(10, palloc_add_range(&pa, PG(15), 15)); /* 20..29 new */
	ASSERT_EQ(0, palloc_add_range(&pa, PG(10), 20));
	ASSERT_EQ(20, pa.free_pages);
	ASSERT_EQ(20, pa.total_pages);
	ASSERT_EQ(20, blocks_pages(&pa));
	PASS();
}

TEST add_coalesces_with_free_buddies(void)
{
	unsigned i;

	arena_init(0, 64);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1, palloc_add_range(&pa, PG(7 - i), 1));
	ASSERT_EQ(1, pa.free_blocks[3]);
	ASSERT_EQ(0, pa.free_blocks[0] + pa.free_blocks[1] + pa.free_blocks[2]);
	ASSERT_EQ(8, palloc_add_range(&pa, PG(8), 8));
	ASSERT_EQ(1, pa.free_blocks[4]);
	ASSERT_EQ(0, pa.free_blocks[3]);
	ASSERT_EQ(0, palloc_alloc(&pa, 4));
	PASS();
}

TEST add_skips_allocated_frames(void)
{
	hpa_t a;

	arena_init(0, 16);
	ASSERT_EQ(16, palloc_add_range(&pa, 0, 16));
	a = palloc_alloc(&pa, 2);
	ASSERT(a != PALLOC_NONE);
	ASSERT_EQ(0, palloc_add_range(&pa, 0, 16));
	ASSERT_EQ(12, pa.free_pages);
	ASSERT_EQ(16, pa.total_pages);
	ASSERT_EQ(0, palloc_free(&pa, a, 2));
	ASSERT_EQ(1, pa.free_blocks[4]);
	PASS();
}

TEST alloc_every_order_aligned(void)
{
	unsigned k;
	uint64_t base = 3; /* deliberately misaligned start */
	uint64_t n = (1ULL << (PALLOC_MAX_ORDER + 1)) + 100;
	uint64_t before[PALLOC_MAX_ORDER + 1];

	arena_init(base, n);
	ASSERT_EQ(n, palloc_add_range(&pa, PG(base), n));
	memcpy(before, pa.free_blocks, sizeof(before));
	for (k = 0; k <= PALLOC_MAX_ORDER; k++) {
		uint64_t free_before = pa.free_pages;
		hpa_t a = palloc_alloc(&pa, k);

		ASSERT(a != PALLOC_NONE);
		ASSERT_EQ(0, (a >> PAGE_SHIFT) & ((1ULL << k) - 1));
		ASSERT(a >= PG(base) && a + PG(1ULL << k) <= PG(base + n));
		ASSERT_EQ(free_before - (1ULL << k), pa.free_pages);
		ASSERT_EQ(pa.free_pages, blocks_pages(&pa));
		ASSERT_EQ(0, palloc_free(&pa, a, k));
		ASSERT_EQ(free_before, pa.free_pages);
		ASSERT_MEM_EQ(before, pa.free_blocks, sizeof(before));
	}
	ASSERT_EQ(PALLOC_NONE, palloc_alloc(&pa, PALLOC_MAX_ORDER + 1));
	ASSERT_EQ(PALLOC_NONE, palloc_alloc(&pa, 1000));
	PASS();
}

static void shuffle(hpa_t *a, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)rand() % i;
		hpa_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

TEST exhaust_then_recover_by_coalescing(void)
{
	uint64_t n = 1000, before[PALLOC_MAX_ORDER + 1], i, got = 0;
	hpa_t *blocks = malloc(n * sizeof(*blocks));

	arena_init(7, n);
	ASSERT_EQ(n, palloc_add_range(&pa, PG(7), n));
	memcpy(before, pa.free_blocks, sizeof(before));
	for (;;) {
		hpa_t a = palloc_alloc(&pa, 0);

		if (a == PALLOC_NONE)
			break;
		ASSERT(got < n);
		blocks[got++] = a;
	}
	ASSERT_EQ(n, got);
	ASSERT_EQ(0, pa.free_pages);
	ASSERT_EQ(0, blocks_pages(&pa));
	srand(42);
	shuffle(blocks, got);
	for (i = 0; i < got; i++)
		ASSERT_EQ(0, palloc_free(&pa, blocks[i], 0));
	ASSERT_EQ(n, pa.free_pages);
	ASSERT_MEM_EQ(before, pa.free_blocks, sizeof(before));
	free(blocks);
	PASS();
}

TEST exhaust_large_order_then_recover(void)
{
	uint64_t before[PALLOC_MAX_ORDER + 1];
	hpa_t blocks[65];
	int n = 0, i;

	arena_init(0, 1024);
	ASSERT_EQ(1024, palloc_add_range(&pa, 0, 1024));
	memcpy(before, pa.free_blocks, sizeof(before));
	while ((blocks[n] = palloc_alloc(&pa, 4)) != PALLOC_NONE)
		n++;
	ASSERT_EQ(64, n);
	ASSERT_EQ(PALLOC_NONE, palloc_alloc(&pa, 0));
	for (i = n - 1; i >= 0; i -= 2)
		ASSERT_EQ(0, palloc_free(&pa, blocks[i], 4));
	for (i = n - 2; i >= 0; i -= 2)
		ASSERT_EQ(0, palloc_free(&pa, blocks[i], 4));
	ASSERT_MEM_EQ(before, pa.free_blocks, sizeof(before));
	ASSERT_EQ(1, pa.free_blocks[10]);
	PASS();
}

TEST bad_frees_change_nothing(void)
{
	struct snapshot s;
	hpa_t a, b;

	arena_init(0x40, 256);
	palloc_add_range(&pa, PG(0x40), 256);
	a = palloc_alloc(&pa, 3);
	b = palloc_alloc(&pa, 0);
	ASSERT(a != PALLOC_NONE && b != PALLOC_NONE);

	snap_take(&s);
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a, 2));      /* wrong order, smaller */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a, 4));      /* wrong order, larger */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a + 1, 3));  /* not page aligned */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a + PG(1), 0)); /* a tail frame */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a + PG(4), 2)); /* inside the block */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, PG(0x3f), 0));  /* below the range */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, PG(0x140), 0)); /* above the range */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, UINT64_MAX & PAGE_MASK, 0));
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a, PALLOC_MAX_ORDER + 1));
	ASSERT_EQ(-EINVAL, palloc_free(&pa, b, 1));
	ASSERT(snap_same(&s));

	ASSERT_EQ(0, palloc_free(&pa, b, 0));
	snap_take(&s);
	ASSERT_EQ(-EINVAL, palloc_free(&pa, b, 0));      /* double free */
	ASSERT(snap_same(&s));
	ASSERT_EQ(0, palloc_free(&pa, a, 3));
	snap_take(&s);
	ASSERT_EQ(-EINVAL, palloc_free(&pa, a, 3));      /* double free, merged */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, PG(0x40), 6)); /* free, never allocated */
	ASSERT(snap_same(&s));
	ASSERT_EQ(256, pa.free_pages);
	PASS();
}

TEST the_last_page_of_the_address_space_can_be_added(void)
{
	uint64_t last = UINT64_MAX >> PAGE_SHIFT; /* the page at 2^64 - 4096 */

	arena_init(last, 1);
	ASSERT_EQ(0, palloc_add_range(&pa, PG(last) + 1, 1)); /* ragged: no whole page */
	ASSERT_EQ(1, palloc_add_range(&pa, PG(last), 1));
	ASSERT_EQ(1, pa.free_pages);
	ASSERT(palloc_alloc(&pa, 0) == PG(last));
	PASS();
}

TEST never_added_frames_are_rejected(void)
{
	struct snapshot s;

	arena_init(0, 64);
	palloc_add_range(&pa, 0, 32);
	snap_take(&s);
	ASSERT_EQ(-EINVAL, palloc_free(&pa, PG(40), 0)); /* reserved frame */
	ASSERT_EQ(-EINVAL, palloc_free(&pa, PG(32), 5));
	ASSERT(snap_same(&s));
	PASS();
}

TEST order_for_sizes(void)
{
	ASSERT_EQ(0, palloc_order_for(0));
	ASSERT_EQ(0, palloc_order_for(1));
	ASSERT_EQ(0, palloc_order_for(PAGE_SIZE));
	ASSERT_EQ(1, palloc_order_for(PAGE_SIZE + 1));
	ASSERT_EQ(1, palloc_order_for(2 * PAGE_SIZE));
	ASSERT_EQ(2, palloc_order_for(3 * PAGE_SIZE));
	ASSERT_EQ(9, palloc_order_for(MiB(2)));
	ASSERT_EQ(10, palloc_order_for(MiB(2) + 1));
	ASSERT_EQ(18, palloc_order_for(GiB(1)));
	ASSERT_EQ(19, palloc_order_for(GiB(1) + 1));
	ASSERT(palloc_order_for(UINT64_MAX) > PALLOC_MAX_ORDER);
	PASS();
}

/*
 * Random allocs and frees checked against a shadow map of the pages:
 * a page is never handed out twice, never outside what was added, and
 * the counters always add up.
 */
#define STRESS_BASE 5
#define STRESS_FRAMES 5000
#define STRESS_LIVE 4096

struct live_block {
	hpa_t addr;
	unsigned order;
};

static uint8_t added[STRESS_FRAMES], owned[STRESS_FRAMES];
static struct live_block live[STRESS_LIVE];

static enum greatest_test_res stress_take(hpa_t a, unsigned order)
{
	uint64_t first = (a >> PAGE_SHIFT) - STRESS_BASE, i;

	ASSERT_EQ(0, (a >> PAGE_SHIFT) & ((1ULL << order) - 1));
	ASSERT(a >= PG(STRESS_BASE));
	ASSERT(first + (1ULL << order) <= STRESS_FRAMES);
	for (i = first; i < first + (1ULL << order); i++) {
		ASSERT(added[i]);
		ASSERT(!owned[i]);
		owned[i] = 1;
	}
	PASS();
}

static void stress_add(uint64_t from, uint64_t n)
{
	uint64_t i;

	palloc_add_range(&pa, PG(STRESS_BASE + from), n);
	for (i = from; i < from + n && i < STRESS_FRAMES; i++)
		added[i] = 1;
}

TEST stress_against_shadow_map(void)
{
	uint64_t before[PALLOC_MAX_ORDER + 1], used = 0, total = 0, i;
	size_t nlive = 0;
	int op, fails = 0, peak = 0;

	memset(added, 0, sizeof(added));
	memset(owned, 0, sizeof(owned));
	arena_init(STRESS_BASE, STRESS_FRAMES);
	stress_add(0, 1000);
	stress_add(1500, 2000);
	stress_add(3333, 1667);
	stress_add(900, 300); /* overlaps the first range */
	for (i = 0; i < STRESS_FRAMES; i++)
		total += added[i];
	ASSERT_EQ(total, pa.total_pages);
	ASSERT_EQ(total, pa.free_pages);
	memcpy(before, pa.free_blocks, sizeof(before));

	srand(7);
	for (op = 0; op < 100000; op++) {
		bool do_alloc = nlive == 0 || (nlive < STRESS_LIVE && rand() % 100 < 55);

		if (do_alloc) {
			unsigned order = (unsigned)(rand() % 100 < 80 ? rand() % 3 : rand() % 8);
			hpa_t a = palloc_alloc(&pa, order);

			if (a != PALLOC_NONE) {
				CHECK_CALL(stress_take(a, order));
				live[nlive].addr = a;
				live[nlive++].order = order;
				used += 1ULL << order;
			} else {
				fails++;
			}
		} else {
			size_t j = (size_t)rand() % nlive;
			uint64_t first = (live[j].addr >> PAGE_SHIFT) - STRESS_BASE;

			ASSERT_EQ(0, palloc_free(&pa, live[j].addr, live[j].order));
			ASSERT_EQ(-EINVAL, palloc_free(&pa, live[j].addr, live[j].order));
			memset(owned + first, 0, 1ULL << live[j].order);
			used -= 1ULL << live[j].order;
			live[j] = live[--nlive];
		}
		ASSERT_EQ(total - used, pa.free_pages);
		peak = MAX(peak, (int)nlive);
		if (op % 64 == 0)
			ASSERT_EQ(pa.free_pages, blocks_pages(&pa));
	}
	ASSERT(fails > 0); /* the arena really ran dry at times */
	while (nlive) {
		nlive--;
		ASSERT_EQ(0, palloc_free(&pa, live[nlive].addr, live[nlive].order));
	}
	ASSERT_EQ(total, pa.free_pages);
	ASSERT_EQ(total, pa.total_pages);
	ASSERT_MEM_EQ(before, pa.free_blocks, sizeof(before));
	PASS();
}

SUITE(palloc)
{
	SHUFFLED_TESTS({
		RUN_TEST(init_has_nothing_free);
		RUN_TEST(add_splits_into_maximal_aligned_blocks);
		RUN_TEST(add_unaligned_and_clipped_ranges);
		RUN_TEST(the_last_page_of_the_address_space_can_be_added);
		RUN_TEST(add_overlapping_ranges_count_once);
		RUN_TEST(add_coalesces_with_free_buddies);
		RUN_TEST(add_skips_allocated_frames);
		RUN_TEST(alloc_every_order_aligned);
		RUN_TEST(exhaust_then_recover_by_coalescing);
		RUN_TEST(exhaust_large_order_then_recover);
		RUN_TEST(bad_frees_change_nothing);
		RUN_TEST(never_added_frames_are_rejected);
		RUN_TEST(order_for_sizes);
		RUN_TEST(stress_against_shadow_map);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(palloc);
	});
	GREATEST_MAIN_END();
}
