/*
 * Unit tests for arch/x86/ept.c over simulated physical memory
 * (ept_sim.h). Every result is checked with the reference walker
 * (ept_walk.h), which decodes the tables from the SDM without ept.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "greatest.h"
#include "unit_order.h"
#include "tests/unit/ept_model.h"

/* compare 64-bit values, printing them in hex on failure */
#define ASSERT_HX(exp, got) \
	ASSERT_EQ_FMT((unsigned long long)(exp), (unsigned long long)(got), "%#llx")
#define RWX (REF_R | REF_W | REF_X)
#define RX (REF_R | REF_X)

static struct sim sim;
static struct ept ept;
static struct ref_ept ref;
static struct ref_stats stats;
static struct model model;

static void fx_setup(void *unused)
{
	struct ept_mem_ops ops;

	sim_init(&sim);
	ops = sim_ops(&sim);
	if (ept_init(&ept, &ops))
		abort();
	ref = (struct ref_ept){ .map = sim_map, .ctx = &sim, .root = ept.root };
}

static void fx_teardown(void *unused)
{
	ept_destroy(&ept);
	sim_fini(&sim);
}

/* The tree is well formed and the counters match what it holds. */
static enum greatest_test_res check_tree(void)
{
	ref_stats_scan(&ref, &stats, NULL, NULL);
	ASSERT_EQ(0, stats.misconfig);
	ASSERT_EQ(0, stats.shared);
	ASSERT_EQ(0, stats.empty);
	ASSERT_EQ_FMT(stats.tables, ept.table_pages, "%" PRIu64);
	ASSERT_EQ_FMT(stats.small, ept.small_pages, "%" PRIu64);
	ASSERT_EQ_FMT(stats.large, ept.large_pages, "%" PRIu64);
	ASSERT_EQ_FMT(sim_live(&sim), ept.table_pages, "%" PRIu64);
	ASSERT_EQ(0, sim.bad);
	PASS();
}

static struct ref_xlate xl(gpa_t gpa)
{
	struct ref_xlate x = { 0 };

	if (ref_translate(&ref, gpa, &x) != REF_OK)
		x.page_size = 0;
	return x;
}

TEST init_and_eptp_format(void)
{
	uint64_t eptp = ept_eptp(&ept, true);

	ASSERT(sim_index(&sim, ept.root) >= 0);
	ASSERT_EQ(1, ept.table_pages);
	ASSERT_EQ(6, eptp & 7);          /* WB */
	ASSERT_EQ(3, (eptp >> 3) & 7);   /* walk length - 1 */
	ASSERT(eptp & (1ULL << 6));      /* A/D enabled */
	ASSERT_HX(ept.root | 0x5e, eptp);
	ASSERT_HX(ept.root | 0x1e, ept_eptp(&ept, false));
	ASSERT_EQ(-ENOENT, ept_lookup(&ept, 0, NULL, NULL, NULL));
	CHECK_CALL(check_tree());
	PASS();
}

TEST init_out_of_memory(void)
{
	struct ept_mem_ops ops = sim_ops(&sim);
	struct ept e2;
	uint64_t allocs = sim.allocs;

	sim.fail_after = 0;
	ASSERT_EQ(-ENOMEM, ept_init(&e2, &ops));
	ASSERT_EQ(0, e2.root);
	ASSERT_EQ(0, e2.table_pages);
	ept_destroy(&e2);
	ASSERT_EQ(allocs, sim.allocs);
	ASSERT_EQ(0, sim.bad);
	PASS();
}

