/*
 * Unit tests for dirty logging: the EPT steps it needs (arch/x86/ept.c:
 * split, merge, clear one D flag) and kernel/dirty_log.c with each
 * back-end, against the simulated CPU of dirty_cpu.h.
 */
#include <stdlib.h>

#include "greatest.h"
#include "unit_order.h"
#include "tests/unit/dirty_cpu.h"

#define RAM MiB(8)
#define FRAMES (RAM >> 12)

static struct dcpu cpu;
static uint64_t out_words[FRAMES / 64];
static struct dirty_bitmap harvested;
static const struct dirty_caps all_caps = { true, true };

static void fx_setup(void *unused)
{
	dcpu_init(&cpu, RAM);
	dirty_bitmap_init(&harvested, out_words, FRAMES);
}

static void fx_teardown(void *unused)
{
	dcpu_fini(&cpu);
}

static uint64_t leaf(gpa_t gpa)
{
	struct ref_xlate x;

	return ref_translate(&cpu.ref, gpa, &x) == REF_OK ? x.entry : 0;
}

TEST split_range_then_merge_keeps_dirty(void)
{
	struct ref_xlate x;

	ASSERT_EQ(REF_OK, ref_cpu_access(&cpu.ref, MiB(2) + 0x5000, REF_W));
	ASSERT_EQ(4, ept_split_range(&cpu.ept, 0, RAM));
	ASSERT_EQ(0, cpu.ept.large_pages);
	ASSERT_EQ(FRAMES, cpu.ept.small_pages);
	ASSERT(leaf(MiB(2) + 0x1000) & REF_D); /* the split copies D to all 512 */
	ASSERT_EQ(512, ept_harvest_dirty(&cpu.ept, 0, RAM, true, NULL, NULL));
	ASSERT_EQ(REF_OK, ref_cpu_access(&cpu.ref, MiB(6) + 0x3000, REF_W));
	ASSERT_EQ(4, ept_merge_range(&cpu.ept, 0, RAM));
	ASSERT_EQ(4, cpu.ept.large_pages);
	ASSERT_EQ(0, cpu.ept.small_pages);
	ASSERT_EQ(3, sim_live(&cpu.sim)); /* PML4, PDPT, PD: the page tables were freed */
	ASSERT(leaf(MiB(6)) & REF_D);     /* merged leaf keeps the D flag */
	ASSERT_EQ(0, leaf(MiB(2)) & REF_D);
	ASSERT_EQ(REF_OK, ref_translate(&cpu.ref, MiB(6) + 0x123, &x));
	ASSERT_EQ(GiB(4) + MiB(6) + 0x123, x.hpa);
	ASSERT_EQ(EPT_PAGE_2M, x.page_size);
	PASS();
}

TEST merge_refuses_mixed_tables(void)
{
	ASSERT_EQ(4, ept_split_range(&cpu.ept, 0, RAM));
	ASSERT_EQ(0, ept_protect_range(&cpu.ept, 0x1000, 4096, EPT_READ));
	ASSERT_EQ(0, ept_unmap_range(&cpu.ept, MiB(2) + 0x1000, 4096));
	ASSERT_EQ(2, ept_merge_range(&cpu.ept, 0, RAM));
	ASSERT_EQ(0, ept_merge_range(&cpu.ept, 0, MiB(1))); /* partial range: nothing */
	ASSERT_EQ(0, ept_protect_range(&cpu.ept, 0x1000, 4096, EPT_RWX));
	ASSERT_EQ(0, ept_merge_range(&cpu.ept, 0, MiB(1)));
	ASSERT_EQ(1, ept_merge_range(&cpu.ept, 0, MiB(2)));
	ASSERT_EQ(3, cpu.ept.large_pages);
	ASSERT_EQ(-EINVAL, ept_merge_range(&cpu.ept, 5, 4096));
	ASSERT_EQ(0, cpu.sim.bad);
	PASS();
}

