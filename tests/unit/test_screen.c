// SPDX-License-Identifier: MIT
/*
 * The screen model, checked through a small VT100 interpreter that plays the
 * terminal: whatever is drawn and flushed, in any order of changes, the
 * terminal ends up showing exactly the wanted cells, and a change costs only
 * the bytes of the cells that changed. Also the console text ring (escape
 * filtering, scrollback) and the text layout (wrapping, tabs, backspace).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "console/conbuf.h"
#include "console/screen.h"
#include "console/textview.h"

/* The terminal: its cells, cursor, attributes and character set. */
static struct {
	char ch[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	uint8_t attr[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	unsigned int rows, cols, row, col;
	uint8_t cur_attr;
	bool graphics;
	int state; /* 0 text, 1 ESC, 2 CSI, 3 ESC ( */
	unsigned int params[4], nparams;
	size_t bytes;
} term;

static void term_reset(unsigned int rows, unsigned int cols)
{
	memset(&term, 0, sizeof(term));
	memset(term.ch, '#', sizeof(term.ch)); /* garbage until cleared */
	term.rows = rows;
	term.cols = cols;
}

static void csi(char final)
{
	unsigned int p0 = term.nparams > 0 ? term.params[0] : 0;
	unsigned int p1 = term.nparams > 1 ? term.params[1] : 0;

	switch (final) {
	case 'H':
		term.row = p0 ? p0 - 1 : 0;
		term.col = p1 ? p1 - 1 : 0;
		break;
	case 'J':
		assert_int_equal(p0, 2);
		memset(term.ch, ' ', sizeof(term.ch));
		memset(term.attr, 0, sizeof(term.attr));
		break;
	case 'm':
		term.cur_attr = 0;
		for (unsigned int i = 0; i < term.nparams; i++)
			term.cur_attr |= term.params[i] == 1   ? ATTR_BOLD
					 : term.params[i] == 7 ? ATTR_REVERSE
							       : 0;
		break;
	default:
		fail_msg("unexpected CSI %c", final);
	}
}

static void term_byte(char c)
{
	term.bytes++;
	switch (term.state) {
	case 1:
		term.state = c == '[' ? 2 : c == '(' ? 3 : 0;
		if (c == '[')
			term.nparams = 0, memset(term.params, 0, sizeof(term.params));
		return;
	case 2:
		if (c >= '0' && c <= '9') {
			if (!term.nparams)
				term.nparams = 1;
			term.params[term.nparams - 1] =
				term.params[term.nparams - 1] * 10 + (c - '0');
		} else if (c == ';') {
			term.nparams++;
		} else {
			csi(c);
			term.state = 0;
		}
		return;
	case 3:
		term.graphics = c == '0';
		term.state = 0;
		return;
	default:
		break;
	}
	if (c == 0x1b) {
		term.state = 1;
	} else if (c == '\r') {
		term.col = 0;
	} else {
		assert_true(term.row < term.rows && term.col < term.cols);
		term.ch[term.row][term.col] = (char)(term.graphics ? c | 0x80 : c);
		term.attr[term.row][term.col] = term.cur_attr;
		if (term.col < term.cols - 1)
			term.col++;
	}
}

static void sink(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		term_byte(s[i]);
}

/* The terminal shows what the screen wants (line cells by their DEC letters). */
static void assert_terminal_shows(const struct screen *s)
{
	for (unsigned int r = 0; r < s->rows; r++)
		for (unsigned int c = 0; c < s->cols; c++) {
			struct cell w = s->want[r][c];
			char expect = (char)w.ch;

			if (w.attr & ATTR_LINE)
				expect = (char)((w.ch == '-'   ? 'q'
						 : w.ch == '|' ? 'x'
							       : w.ch) |
						0x80);
			if (term.ch[r][c] != expect || term.attr[r][c] != (w.attr & 3))
				fail_msg("cell %u,%u: terminal '%c'/%u, wanted '%c'/%u", r, c,
					 term.ch[r][c], term.attr[r][c], expect, w.attr);
		}
	assert_int_equal(term.row, s->cursor_row);
	assert_int_equal(term.col, s->cursor_col);
}

static struct screen scr;

static void test_a_one_field_change_costs_its_cells(void **state)
{
	size_t full, one;

	(void)state;
	term_reset(24, 80);
	screen_init(&scr, 24, 80, true, sink);
	screen_fill(&scr, 23, 0, 80, ' ', ATTR_REVERSE);
	screen_text(&scr, 23, 1, "[shell] vm one: running  vm two: running", 40, ATTR_REVERSE);
	screen_box(&scr, 2, 2, 10, 60);
	screen_text(&scr, 0, 0, "hello", 5, ATTR_BOLD);
	screen_cursor(&scr, 22, 7);
	full = screen_flush(&scr);
	assert_terminal_shows(&scr);
	assert_int_equal(screen_flush(&scr), 0); /* nothing changed: nothing sent */
	screen_text(&scr, 23, 33, "stopped", 7, ATTR_REVERSE);
	one = screen_flush(&scr);
	assert_terminal_shows(&scr);
	printf("full redraw %zu bytes, one field %zu bytes\n", full, one);
	assert_true(one <= 100); /* the console issue's target */
	assert_true(full > 80 * 2);
}

static uint64_t rng = 0x853c49e6748fea9bUL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static void test_random_changes_reach_the_terminal(void **state)
{
	static const uint8_t attrs[] = { ATTR_NORMAL, ATTR_REVERSE, ATTR_BOLD, ATTR_LINE,
					 ATTR_REVERSE | ATTR_BOLD };

	(void)state;
	term_reset(43, 132);
	screen_init(&scr, 43, 132, true, sink);
	for (unsigned int round = 0; round < 2000; round++) {
		for (unsigned int n = rnd(20); n; n--) {
			char text[16];
			unsigned int len = 1 + rnd(15);

			for (unsigned int i = 0; i < len; i++)
				text[i] = (char)(' ' + rnd(95));
			screen_text(&scr, rnd(43), rnd(132), text, len, attrs[rnd(5)]);
		}
		screen_cursor(&scr, rnd(43), rnd(132));
		if (rnd(50) == 0)
			screen_invalidate(&scr);
		screen_flush(&scr);
		assert_terminal_shows(&scr);
	}
}

static void test_text_ring_filters_and_scrolls(void **state)
{
	static char ring[64];
	struct conbuf cb;
	char out[128];
	size_t n;
	const char *colored = "a\x1b[1;31mred\x1b[0m\r\n\x1b]0;title\x07ok";

	(void)state;
	conbuf_init(&cb, ring, sizeof(ring));
	conbuf_write(&cb, colored, strlen(colored));
	n = conbuf_tail(&cb, out, sizeof(out));
	assert_int_equal(n, 7);
	assert_memory_equal(out, "ared\nok", 7);
	for (unsigned int i = 0; i < 100; i++)
		conbuf_put(&cb, (char)('0' + i % 10));
	n = conbuf_tail(&cb, out, sizeof(out));
	assert_int_equal(n, 64);
	assert_int_equal(out[63], '9');
	assert_int_equal(conbuf_lost(&cb), 107 - 64);
	n = conbuf_tail(&cb, out, 3);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "789", 3);
}

static void row_text(unsigned int row, char *out)
{
	for (unsigned int c = 0; c < scr.cols; c++)
		out[c] = (char)scr.want[row][c].ch;
	out[scr.cols] = '\0';
	for (int c = (int)scr.cols - 1; c >= 0 && out[c] == ' '; c--)
		out[c] = '\0';
}

static void test_text_layout(void **state)
{
	const char *text = "one\ntwo\tx\nabcdefghijklmnopqrstuvwxyz0123\nbz\bc";
	unsigned int row, col;
	char line[SCREEN_COLS_MAX + 1];

	(void)state;
	term_reset(10, 20);
	screen_init(&scr, 10, 20, false, sink);
	textview_draw(&scr, text, strlen(text), 1, 4, &row, &col);
	row_text(1, line);
	assert_string_equal(line, "two     x");
	row_text(2, line);
	assert_string_equal(line, "abcdefghijklmnopqrst");
	row_text(3, line);
	assert_string_equal(line, "uvwxyz0123");
	row_text(4, line);
	assert_string_equal(line, "bc");
	assert_int_equal(row, 4);
	assert_int_equal(col, 2);
	textview_draw(&scr, "", 0, 1, 4, &row, &col);
	row_text(1, line);
	assert_string_equal(line, "");
	assert_int_equal(row, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_one_field_change_costs_its_cells),
		cmocka_unit_test(test_random_changes_reach_the_terminal),
		cmocka_unit_test(test_text_ring_filters_and_scrolls),
		cmocka_unit_test(test_text_layout),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
