/*
 * Aligned text tables for replies people read (`guest list`, `help`):
 * a header row, rows of cells, columns as wide as their widest cell,
 * numbers right-aligned. Pure; the reply decides whether text is wanted.
 */
#ifndef LIB_TABLE_H
#define LIB_TABLE_H

#include "lib/types.h"

#define TABLE_COLS 6
#define TABLE_ROWS 64 /* not counting the header */
#define TABLE_CELL 64 /* longer cells are cut */

struct table {
	unsigned ncols, nrows;
	bool right[TABLE_COLS];
	char cell[TABLE_ROWS + 1][TABLE_COLS][TABLE_CELL];
};

/* A table with ncols (<= TABLE_COLS) columns; a header starting with '>'
 * is right-aligned (the '>' is not shown). */
void table_init(struct table *t, unsigned ncols, const char *const *headers);

/* Add a row of ncols cells (NULL shows as empty). Returns 0, or -ENOSPC when full. */
int table_add(struct table *t, const char *const *cells);

/*
 * Render into buf (len bytes, NUL-terminated): one line per row, columns
 * two spaces apart, no trailing spaces. Returns the length it needed
 * (as snprintf: output is cut when that is >= len).
 */
size_t table_render(const struct table *t, char *buf, size_t len);

#endif