TEST map_uses_2m_exactly_where_aligned(void)
{
	gpa_t gpa = 0x1ff000, g;
	hpa_t hpa = 0x80001ff000ULL;

	ASSERT_EQ(0, ept_map_range(&ept, gpa, hpa, 0x402000, RWX));
	for (g = gpa; g < gpa + 0x402000; g += 4096) {
		struct ref_xlate x = xl(g + 0x123);
		bool big = g >= 0x200000 && g < 0x600000;

		ASSERT_HX(big ? EPT_PAGE_2M : EPT_PAGE_4K, x.page_size);
		ASSERT_HX(hpa + (g - gpa) + 0x123, x.hpa);
		ASSERT_EQ(RWX | (6 << 3) | REF_IGNORE_PAT, x.entry & 0x7f); /* WB, guest PAT ignored */
		ASSERT_EQ(0, x.entry & (REF_A | REF_D));
	}
	ASSERT_EQ(0, xl(gpa - 4096).page_size);
	ASSERT_EQ(0, xl(0x601000).page_size);
	ASSERT_EQ(2, ept.large_pages);
	ASSERT_EQ(2, ept.small_pages);
	ASSERT_EQ(5, ept.table_pages); /* PML4, PDPT, PD, two PTs */
	CHECK_CALL(check_tree());
	PASS();
}

TEST map_misaligned_hpa_uses_4k(void)
{
	ASSERT_EQ(0, ept_map_range(&ept, 0x200000, 0x80000201000ULL, MiB(4), RX));
	ASSERT_EQ(0, ept.large_pages);
	ASSERT_EQ(1024, ept.small_pages);
	ASSERT_HX(0x80000201000ULL + MiB(3) + 5, xl(0x200000 + MiB(3) + 5).hpa);
	CHECK_CALL(check_tree());
	PASS();
}

TEST map_top_of_space(void)
{
	gpa_t top = EPT_MAX_GPA - MiB(2);
	hpa_t hpa;
	uint64_t leaf, size;

	ASSERT_EQ(0, ept_map_range(&ept, top - 4096, 0xfffffffe00000ULL - 4096, MiB(2) + 4096,
				   REF_X));
	ASSERT_EQ(0, ept_lookup(&ept, EPT_MAX_GPA - 1, &hpa, &leaf, &size));
	ASSERT_HX(0xfffffffffffffULL, hpa);
	ASSERT_EQ(EPT_PAGE_2M, size);
	ASSERT_HX(xl(EPT_MAX_GPA - 1).entry, leaf);
	ASSERT_EQ(EPT_PAGE_4K, xl(top - 1).page_size);
	CHECK_CALL(check_tree());
	PASS();
}

TEST map_rejects_invalid_arguments(void)
{
	uint64_t allocs = sim.allocs;

	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0x1001, 0, 4096, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0x10, 4096, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0, 0x800, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, EPT_MAX_GPA - 4096, 0, 8192, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 4096, 0, ~0xfffULL, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, (1ULL << 52) - 4096, 8192, RWX));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0, 4096, 0));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0, 4096, REF_W));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0, 4096, REF_W | REF_X));
	ASSERT_EQ(-EINVAL, ept_map_range(&ept, 0, 0, 4096, RWX | (1 << 3)));
	ASSERT_EQ(0, ept_map_range(&ept, 0, 0, 0, RWX));
	ASSERT_EQ(allocs, sim.allocs);
	ASSERT_EQ(0, ept.small_pages + ept.large_pages);
	PASS();
}

TEST empty_ranges_ending_at_the_top_are_accepted(void)
{
	uint64_t allocs = sim.allocs;

	/* a range may end exactly at the top of either address space */
	ASSERT_EQ(0, ept_map_range(&ept, EPT_MAX_GPA, 0, 0, RWX));
	ASSERT_EQ(0, ept_map_range(&ept, 0, 1ULL << 52, 0, RWX));
	ASSERT_EQ(0, ept_protect_range(&ept, EPT_MAX_GPA, 0, RWX));
	ASSERT_EQ(allocs, sim.allocs); /* and map nothing */
	PASS();
}

