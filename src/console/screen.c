// SPDX-License-Identifier: MIT
#include <string.h>

#include "console/screen.h"
#include "lib/format.h"

void screen_init(struct screen *s, unsigned int rows, unsigned int cols, bool dec_graphics,
		 void (*write)(const char *s, size_t len))
{
	s->rows = rows < 2 ? 2 : rows > SCREEN_ROWS_MAX ? SCREEN_ROWS_MAX : rows;
	s->cols = cols < 20 ? 20 : cols > SCREEN_COLS_MAX ? SCREEN_COLS_MAX : cols;
	s->dec_graphics = dec_graphics;
	s->write = write;
	s->outlen = 0;
	s->cursor_row = s->cursor_col = 0;
	screen_clear(s);
	screen_invalidate(s);
}

void screen_clear(struct screen *s)
{
	for (unsigned int r = 0; r < s->rows; r++)
		screen_fill(s, r, 0, s->cols, ' ', ATTR_NORMAL);
}

void screen_fill(struct screen *s, unsigned int row, unsigned int col, unsigned int n, char ch,
		 uint8_t attr)
{
	if (row >= s->rows)
		return;
	for (; n && col < s->cols; n--, col++) {
		s->want[row][col].ch = (uint8_t)ch;
		s->want[row][col].attr = attr;
	}
}

void screen_text(struct screen *s, unsigned int row, unsigned int col, const char *text, size_t len,
		 uint8_t attr)
{
	if (row >= s->rows)
		return;
	for (size_t i = 0; i < len && col < s->cols; i++, col++) {
		uint8_t c = (uint8_t)text[i];

		s->want[row][col].ch = c >= ' ' && c < 0x7f ? c : '?';
		s->want[row][col].attr = attr;
	}
}

void screen_box(struct screen *s, unsigned int top, unsigned int left, unsigned int bottom,
		unsigned int right)
{
	if (bottom <= top || right <= left)
		return;
	screen_fill(s, top, left + 1, right - left - 1, '-', ATTR_LINE);
	screen_fill(s, bottom, left + 1, right - left - 1, '-', ATTR_LINE);
	for (unsigned int r = top + 1; r < bottom; r++) {
		screen_fill(s, r, left, 1, '|', ATTR_LINE);
		screen_fill(s, r, right, 1, '|', ATTR_LINE);
	}
	/* The corners: which one is known from the position (DEC: l k m j). */
	screen_fill(s, top, left, 1, 'l', ATTR_LINE);
	screen_fill(s, top, right, 1, 'k', ATTR_LINE);
	screen_fill(s, bottom, left, 1, 'm', ATTR_LINE);
	screen_fill(s, bottom, right, 1, 'j', ATTR_LINE);
}

void screen_cursor(struct screen *s, unsigned int row, unsigned int col)
{
	s->cursor_row = row < s->rows ? row : s->rows - 1;
	s->cursor_col = col < s->cols ? col : s->cols - 1;
}

void screen_invalidate(struct screen *s)
{
	s->shown_valid = false;
}

static void put(struct screen *s, const char *bytes, size_t len)
{
	if (s->outlen + len > sizeof(s->out)) {
		s->write(s->out, s->outlen);
		s->outlen = 0;
	}
	memcpy(s->out + s->outlen, bytes, len);
	s->outlen += len;
	s->sent += len;
}

static void putf(struct screen *s, const char *fmt, unsigned int a, unsigned int b)
{
	char buf[24];
	int n = format(buf, sizeof(buf), fmt, a, b);

	put(s, buf, (size_t)n);
}

static void move_to(struct screen *s, unsigned int row, unsigned int col)
{
	if (s->term_known && s->term_row == row && s->term_col == col)
		return;
	if (s->term_known && s->term_row == row && col == 0) {
		put(s, "\r", 1);
	} else if (col == 0) {
		putf(s, "\x1b[%uH", row + 1, 0);
	} else {
		putf(s, "\x1b[%u;%uH", row + 1, col + 1);
	}
	s->term_known = true;
	s->term_row = row;
	s->term_col = col;
}

static void set_attr(struct screen *s, uint8_t attr)
{
	bool graphics = (attr & ATTR_LINE) && s->dec_graphics;
	uint8_t sgr = attr & (ATTR_REVERSE | ATTR_BOLD);

	if (sgr != (s->term_attr & (ATTR_REVERSE | ATTR_BOLD))) {
		put(s, "\x1b[0", 3);
		if (sgr & ATTR_BOLD)
			put(s, ";1", 2);
		if (sgr & ATTR_REVERSE)
			put(s, ";7", 2);
		put(s, "m", 1);
	}
	if (graphics != s->term_graphics)
		put(s, graphics ? "\x1b(0" : "\x1b(B", 3);
	s->term_attr = attr;
	s->term_graphics = graphics;
}

/* The byte a cell is drawn with: DEC graphics letters, or ASCII for lines. */
static char glyph(const struct screen *s, struct cell c)
{
	if (!(c.attr & ATTR_LINE))
		return (char)c.ch;
	if (s->dec_graphics)
		return c.ch == '-' ? 'q' : c.ch == '|' ? 'x' : (char)c.ch;
	return c.ch == '-' || c.ch == '|' ? (char)c.ch : '+';
}

static void draw_cell(struct screen *s, unsigned int r, unsigned int c)
{
	struct cell want = s->want[r][c];
	char g = glyph(s, want);

	move_to(s, r, c);
	set_attr(s, want.attr);
	put(s, &g, 1);
	s->shown[r][c] = want;
	/* The last column leaves the cursor in a pending wrap: its position is unknown. */
	if (++s->term_col >= s->cols)
		s->term_known = false;
}

static void start_over(struct screen *s)
{
	/* Attributes off, ASCII set, whole screen cleared: shown = blanks. */
	put(s, "\x1b[0m\x1b(B\x1b[H\x1b[2J", 14);
	s->term_attr = ATTR_NORMAL;
	s->term_graphics = false;
	s->term_known = true;
	s->term_row = s->term_col = 0;
	for (unsigned int r = 0; r < s->rows; r++)
		for (unsigned int c = 0; c < s->cols; c++)
			s->shown[r][c] = (struct cell){ ' ', ATTR_NORMAL };
	s->shown_valid = true;
}

size_t screen_flush(struct screen *s)
{
	s->sent = 0;
	if (!s->shown_valid)
		start_over(s);
	for (unsigned int r = 0; r < s->rows; r++)
		for (unsigned int c = 0; c < s->cols; c++)
			if (memcmp(&s->want[r][c], &s->shown[r][c], sizeof(struct cell)))
				draw_cell(s, r, c);
	if (s->sent)
		set_attr(s, ATTR_NORMAL);
	move_to(s, s->cursor_row, s->cursor_col);
	if (s->outlen)
		s->write(s->out, s->outlen);
	s->outlen = 0;
	return (size_t)s->sent;
}