TEST clear_dirty_single_page(void)
{
	ASSERT_EQ(-ENOENT, ept_clear_dirty(&cpu.ept, 0x1000)); /* a 2 MiB leaf */
	ASSERT_EQ(4, ept_split_range(&cpu.ept, 0, RAM));
	ASSERT_EQ(0, ept_harvest_dirty(&cpu.ept, 0, RAM, true, NULL, NULL));
	ASSERT_EQ(REF_OK, ref_cpu_access(&cpu.ref, 0x1000, REF_W));
	ASSERT_EQ(1, ept_clear_dirty(&cpu.ept, 0x1000));
	ASSERT_EQ(0, ept_clear_dirty(&cpu.ept, 0x1000));
	ASSERT_EQ(-ENOENT, ept_clear_dirty(&cpu.ept, RAM));
	PASS();
}

TEST harvest_reports_errors(void)
{
	struct ept empty = { 0 };

	ASSERT_EQ(-EINVAL, ept_harvest_dirty(&empty, 0, RAM, true, NULL, NULL));
	ASSERT_EQ(-EINVAL, ept_harvest_dirty(&cpu.ept, 0, EPT_MAX_GPA + 4096, true, NULL, NULL));
	PASS();
}

TEST modes_names_and_choice(void)
{
	struct dirty_caps none = { false, false }, ad = { true, false }, pml_only = { false, true };
	enum dirty_mode m;
	const char *why;

	ASSERT_EQ(DIRTY_MODE_PML, dirty_mode_choose(&all_caps));
	ASSERT_EQ(DIRTY_MODE_AD, dirty_mode_choose(&ad));
	ASSERT_EQ(DIRTY_MODE_WP, dirty_mode_choose(&none));
	ASSERT_EQ(DIRTY_MODE_WP, dirty_mode_choose(&pml_only));
	ASSERT(!dirty_mode_supported(&ad, DIRTY_MODE_PML, &why));
	ASSERT_STR_EQ("the CPU has no page-modification logging", why);
	ASSERT(!dirty_mode_supported(&none, DIRTY_MODE_AD, &why));
	ASSERT(dirty_mode_supported(&none, DIRTY_MODE_WP, &why));
	ASSERT_EQ(NULL, why);
	ASSERT_EQ(0, dirty_mode_parse("pml", &m));
	ASSERT_EQ(DIRTY_MODE_PML, m);
	ASSERT_EQ(-EINVAL, dirty_mode_parse("PML", &m));
	ASSERT_STR_EQ("wp", dirty_mode_name(DIRTY_MODE_WP));
	PASS();
}

TEST every_mode_name_parses_back(void)
{
	enum dirty_mode m, got;

	for (m = 0; m < DIRTY_MODE_COUNT; m++) {
		ASSERT_EQ(0, dirty_mode_parse(dirty_mode_name(m), &got));
		ASSERT_EQ(m, got);
	}
	PASS();
}

TEST an_unknown_mode_is_unsupported_and_refused(void)
{
	const char *why;

	ASSERT_FALSE(dirty_mode_supported(&all_caps, DIRTY_MODE_COUNT, &why));
	ASSERT_STR_EQ("unknown back-end", why);
	ASSERT_EQ(-EINVAL, dirty_log_start(&cpu.log, DIRTY_MODE_COUNT));
	ASSERT_FALSE(cpu.log.active);
	PASS();
}

TEST switch_needs_an_active_log(void)
{
	ASSERT_EQ(-EINVAL, dirty_log_switch(&cpu.log, DIRTY_MODE_AD, &harvested));
	ASSERT_FALSE(cpu.log.active);
	PASS();
}

/* Write pages, harvest: exactly those come harvested, then nothing. */
static enum greatest_test_res round_trip(enum dirty_mode m)
{
	static const gpa_t pages[] = { 0, 0x1000, MiB(2) + 0x7000, RAM - 4096, 0x1000 };
	unsigned i;