TEST map_eexist_changes_nothing(void)
{
	static const uint64_t tries[][2] = {
		{ MiB(4), 0x4000 }, { 0, MiB(2) + 4096 }, { MiB(3), 4096 }, { 0, MiB(8) },
		{ MiB(4) + 0x2000, MiB(6) },
	};
	uint8_t *before = malloc((size_t)SIM_PAGES * 4096);
	struct ept saved;
	unsigned i;

	ASSERT_EQ(0, ept_map_range(&ept, MiB(2), GiB(4), MiB(2), RWX));
	ASSERT_EQ(0, ept_map_range(&ept, MiB(4) + 0x2000, GiB(5), 4096, RWX));
	memcpy(before, sim.mem, (size_t)SIM_PAGES * 4096);
	saved = ept;
	for (i = 0; i < ARRAY_SIZE(tries); i++)
		ASSERT_EQ(-EEXIST, ept_map_range(&ept, tries[i][0], GiB(8), tries[i][1], RWX));
	ASSERT_MEM_EQ(&saved, &ept, sizeof(ept));
	ASSERT(memcmp(before, sim.mem, (size_t)SIM_PAGES * 4096) == 0);
	free(before);
	CHECK_CALL(check_tree());
	PASS();
}

TEST unmap_splits_and_frees_empty_tables(void)
{
	uint64_t tables = ept.table_pages;
	gpa_t g;

	ASSERT_EQ(0, ept_map_range(&ept, 0, GiB(1), MiB(4), RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x1000, REF_W)); /* 2 MiB leaf dirty */
	ASSERT_EQ(0, ept_unmap_range(&ept, 0x1000, 0x2000));
	ASSERT_EQ(1, ept.large_pages);
	ASSERT_EQ(510, ept.small_pages);
	for (g = 0; g < MiB(2); g += 4096) {
		struct ref_xlate x = xl(g);

		if (g == 0x1000 || g == 0x2000) {
			ASSERT_EQ(0, x.page_size);
			continue;
		}
		ASSERT_EQ(EPT_PAGE_4K, x.page_size);
		ASSERT_HX(GiB(1) + g, x.hpa);
		ASSERT_EQ(RWX | (6 << 3) | REF_IGNORE_PAT | REF_A | REF_D, x.entry & 0x3ff);
	}
	ASSERT_EQ(0, ept_unmap_range(&ept, MiB(2) - 4096, 0x2000));
	ASSERT_EQ(0, ept.large_pages);
	ASSERT_EQ(1020, ept.small_pages);
	CHECK_CALL(check_tree());
	ASSERT_EQ(0, ept_unmap_range(&ept, 0, GiB(2))); /* holes are fine */
	ASSERT_EQ(0, ept.small_pages);
	ASSERT_EQ(tables, ept.table_pages); /* PTs, PD and PDPT freed */
	ASSERT_EQ(sim.allocs - 1, sim.frees);
	ASSERT_EQ(-EINVAL, ept_unmap_range(&ept, 0x800, 4096));
	CHECK_CALL(check_tree());
	PASS();
}

TEST protect_one_page_splits_and_keeps_rest(void)
{
	gpa_t gpa = GiB(1);
	hpa_t hpa = 0x7fe00000;
	uint64_t i;

	ASSERT_EQ(0, ept_map_range(&ept, gpa, hpa, MiB(2), RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, gpa + 5 * 4096, REF_W));
	ASSERT_EQ(0, ept_protect_range(&ept, gpa + 7 * 4096, 4096, RX));
	ASSERT_EQ(0, ept.large_pages);
	ASSERT_EQ(512, ept.small_pages);
	for (i = 0; i < 512; i++) {
		struct ref_xlate x = xl(gpa + i * 4096);

		ASSERT_EQ(EPT_PAGE_4K, x.page_size);
		ASSERT_HX(hpa + i * 4096, x.hpa);
		ASSERT_EQ((i == 7 ? RX : RWX) | (6 << 3) | REF_IGNORE_PAT | REF_A | REF_D, x.entry & 0x3ff);
	}
	ASSERT_EQ(REF_VIOLATION, ref_cpu_access(&ref, gpa + 7 * 4096, REF_W));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, gpa + 8 * 4096, REF_W));
	ASSERT_EQ(0, ept_protect_range(&ept, gpa + 7 * 4096, 4096, RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, gpa + 7 * 4096, REF_W));
	ASSERT_EQ(-EINVAL, ept_protect_range(&ept, gpa, 4096, 0));
	ASSERT_EQ(-EINVAL, ept_protect_range(&ept, gpa, 4096, REF_W));
	CHECK_CALL(check_tree());
	PASS();
}

