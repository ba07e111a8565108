// SPDX-License-Identifier: MIT
#include <string.h>

#include "console/textview.h"

/* The rows laid out so far, the last SCREEN_ROWS_MAX of them, as a ring. */
static char rows_ring[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];

struct layout {
	unsigned int cols, nrows;
	unsigned long row; /* rows started so far - 1 */
	unsigned int col;
};

static char *current(struct layout *l)
{
	return rows_ring[l->row % l->nrows];
}

static void new_row(struct layout *l)
{
	l->row++;
	l->col = 0;
	memset(current(l), ' ', l->cols);
}

static void put(struct layout *l, char c)
{
	if (l->col >= l->cols)
		new_row(l); /* wrap */
	current(l)[l->col++] = c;
}

static void feed(struct layout *l, unsigned char c)
{
	if (c == '\n') {
		new_row(l);
	} else if (c == '\b') {
		if (l->col)
			l->col--;
	} else if (c == '\t') {
		do
			put(l, ' ');
		while (l->col % 8 && l->col < l->cols);
	} else if (c >= ' ' && c < 0x7f) {
		put(l, (char)c);
	} else if (c >= 0xc0) {
		put(l, '?'); /* the lead byte of a UTF-8 character; continuations are skipped */
	}
}

void textview_draw(struct screen *s, const char *text, size_t len, unsigned int top,
		   unsigned int nrows, unsigned int *row, unsigned int *col)
{
	struct layout l = { .cols = s->cols, .nrows = nrows ? nrows : 1, .row = 0, .col = 0 };
	size_t skip = 0;
	unsigned long first;

	if (nrows > SCREEN_ROWS_MAX)
		l.nrows = SCREEN_ROWS_MAX;
	/* Every row takes a byte at least: more than that many cannot show. */
	if (len > (size_t)l.nrows * l.cols) {
		const char *nl;

		skip = len - (size_t)l.nrows * l.cols;
		/* Start at a line's beginning, so wrapping falls where it did. */
		nl = memchr(text + skip, '\n', len - skip);
		if (nl)
			skip = (size_t)(nl - text) + 1;
	}
	memset(current(&l), ' ', l.cols);
	for (size_t i = skip; i < len; i++)
		feed(&l, (unsigned char)text[i]);
	first = l.row + 1 >= l.nrows ? l.row + 1 - l.nrows : 0;
	for (unsigned int r = 0; r < l.nrows; r++) {
		unsigned long source = first + r;

		if (source <= l.row)
			screen_text(s, top + r, 0, rows_ring[source % l.nrows], l.cols,
				    ATTR_NORMAL);
		else
			screen_fill(s, top + r, 0, s->cols, ' ', ATTR_NORMAL);
	}
	*row = top + (unsigned int)(l.row - first);
	*col = l.col < s->cols ? l.col : s->cols - 1;
}