	ASSERT_EQ(0, dirty_log_start(&cpu.log, m));
	ASSERT_EQ(-EBUSY, dirty_log_start(&cpu.log, DIRTY_MODE_AD));
	ASSERT_EQ(0, cpu.ept.large_pages);
	ASSERT_EQ(0, dirty_log_harvest(&cpu.log, &harvested));
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		ASSERT(dcpu_write(&cpu, pages[i] + 8));
	dirty_log_mark(&cpu.log, MiB(5) + 4000, 200); /* the hypervisor writes two pages */
	ASSERT_EQ(6, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT_EQ(6, dirty_bitmap_count(&harvested));
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		ASSERT(dirty_bitmap_test(&harvested, pages[i] >> 12));
	ASSERT(dirty_bitmap_test(&harvested, (MiB(5) >> 12) + 1));
	ASSERT_EQ(0, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT(dcpu_write(&cpu, 0x1000));
	ASSERT(dcpu_write(&cpu, 0)); /* frame 0, the first the harvest re-arms */
	ASSERT_EQ(2, dirty_log_harvest(&cpu.log, &harvested)); /* re-armed: logged again */
	ASSERT_EQ(0, dirty_log_stop(&cpu.log));
	ASSERT_EQ(-EINVAL, dirty_log_stop(&cpu.log));
	ASSERT_EQ(-EINVAL, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT_EQ(4, cpu.ept.large_pages); /* full-speed mappings again */
	ASSERT_EQ(EPT_RWX, leaf(0x1000) & EPT_RWX);
	ASSERT(!cpu.pml_on);
	ASSERT_EQ(0, cpu.unexpected);
	ASSERT_EQ(0, cpu.sim.bad);
	PASS();
}

TEST round_trip_ad(void)
{
	CHECK_CALL(round_trip(DIRTY_MODE_AD));
	ASSERT_EQ(0, cpu.violations);
	PASS();
}

TEST round_trip_pml(void)
{
	CHECK_CALL(round_trip(DIRTY_MODE_PML));
	ASSERT_EQ(0, cpu.violations);
	ASSERT(cpu.log.stats.pml_entries >= 5);
	PASS();
}

TEST round_trip_wp(void)
{
	CHECK_CALL(round_trip(DIRTY_MODE_WP));
	ASSERT_EQ(6, cpu.violations); /* one per page per round: 4, then 2 */
	ASSERT_EQ(6, cpu.log.stats.wp_exits);
	PASS();
}

TEST pml_log_full_loses_nothing(void)
{
	unsigned i;

	ASSERT_EQ(0, dirty_log_start(&cpu.log, DIRTY_MODE_PML));
	for (i = 0; i < 1500; i++)
		ASSERT(dcpu_write(&cpu, (gpa_t)i * 4096));
	ASSERT_EQ(2, cpu.log.stats.pml_full_exits); /* at 512 and 1024 */
	ASSERT_EQ(1500, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT_EQ(1500, cpu.log.stats.pml_entries);
	ASSERT_EQ(2, cpu.log.stats.pml_full_exits); /* the drain at harvest is no full exit */
	PASS();
}

TEST wp_fault_outside_log_is_refused(void)
{
	ASSERT(!dirty_log_write_fault(&cpu.log, 0x1000)); /* not logging */
	ASSERT_EQ(0, dirty_log_start(&cpu.log, DIRTY_MODE_AD));
	ASSERT(!dirty_log_write_fault(&cpu.log, 0x1000)); /* not the wp back-end */
	ASSERT_EQ(0, dirty_log_switch(&cpu.log, DIRTY_MODE_WP, &harvested));
	ASSERT(!dirty_log_write_fault(&cpu.log, RAM)); /* outside RAM */
	ASSERT(dirty_log_write_fault(&cpu.log, 0x1234));
	ASSERT_EQ(EPT_RWX, leaf(0x1000) & EPT_RWX);
	ASSERT_EQ(EPT_READ | EPT_EXEC, leaf(0x2000) & EPT_RWX);
	PASS();
}

/* Pages written before the start (their D flags set) do not show in the
 * first harvest, and are logged when written again after it (PML logs
 * only a D flag going from 0 to 1). */
static enum greatest_test_res writes_before_the_start_are_forgotten(enum dirty_mode m)
{
	ASSERT(dcpu_write(&cpu, 0x3000));
	ASSERT(dcpu_write(&cpu, MiB(4)));
	ASSERT_EQ(0, dirty_log_start(&cpu.log, m));
	ASSERT_EQ(0, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT(dcpu_write(&cpu, 0x3000));
	ASSERT_EQ(1, dirty_log_harvest(&cpu.log, &harvested));
	ASSERT(dirty_bitmap_test(&harvested, 3));
	PASS();
}

TEST writes_before_the_start_are_forgotten_ad(void)
{
	CHECK_CALL(writes_before_the_start_are_forgotten(DIRTY_MODE_AD));
	PASS();
}

TEST writes_before_the_start_are_forgotten_pml(void)
{
	CHECK_CALL(writes_before_the_start_are_forgotten(DIRTY_MODE_PML));
	PASS();
}

/* Out of page-table memory while splitting: the start fails and undoes itself. */
static enum greatest_test_res start_out_of_memory_undoes(enum dirty_mode m)
{
	cpu.sim.fail_after = 2;
	ASSERT_EQ(-ENOMEM, dirty_log_start(&cpu.log, m));
	ASSERT(!cpu.log.active);
	ASSERT(!cpu.pml_on);
	ASSERT_EQ(4, cpu.ept.large_pages);
	ASSERT_EQ(0, cpu.ept.small_pages);
	ASSERT_EQ(EPT_RWX, leaf(0) & EPT_RWX);
	ASSERT_EQ(0, cpu.sim.bad);
	PASS();
}

TEST start_out_of_memory_undoes_ad(void)
{
	CHECK_CALL(start_out_of_memory_undoes(DIRTY_MODE_AD));
	PASS();
}

TEST start_out_of_memory_undoes_pml(void)
{
	CHECK_CALL(start_out_of_memory_undoes(DIRTY_MODE_PML));
	PASS();
}

TEST start_and_stop_count_splits_and_merges(void)
{
	dcpu_fini(&cpu);
	dcpu_init(&cpu, MiB(2)); /* one 2 MiB leaf: one split, one merge */
	ASSERT_EQ(0, dirty_log_start(&cpu.log, DIRTY_MODE_AD));
	ASSERT_EQ(1, cpu.log.stats.splits);
	ASSERT_EQ(0, dirty_log_stop(&cpu.log));
	ASSERT_EQ(1, cpu.log.stats.merges);
	PASS();
}

TEST start_out_of_memory_restores(void)
{
	cpu.sim.fail_after = 2;
	ASSERT_EQ(-ENOMEM, dirty_log_start(&cpu.log, DIRTY_MODE_WP));
	ASSERT(!cpu.log.active);
	ASSERT_EQ(4, cpu.ept.large_pages);
	ASSERT_EQ(EPT_RWX, leaf(0) & EPT_RWX);
	ASSERT_EQ(0, cpu.sim.bad);
	PASS();
}

SUITE(dirty_log_suite)
{
	SHUFFLED_TESTS({
		GREATEST_SET_SETUP_CB(fx_setup, NULL);
		GREATEST_SET_TEARDOWN_CB(fx_teardown, NULL);
		RUN_TEST(split_range_then_merge_keeps_dirty);
		RUN_TEST(merge_refuses_mixed_tables);
		RUN_TEST(clear_dirty_single_page);
		RUN_TEST(harvest_reports_errors);
		RUN_TEST(modes_names_and_choice);
		RUN_TEST(every_mode_name_parses_back);
		RUN_TEST(an_unknown_mode_is_unsupported_and_refused);
		RUN_TEST(switch_needs_an_active_log);
		RUN_TEST(round_trip_ad);
		RUN_TEST(round_trip_pml);
		RUN_TEST(round_trip_wp);
		RUN_TEST(pml_log_full_loses_nothing);
		RUN_TEST(wp_fault_outside_log_is_refused);
		RUN_TEST(start_out_of_memory_restores);
		RUN_TEST(writes_before_the_start_are_forgotten_ad);
		RUN_TEST(writes_before_the_start_are_forgotten_pml);
		RUN_TEST(start_out_of_memory_undoes_ad);
		RUN_TEST(start_out_of_memory_undoes_pml);
		RUN_TEST(start_and_stop_count_splits_and_merges);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(dirty_log_suite);
	});
	GREATEST_MAIN_END();
	sim_fini(&cpu.sim);
}