TEST protect_without_split_when_possible(void)
{
	uint64_t allocs;

	ASSERT_EQ(0, ept_map_range(&ept, MiB(8), MiB(8), MiB(4), RWX));
	allocs = sim.allocs;
	ASSERT_EQ(0, ept_protect_range(&ept, MiB(8) + 4096, 4096, RWX)); /* no change */
	ASSERT_EQ(0, ept_protect_range(&ept, MiB(10), MiB(2), REF_R));  /* whole leaf */
	ASSERT_EQ(0, ept_protect_range(&ept, 0, MiB(8), REF_R));        /* a hole */
	ASSERT_EQ(allocs, sim.allocs);
	ASSERT_EQ(2, ept.large_pages);
	ASSERT_EQ(REF_R, xl(MiB(11)).entry & 7);
	ASSERT_EQ(RWX, xl(MiB(9)).entry & 7);
	CHECK_CALL(check_tree());
	PASS();
}

TEST split_preserves_everything(void)
{
	hpa_t hpa = 0x12345600000ULL;
	uint64_t i, *pte;
	struct ref_xlate x;

	ASSERT_EQ(0, ept_map_range(&ept, MiB(6), hpa, MiB(2), RX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, MiB(6), REF_R));
	ASSERT_EQ(REF_OK, ref_translate(&ref, MiB(6), &x));
	pte = x.path[2];
	*pte |= REF_D | EPT_IGNORE_PAT; /* as if written before the write-protect */
	ASSERT_EQ(0, ept_split_large(&ept, MiB(6) + 12345));
	ASSERT_EQ(REF_OK, ref_translate(&ref, MiB(6), &x));
	ASSERT_EQ(RWX, *x.path[2] & 0x87); /* now a table: R|W|X, no page size bit */
	for (i = 0; i < 512; i++) {
		x = xl(MiB(6) + i * 4096);
		ASSERT_EQ(EPT_PAGE_4K, x.page_size);
		ASSERT_HX(hpa + i * 4096, x.hpa);
		ASSERT_HX(RX | (6 << 3) | EPT_IGNORE_PAT | REF_A | REF_D, x.entry & 0xfff);
	}
	ASSERT_EQ(0, ept.large_pages);
	ASSERT_EQ(512, ept.small_pages);
	ASSERT_EQ(-ENOENT, ept_split_large(&ept, MiB(6)));   /* already split */
	ASSERT_EQ(-ENOENT, ept_split_large(&ept, MiB(20)));  /* unmapped */
	ASSERT_EQ(-ENOENT, ept_split_large(&ept, GiB(300))); /* no PDPT */
	ASSERT_EQ(-ENOENT, ept_split_large(&ept, EPT_MAX_GPA));
	CHECK_CALL(check_tree());
	PASS();
}

struct seen {
	uint64_t n;
	gpa_t gpa[16];
	uint64_t size[16];
};

static void seen_cb(void *ctx, gpa_t gpa, uint64_t size)
{
	struct seen *s = ctx;

	if (s->n < ARRAY_SIZE(s->gpa)) {
		s->gpa[s->n] = gpa;
		s->size[s->n] = size;
	}
	s->n++;
}

