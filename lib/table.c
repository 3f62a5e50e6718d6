/*
 * Aligned text tables. Pure: see table.h.
 */
#include <string.h>
#include "lib/table.h"

static void set_cell(char *dst, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	n = MIN(n, (size_t)TABLE_CELL - 1);
	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
}

void table_init(struct table *t, unsigned ncols, const char *const *headers)
{
	unsigned c;

	memset(t, 0, sizeof(*t));
	t->ncols = MIN(ncols, (unsigned)TABLE_COLS);
	for (c = 0; c < t->ncols; c++) {
		const char *h = headers[c] ? headers[c] : "";

		t->right[c] = h[0] == '>';
		set_cell(t->cell[0][c], h + t->right[c]);
	}
}

int table_add(struct table *t, const char *const *cells)
{
	unsigned c;

	if (t->nrows >= TABLE_ROWS)
		return -ENOSPC;
	t->nrows++;
	for (c = 0; c < t->ncols; c++)
		set_cell(t->cell[t->nrows][c], cells[c]);
	return 0;
}

/* Append n bytes of s at *at, keeping a NUL; counts what was needed. */
static void put(char *buf, size_t len, size_t *at, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, (*at)++)
		if (*at + 1 < len)
			buf[*at] = s[i];
	if (len)
		buf[MIN(*at, len - 1)] = '\0';
}

/* One row into line (no NUL), trailing spaces trimmed; returns its length. */
static size_t render_row(const struct table *t, const size_t *width, unsigned r, char *line)
{
	size_t n = 0, k;
	unsigned c;

	for (c = 0; c < t->ncols; c++) {
		const char *s = t->cell[r][c];
		size_t len = strlen(s), gap = width[c] - len;

		if (c) {
			line[n++] = ' ';
			line[n++] = ' ';
		}
		for (k = 0; t->right[c] && k < gap; k++)
			line[n++] = ' ';
		memcpy(line + n, s, len);
		n += len;
		for (k = 0; !t->right[c] && k < gap; k++)
			line[n++] = ' ';
	}
	while (n && line[n - 1] == ' ')
		n--;
	return n;
}

size_t table_render(const struct table *t, char *buf, size_t len)
{
	size_t width[TABLE_COLS] = { 0 }, at = 0;
	char line[TABLE_COLS * (TABLE_CELL + 2)];
	unsigned r, c;

	for (r = 0; r <= t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			width[c] = MAX(width[c], strlen(t->cell[r][c]));
	if (len)
		buf[0] = '\0';
	for (r = 0; r <= t->nrows; r++) {
		put(buf, len, &at, line, render_row(t, width, r, line));
		put(buf, len, &at, "\n", 1);
	}
	return at;
}
