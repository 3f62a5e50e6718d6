/* Unit tests for lib/table.c: aligned text tables. */
#include <string.h>

#include "greatest.h"
#include "unit_order.h"
#include "lib/table.h"

static struct table tab;
static char text[2048];

TEST columns_align_and_numbers_go_right(void)
{
	static const char *const head[] = { "NAME", "STATE", ">RAM" };

	table_init(&tab, 3, head);
	ASSERT_EQ(0, table_add(&tab, (const char *const[]){ "wl", "running", "16" }));
	ASSERT_EQ(0, table_add(&tab, (const char *const[]){ "a-long-name", "paused", "1024" }));
	
	table_render(&tab, text, sizeof(text));
	ASSERT_STR_EQ("NAME         STATE     RAM\n"
		      "wl           running    16\n"
		      "a-long-name  paused   1024\n", text);
	PASS();
}

TEST no_trailing_spaces_and_null_cells_are_empty(void)
{
	static const char *const head[] = { "A", "B" };

	table_init(&tab, 2, head);
	table_add(&tab, (const char *const[]){ "x", NULL });
	table_add(&tab, (const char *const[]){ "yyy", "z" });
	table_render(&tab, text, sizeof(text));
	ASSERT_STR_EQ("A    B\nx\nyyy  z\n", text);
	PASS();
}

TEST full_table_refuses_rows(void)
{
	static const char *const head[] = { "N" };
	int i;

	table_init(&tab, 1, head);
	for (i = 0; i < TABLE_ROWS; i++)
		ASSERT_EQ(0, table_add(&tab, (const char *const[]){ "r" }));
	ASSERT_EQ(-ENOSPC, table_add(&tab, (const char *const[]){ "r" }));
	PASS();
}

TEST render_cuts_at_the_buffer_and_says_how_much_it_needed(void)
{
	static const char *const head[] = { "NAME", "STATE" };
	size_t need;
	char small[8];

	table_init(&tab, 2, head);
	table_add(&tab, (const char *const[]){ "one", "two" });
	need = table_render(&tab, text, sizeof(text));
	ASSERT_EQ(strlen(text), need);
	ASSERT_EQ(need, table_render(&tab, small, sizeof(small)));
	ASSERT_EQ(7u, strlen(small));
	ASSERT_MEM_EQ(text, small, 7);
	PASS();
}

TEST long_cells_are_cut(void)
{
	static const char *const head[] = { "X" };
	char longcell[200];

	memset(longcell, 'q', sizeof(longcell) - 1);
	longcell[sizeof(longcell) - 1] = '\0';
	table_init(&tab, 1, head);
	table_add(&tab, (const char *const[]){ longcell });
	ASSERT_EQ((size_t)TABLE_CELL - 1, strlen(tab.cell[1][0]));
	PASS();
}

TEST render_with_no_buffer_only_measures(void)
{
	static const char *const head[] = { "NAME", "STATE" };

	table_init(&tab, 2, head);
	table_add(&tab, (const char *const[]){ "one", "two" });
	ASSERT_EQ(table_render(&tab, text, sizeof(text)), table_render(&tab, NULL, 0));
	PASS();
}

TEST render_into_one_byte_gives_the_empty_string(void)
{
	static const char *const head[] = { "NAME" };
	char one[1] = { 'x' };

	table_init(&tab, 1, head);
	ASSERT_EQ(5u, table_render(&tab, one, sizeof(one)));
	ASSERT_EQ('\0', one[0]);
	PASS();
}

TEST every_column_of_a_full_width_table(void)
{
	static const char *const head[TABLE_COLS] = { "A", "B", "C", "D", "E", ">F" };

	table_init(&tab, TABLE_COLS, head);
	table_add(&tab, (const char *const[TABLE_COLS]){ "1", "2", "3", "4", "5", "66" });
	table_add(&tab, (const char *const[TABLE_COLS]){ "7", "8", "9", "10", "11", "12" });
	table_render(&tab, text, sizeof(text));
	ASSERT_STR_EQ("A  B  C  D   E    F\n"
		      "1  2  3  4   5   66\n"
		      "7  8  9  10  11  12\n", text);
	PASS();
}

TEST an_empty_column_takes_no_width(void)
{
	static const char *const head[] = { "", "B" };

	table_init(&tab, 2, head);
	table_add(&tab, (const char *const[]){ "", "x" });
	table_render(&tab, text, sizeof(text));
	ASSERT_STR_EQ("  B\n  x\n", text);
	PASS();
}

SUITE(table)
{
	SHUFFLED_TESTS({
		RUN_TEST(columns_align_and_numbers_go_right);
		RUN_TEST(no_trailing_spaces_and_null_cells_are_empty);
		RUN_TEST(full_table_refuses_rows);
		RUN_TEST(render_cuts_at_the_buffer_and_says_how_much_it_needed);
		RUN_TEST(long_cells_are_cut);
		RUN_TEST(render_with_no_buffer_only_measures);
		RUN_TEST(render_into_one_byte_gives_the_empty_string);
		RUN_TEST(every_column_of_a_full_width_table);
		RUN_TEST(an_empty_column_takes_no_width);
	});
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	SHUFFLED_SUITES({
		RUN_SUITE(table);
	});
	GREATEST_MAIN_END();
}