TEST harvest_reports_exactly_the_dirty_pages(void)
{
	struct seen s = { 0 };

	ASSERT_EQ(0, ept_map_range(&ept, 0, GiB(2) + 4096, MiB(2), RWX)); /* 4 KiB leaves */
	ASSERT_EQ(0, ept_map_range(&ept, MiB(2), GiB(3), MiB(4), RWX));   /* 2 MiB leaves */
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x3000, REF_W));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x64000 + 7, REF_W));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x1ff000, REF_W));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x5000, REF_R)); /* accessed, not dirty */
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, MiB(4) + 5 * 4096, REF_W));
	ASSERT_EQ(3 + 512, ept_harvest_dirty(&ept, 0, MiB(8), false, NULL, NULL));
	ASSERT_EQ(3 + 512, ept_harvest_dirty(&ept, 0, MiB(8), true, seen_cb, &s));
	ASSERT_EQ(4, s.n);
	ASSERT_EQ(0x3000, s.gpa[0]);
	ASSERT_EQ(0x64000, s.gpa[1]);
	ASSERT_EQ(0x1ff000, s.gpa[2]);
	ASSERT_EQ(MiB(4), s.gpa[3]);
	ASSERT_EQ(EPT_PAGE_4K, s.size[0]);
	ASSERT_EQ(EPT_PAGE_2M, s.size[3]);
	ASSERT_EQ(0, xl(0x3000).entry & REF_D);
	ASSERT_EQ(0, ept_harvest_dirty(&ept, 0, MiB(8), true, seen_cb, &s));
	ASSERT_EQ(4, s.n);
	ASSERT_EQ(EPT_PAGE_2M, xl(MiB(4)).page_size); /* harvesting did not split */
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x3000, REF_W));
	ASSERT_EQ(-EINVAL, ept_harvest_dirty(&ept, 0x3800, 4096, true, NULL, NULL)); /* unaligned */
	ASSERT(xl(0x3000).entry & REF_D);
	CHECK_CALL(check_tree());
	PASS();
}

TEST harvest_partial_large_leaf_keeps_dirty(void)
{
	struct seen s = { 0 };

	ASSERT_EQ(0, ept_map_range(&ept, MiB(2), GiB(3), MiB(2), RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, MiB(3), REF_W));
	ASSERT_EQ(2, ept_harvest_dirty(&ept, MiB(2) + 0x2000, 0x2000, true, seen_cb, &s));
	ASSERT_EQ(MiB(2) + 0x2000, s.gpa[0]);
	ASSERT_EQ(MiB(2) + 0x3000, s.gpa[1]);
	ASSERT_EQ(EPT_PAGE_4K, s.size[1]);
	ASSERT(xl(MiB(2)).entry & REF_D); /* the rest of the leaf still needs it */
	ASSERT_EQ(512, ept_harvest_dirty(&ept, 0, MiB(8), true, NULL, NULL));
	ASSERT_EQ(0, xl(MiB(2)).entry & REF_D);
	PASS();
}

TEST split_then_harvest_loses_no_page(void)
{
	uint64_t n;

	ASSERT_EQ(0, ept_map_range(&ept, 0, GiB(3), MiB(2), RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x7000, REF_W));
	ASSERT_EQ(0, ept_split_large(&ept, 0));
	n = ept_harvest_dirty(&ept, 0, MiB(2), true, NULL, NULL);
	ASSERT_EQ(512, n);
	ASSERT_EQ(0, ept_harvest_dirty(&ept, 0, MiB(2), true, NULL, NULL));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x7000, REF_W));
	ASSERT_EQ(1, ept_harvest_dirty(&ept, 0, MiB(2), true, NULL, NULL));
	PASS();
}

