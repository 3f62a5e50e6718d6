/* Unit tests for kernel/profile_table.c: counting, ranking, a full table. */
#include <stdlib.h>
#include <string.h>
#include "greatest.h"
#include "unit_order.h"
#include "kernel/profile_table.h"

static struct profile_table table;

TEST counts_and_ranks(void)
{
	struct profile_slot top[3];
	int i;

	profile_table_reset(&table);
	for (i = 0; i < 5; i++)
		profile_table_record(&table, 0x1000);
	for (i = 0; i < 9; i++)
		profile_table_record(&table, 0x2000);
	profile_table_record(&table, 0x3000);
	profile_table_record(&table, 0x2fff);
	ASSERT_EQ(4u, table.used);
	ASSERT_EQ(16u, table.samples);
	ASSERT_EQ(0u, table.dropped);
	ASSERT_EQ(3u, profile_table_top(&table, top, 3));
	ASSERT_EQ(0x2000u, top[0].addr);
	ASSERT_EQ(9u, top[0].count);
	ASSERT_EQ(0x1000u, top[1].addr);
	ASSERT_EQ(5u, top[1].count);
	/* a tie goes to the lower address */
	ASSERT_EQ(0x2fffu, top[2].addr);
	ASSERT_EQ(1u, top[2].count);
	PASS();
}

TEST zero_address_is_dropped(void)
{
	struct profile_slot top[2];

	profile_table_reset(&table);
	profile_table_record(&table, 0);
	ASSERT_EQ(1u, table.samples);
	ASSERT_EQ(1u, table.dropped);
	ASSERT_EQ(0u, profile_table_top(&table, top, 2));
	PASS();
}

TEST full_table_drops_and_keeps_counting(void)
{
	struct profile_slot top[1];
	uint64_t a, kept = 0, total = 0;
	size_t i;

	profile_table_reset(&table);
	for (a = 1; a <= 2 * PROFILE_SLOTS; a++, total++)
		profile_table_record(&table, a * 16);
	ASSERT(table.used <= PROFILE_SLOTS);
	ASSERT_EQ(total, table.samples);
	for (i = 0; i < PROFILE_SLOTS; i++)
		kept += table.slot[i].count;
	ASSERT_EQ(total, kept + table.dropped);
	ASSERT(table.dropped >= PROFILE_SLOTS);
	/* an address already in the table still counts when the table is full */
	profile_table_record(&table, table.slot[7].addr ? table.slot[7].addr : 16);
	ASSERT_EQ(1u, profile_table_top(&table, top, 1));
	ASSERT_EQ(2u, top[0].count);
	PASS();
}

/* Reset clears every slot (the first and last included) and the counters. */
TEST reset_clears_everything(void)
{
	size_t i;

	memset(&table, 0xa5, sizeof(table));
	profile_table_reset(&table);
	for (i = 0; i < PROFILE_SLOTS; i++) {
		ASSERT_EQ(0u, table.slot[i].addr);
		ASSERT_EQ(0u, table.slot[i].count);
	}
	ASSERT_EQ(0u, table.used);
	ASSERT_EQ(0u, table.samples);
	ASSERT_EQ(0u, table.dropped);
	PASS();
}

/*
 * Many distinct addresses use (nearly) every slot, and a top list as long
 * as the table returns every used slot, each once, ranked: a slot the
 * scan skips or the hash never reaches shows.
 */
TEST top_of_a_full_table_lists_every_slot(void)
{
	static struct profile_slot top[PROFILE_SLOTS];
	uint64_t a;
	size_t n, i;

	profile_table_reset(&table);
	for (a = 1; a <= 4 * PROFILE_SLOTS; a++)
		profile_table_record(&table, 0x200000 + a * 24);
	ASSERT(table.used > PROFILE_SLOTS - PROFILE_SLOTS / 16);
	n = profile_table_top(&table, top, PROFILE_SLOTS);
	ASSERT_EQ(table.used, n);
	for (i = 1; i < n; i++)
		ASSERT(top[i - 1].count > top[i].count ||
		       (top[i - 1].count == top[i].count && top[i - 1].addr < top[i].addr));
	PASS();
}

/* The top list against a brute-force ranking of random samples. */
TEST top_matches_brute_force(void)
{
	static uint32_t truth[256];
	struct profile_slot top[20];
	size_t n, i, j;
	uint32_t better;

	srand(7);
	profile_table_reset(&table);
	for (i = 0; i < 256; i++)
		truth[i] = 0;
	for (i = 0; i < 20000; i++) {
		uint32_t k = (uint32_t)(rand() % 256) & (uint32_t)(rand() % 256);

		truth[k]++;
		profile_table_record(&table, 0x100000 + k * 4);
	}
	n = profile_table_top(&table, top, 20);
	ASSERT_EQ(20u, n);
	for (i = 0; i < n; i++) {
		uint32_t k = (uint32_t)((top[i].addr - 0x100000) / 4);

		ASSERT_EQ(truth[k], top[i].count);
		/* exactly i addresses rank before it */
		better = 0;
		for (j = 0; j < 256; j++)
			if (truth[j] > truth[k] || (truth[j] == truth[k] && truth[j] && j < k))
				better++;
		ASSERT_EQ(i, better);
	}
	PASS();
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_TESTS({
		RUN_TEST(counts_and_ranks);
		RUN_TEST(zero_address_is_dropped);
		RUN_TEST(full_table_drops_and_keeps_counting);
		RUN_TEST(top_matches_brute_force);
		RUN_TEST(reset_clears_everything);
		RUN_TEST(top_of_a_full_table_lists_every_slot);
	});
	GREATEST_MAIN_END();
}
