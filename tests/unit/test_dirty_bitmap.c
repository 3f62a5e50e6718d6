/* Unit tests for kernel/dirty_bitmap.c and the PML drain of arch/x86/pml.c. */
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "arch/x86/pml.h"
#include "kernel/dirty_bitmap.h"

static uint64_t words[8];
static struct dirty_bitmap bm;

/* Every test starts from clean words: one test's frames must not leak into another's. */
static void setup(void *arg)
{
	(void)arg;
	memset(words, 0, sizeof(words));
	memset(&bm, 0, sizeof(bm));
}

TEST set_test_clear_count(void)
{
	dirty_bitmap_init(&bm, words, 300);
	ASSERT_EQ(5, dirty_bitmap_words(300));
	ASSERT_EQ(0, dirty_bitmap_count(&bm));
	dirty_bitmap_set(&bm, 0);
	dirty_bitmap_set(&bm, 63);
	dirty_bitmap_set(&bm, 64);
	dirty_bitmap_set(&bm, 299);
	dirty_bitmap_set(&bm, 300); /* past the end: ignored */
	dirty_bitmap_set(&bm, ~0ULL);
	ASSERT_EQ(4, dirty_bitmap_count(&bm));
	ASSERT(dirty_bitmap_test(&bm, 63));
	ASSERT(!dirty_bitmap_test(&bm, 62));
	ASSERT(!dirty_bitmap_test(&bm, 300));
	ASSERT_EQ(0, words[5]); /* nothing written past the bitmap */
	dirty_bitmap_clear(&bm, 63);
	ASSERT(!dirty_bitmap_test(&bm, 63));
	ASSERT_EQ(3, dirty_bitmap_count(&bm));
	dirty_bitmap_clear_all(&bm);
	ASSERT_EQ(0, dirty_bitmap_count(&bm));
	PASS();
}

TEST next_iterates_in_order(void)
{
	uint64_t want[] = { 1, 64, 65, 127, 128, 250, 299 }, f;
	unsigned i = 0;

	dirty_bitmap_init(&bm, words, 300);
	for (f = 0; f < ARRAY_SIZE(want); f++)
		dirty_bitmap_set(&bm, want[f]);
	for (f = dirty_bitmap_next(&bm, 0); f < bm.nframes; f = dirty_bitmap_next(&bm, f + 1))
		ASSERT_EQ(want[i++], f);
	ASSERT_EQ(ARRAY_SIZE(want), i);
	ASSERT_EQ(300, dirty_bitmap_next(&bm, 300));
	ASSERT_EQ(300, dirty_bitmap_next(&bm, ~0ULL));
	dirty_bitmap_init(&bm, words, 0);
	ASSERT_EQ(0, dirty_bitmap_next(&bm, 0));
	PASS();
}

TEST set_range_covers_touched_frames(void)
{
	dirty_bitmap_init(&bm, words, 100);
	dirty_bitmap_set_range(&bm, 0x1fff, 2); /* frames 1 and 2 */
	ASSERT_EQ(2, dirty_bitmap_count(&bm));
	ASSERT(dirty_bitmap_test(&bm, 1) && dirty_bitmap_test(&bm, 2));
	dirty_bitmap_set_range(&bm, 0x5000, 0);
	ASSERT_EQ(2, dirty_bitmap_count(&bm));
	dirty_bitmap_set_range(&bm, 98 * 4096, ~0ULL); /* wraps: clipped */
	ASSERT_EQ(4, dirty_bitmap_count(&bm));
	dirty_bitmap_set_range(&bm, 500 * 4096, 4096);
	ASSERT_EQ(4, dirty_bitmap_count(&bm));
	PASS();
}

TEST a_range_ending_on_a_page_boundary_stops_there(void)
{
	dirty_bitmap_init(&bm, words, 100);
	dirty_bitmap_set_range(&bm, 0, 4096);
	ASSERT(dirty_bitmap_test(&bm, 0));
	ASSERT_FALSE(dirty_bitmap_test(&bm, 1));
	dirty_bitmap_set_range(&bm, 0x3000, 0x2000); /* frames 3 and 4 */
	ASSERT_EQ(3, dirty_bitmap_count(&bm));
	ASSERT_FALSE(dirty_bitmap_test(&bm, 5));
	PASS();
}

TEST test_past_the_end_reads_no_word_past_the_bitmap(void)
{
	uint64_t *one = malloc(sizeof(uint64_t)); /* exactly one word: 64 frames */
	struct dirty_bitmap b;
	bool past;

	ASSERT(one);
	dirty_bitmap_init(&b, one, 64);
	dirty_bitmap_set_range(&b, 0, 64 * 4096);
	past = dirty_bitmap_test(&b, 64);
	free(one);
	ASSERT_FALSE(past);
	PASS();
}