TEST clear_accessed_at_every_level(void)
{
	struct ref_xlate a, b, c;
	int i;

	ASSERT_EQ(0, ept_map_range(&ept, 0, GiB(3), MiB(4), RWX));
	ASSERT_EQ(0, ept_map_range(&ept, GiB(1), GiB(5), 4096, RWX));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, 0x1000, REF_R));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, MiB(3), REF_R));
	ASSERT_EQ(REF_OK, ref_cpu_access(&ref, GiB(1), REF_R));
	ept_clear_accessed(&ept, 0, MiB(4));
	ASSERT_EQ(REF_OK, ref_translate(&ref, 0x1000, &a));
	ASSERT_EQ(REF_OK, ref_translate(&ref, MiB(3), &b));
	ASSERT_EQ(REF_OK, ref_translate(&ref, GiB(1), &c));
	for (i = 0; i < a.steps; i++)
		ASSERT_EQ(0, *a.path[i] & REF_A);
	for (i = 0; i < b.steps; i++)
		ASSERT_EQ(0, *b.path[i] & REF_A);
	ASSERT_EQ(0, *c.path[0] & REF_A); /* the PML4E covers both */
	ASSERT(*c.path[1] & REF_A);       /* outside the range */
	ASSERT(*c.path[3] & REF_A);
	PASS();
}

TEST lookup_agrees_with_reference(void)
{
	uint64_t rng = 12345, i;

	model_init(&model, &ept, &sim, 0, 4 * 512);
	for (i = 0; i < 300; i++)
		if (!model_step(&model, (uint8_t)(sim_rand(&rng) % 12), (uint32_t)sim_rand(&rng),
				(uint32_t)sim_rand(&rng), (uint32_t)sim_rand(&rng)))
			FAILm(model.why);
	ASSERT(ept.small_pages + ept.large_pages > 0);
	for (i = 0; i < 20000; i++) {
		gpa_t gpa = sim_rand(&rng) % (i & 1 ? MiB(9) : 1ULL << 49);

		if (!model_lookup(&model, gpa))
			FAILm(model.why);
	}
	model_fini(&model);
	PASS();
}

TEST out_of_memory_single_ops_change_nothing(void)
{
	uint8_t *before = malloc((size_t)SIM_PAGES * 4096);
	struct ept saved;

	ASSERT_EQ(0, ept_map_range(&ept, 0, GiB(3), MiB(2), RWX));
	memcpy(before, sim.mem, (size_t)SIM_PAGES * 4096);
	saved = ept;
	sim.fail_after = 0;
	ASSERT_EQ(-ENOMEM, ept_unmap_range(&ept, 0, 4096));
	ASSERT_EQ(-ENOMEM, ept_protect_range(&ept, 4096, 4096, REF_R));
	ASSERT_EQ(-ENOMEM, ept_split_large(&ept, 0));
	ASSERT_EQ(-ENOMEM, ept_map_range(&ept, GiB(2), 0, 4096, REF_R));
	ASSERT_EQ(saved.small_pages, ept.small_pages);
	ASSERT_EQ(saved.large_pages, ept.large_pages);
	ASSERT(memcmp(before, sim.mem, (size_t)SIM_PAGES * 4096) == 0);
	free(before);
	PASS();
}

/* Allocators that fail after n tables or at random: no crash, no leak. */
TEST out_of_memory_model(void)
{
	uint64_t rng = 777, i;
	long n;

	for (n = 1; n <= 48; n++) {
		fx_teardown(NULL);
		fx_setup(NULL);
		sim.fail_after = n;
		sim.fail_one_in = n % 3 ? 0 : 5;
		model_init(&model, &ept, &sim, GiB(1) - MiB(8), 8 * 512);
		model.may_fail = true;
		for (i = 0; i < 400; i++)
			if (!model_step(&model, (uint8_t)(sim_rand(&rng) % 12),
					(uint32_t)sim_rand(&rng), (uint32_t)sim_rand(&rng),
					(uint32_t)sim_rand(&rng)))
				FAILm(model.why);
		model_fini(&model);
		ept_destroy(&ept);
		ASSERT_EQ(0, ept.root);
		ASSERT_EQ(0, ept.table_pages + ept.small_pages + ept.large_pages);
		ASSERT_EQ(sim.allocs, sim.frees);
		ASSERT_EQ(0, sim.bad);
	}
	PASS();
}

TEST destroy_frees_every_table(void)
{
	ASSERT_EQ(0, ept_map_range(&ept, 0, 0, MiB(64) + 4096, RWX));
	ASSERT_EQ(0, ept_map_range(&ept, GiB(600), 4096, MiB(3), RWX));
	ASSERT_EQ(0, ept_map_range(&ept, EPT_MAX_GPA - MiB(4), 0, MiB(4), RWX));
	ASSERT_EQ(0, ept_split_large(&ept, MiB(10)));
	CHECK_CALL(check_tree());
	ASSERT(ept.table_pages > 8);
	ept_destroy(&ept);
	ASSERT_EQ(sim.allocs, sim.frees);
	ASSERT_EQ(0, ept.root);
	ASSERT_EQ(0, ept.table_pages + ept.small_pages + ept.large_pages);
	ept_destroy(&ept);
	ASSERT_EQ(sim.allocs, sim.frees);
	ASSERT_EQ(-EINVAL, ept_unmap_range(&ept, 0, 4096));
	ASSERT_EQ(-ENOENT, ept_lookup(&ept, 0, NULL, NULL, NULL));
	ASSERT_EQ(0, sim.bad);
	PASS();
}

static enum greatest_test_res run_model(gpa_t base, uint64_t pages, unsigned ops, uint64_t seed)
{
	uint64_t i, most_large = 0, most_small = 0;

	model_init(&model, &ept, &sim, base, pages);
	for (i = 0; i < ops; i++) {
		if (!model_step(&model, (uint8_t)(sim_rand(&seed) % 12), (uint32_t)sim_rand(&seed),
				(uint32_t)sim_rand(&seed), (uint32_t)sim_rand(&seed)))
			FAILm(model.why);
		most_large = MAX(most_large, ept.large_pages);
		most_small = MAX(most_small, ept.small_pages);
	}
	/* the run reached states with many leaves of both sizes */
	ASSERT(most_large >= 4 && most_small >= 512);
	model_fini(&model);
	PASS();
}

TEST model_check_64m_10k_ops(void)
{
	CHECK_CALL(run_model(0, MiB(64) / 4096, 10000, 0x5eed));
	PASS();
}

/* A window straddling a PML4 entry boundary. */
TEST model_check_across_pml4_boundary(void)
{
	CHECK_CALL(run_model(GiB(512) - MiB(16), MiB(32) / 4096, 3000, 0xfeed));
	PASS();
}

SUITE(ept_suite)
{
	SHUFFLED_TESTS({
		SET_SETUP(fx_setup, NULL);
		SET_TEARDOWN(fx_teardown, NULL);
		RUN_TEST(init_and_eptp_format);
		RUN_TEST(init_out_of_memory);
		RUN_TEST(map_uses_2m_exactly_where_aligned);
		RUN_TEST(map_misaligned_hpa_uses_4k);
		RUN_TEST(map_top_of_space);
		RUN_TEST(map_rejects_invalid_arguments);
		RUN_TEST(empty_ranges_ending_at_the_top_are_accepted);
		RUN_TEST(map_eexist_changes_nothing);
		RUN_TEST(unmap_splits_and_frees_empty_tables);
		RUN_TEST(protect_one_page_splits_and_keeps_rest);
		RUN_TEST(protect_without_split_when_possible);
		RUN_TEST(split_preserves_everything);
		RUN_TEST(harvest_reports_exactly_the_dirty_pages);
		RUN_TEST(harvest_partial_large_leaf_keeps_dirty);
		RUN_TEST(split_then_harvest_loses_no_page);
		RUN_TEST(clear_accessed_at_every_level);
		RUN_TEST(lookup_agrees_with_reference);
		RUN_TEST(out_of_memory_single_ops_change_nothing);
		RUN_TEST(out_of_memory_model);
		RUN_TEST(destroy_frees_every_table);
		RUN_TEST(model_check_64m_10k_ops);
		RUN_TEST(model_check_across_pml4_boundary);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(ept_suite);
	});
	GREATEST_MAIN_END();
}