TEST an_empty_bitmap_ignores_every_range(void)
{
	struct dirty_bitmap b;

	dirty_bitmap_init(&b, NULL, 0); /* no words at all */
	dirty_bitmap_set_range(&b, 0, ~0ULL); /* returns at once: no frame to visit */
	dirty_bitmap_clear_all(&b);
	ASSERT_EQ(0, dirty_bitmap_count(&b));
	PASS();
}

TEST or_and_move_count_new_frames(void)
{
	uint64_t w2[8];
	struct dirty_bitmap b2;

	dirty_bitmap_init(&bm, words, 130);
	dirty_bitmap_init(&b2, w2, 130);
	dirty_bitmap_set(&bm, 5);
	dirty_bitmap_set(&b2, 5);
	dirty_bitmap_set(&b2, 129);
	ASSERT_EQ(1, dirty_bitmap_or(&bm, &b2));
	ASSERT_EQ(2, dirty_bitmap_count(&bm));
	dirty_bitmap_set(&b2, 7);
	ASSERT_EQ(1, dirty_bitmap_move(&bm, &b2));
	ASSERT_EQ(0, dirty_bitmap_count(&b2));
	ASSERT_EQ(3, dirty_bitmap_count(&bm));
	PASS();
}

TEST or_ignores_frames_past_the_smaller(void)
{
	uint64_t w2[8];
	struct dirty_bitmap b2;

	dirty_bitmap_init(&bm, words, 70);
	dirty_bitmap_init(&b2, w2, 128);
	w2[1] = ~0ULL;
	ASSERT_EQ(6, dirty_bitmap_or(&bm, &b2)); /* frames 64..69 */
	ASSERT_EQ(0x3f, words[1]);
	PASS();
}

TEST or_ignores_frames_past_an_odd_length(void)
{
	uint64_t w2[8];
	struct dirty_bitmap b2;

	dirty_bitmap_init(&bm, words, 65);
	dirty_bitmap_init(&b2, w2, 128);
	w2[1] = ~0ULL;
	ASSERT_EQ(1, dirty_bitmap_or(&bm, &b2)); /* frame 64 only */
	ASSERT_EQ(1, words[1]);
	PASS();
}

TEST pml_valid_entries_from_index(void)
{
	ASSERT_EQ(0, pml_valid_entries(511));   /* nothing logged yet */
	ASSERT_EQ(1, pml_valid_entries(510));
	ASSERT_EQ(511, pml_valid_entries(0));
	ASSERT_EQ(512, pml_valid_entries(0xffff)); /* after entry 0: full */
	ASSERT_EQ(512, pml_valid_entries(512));    /* never written by a CPU: all */
	PASS();
}

TEST pml_drain_reads_from_the_top(void)
{
	static uint64_t log[PML_ENTRIES];
	unsigned i;

	for (i = 0; i < PML_ENTRIES; i++)
		log[i] = (uint64_t)(1000 + i) << 12; /* frames beyond the bitmap unless logged */
	dirty_bitmap_init(&bm, words, 300);
	log[511] = 0x3000;
	log[510] = 0x7000 | 0xabc; /* low bits are 0 from a CPU; ignored anyway */
	log[509] = 0x3000;        /* the same page twice */
	ASSERT_EQ(3, pml_drain(log, 508, &bm));
	ASSERT_EQ(2, dirty_bitmap_count(&bm));
	ASSERT(dirty_bitmap_test(&bm, 3) && dirty_bitmap_test(&bm, 7));
	ASSERT_EQ(0, pml_drain(log, PML_INDEX_START, &bm));
	for (i = 0; i < PML_ENTRIES; i++)
		log[i] = (uint64_t)i << 12;
	dirty_bitmap_init(&bm, words, 512);
	ASSERT_EQ(512, pml_drain(log, 0xffff, &bm));
	ASSERT_EQ(512, dirty_bitmap_count(&bm));
	PASS();
}

SUITE(dirty_bitmap_suite)
{
	SHUFFLED_TESTS({
		SET_SETUP(setup, NULL);
		RUN_TEST(set_test_clear_count);
		RUN_TEST(next_iterates_in_order);
		RUN_TEST(set_range_covers_touched_frames);
		RUN_TEST(or_and_move_count_new_frames);
		RUN_TEST(or_ignores_frames_past_the_smaller);
		RUN_TEST(a_range_ending_on_a_page_boundary_stops_there);
		RUN_TEST(test_past_the_end_reads_no_word_past_the_bitmap);
		RUN_TEST(an_empty_bitmap_ignores_every_range);
		RUN_TEST(or_ignores_frames_past_an_odd_length);
		RUN_TEST(pml_valid_entries_from_index);
		RUN_TEST(pml_drain_reads_from_the_top);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(dirty_bitmap_suite);
	});
	GREATEST_MAIN_END();
}
