// SPDX-License-Identifier: MIT
/*
 * The console's output side fed guest bytes and drawing commands: the text
 * ring (console/conbuf.c), its layout into rows (console/textview.c) and the
 * screen model with its diff redraw (console/screen.c). The input is a size
 * (rows, columns, line drawing, ring size) then operations. Every flush goes
 * to a small VT100 terminal model, which must end up showing exactly the
 * wanted cells with the cursor where it was asked, without ever scrolling;
 * a second flush with nothing changed sends nothing. The ring keeps no escape,
 * carriage return or NUL byte; the last laid-out row shows the end of the
 * text's last line.
 */
#define _GNU_SOURCE /* memrchr */
#include "console/conbuf.h"
#include "console/screen.h"
#include "console/textview.h"
#include "fuzz.h"

#define ESC	 0x1b
#define RING_MAX 4096

enum op {
	OP_TEXT,
	OP_FILL,
	OP_BOX,
	OP_CURSOR,
	OP_INVALIDATE,
	OP_FLUSH,
	OP_GUEST,
	OP_VIEW,
	OP_CLEAR,
	OP_COUNT
};

/* The terminal: cells, cursor with its pending wrap, attributes, character set. */
static struct {
	uint8_t ch[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	uint8_t attr[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	unsigned int rows, cols, row, col;
	bool wrap_pending;
	uint8_t cur_attr;
	bool graphics;
	int state; /* 0 text, 1 ESC, 2 CSI, 3 ESC ( */
	unsigned int params[4], nparams;
} term;

static struct screen screen;
static struct conbuf cb;
static char ring[RING_MAX];
static char tail[RING_MAX];

FUZZ_ORACLE static void term_csi(uint8_t final)
{
	unsigned int p0 = term.nparams > 0 ? term.params[0] : 0;
	unsigned int p1 = term.nparams > 1 ? term.params[1] : 0;

	switch (final) {
	case 'H':
		FUZZ_CHECK(p0 <= term.rows && p1 <= term.cols, "move to %u;%u", p0, p1);
		term.row = p0 ? p0 - 1 : 0;
		term.col = p1 ? p1 - 1 : 0;
		term.wrap_pending = false;
		break;
	case 'J':
		FUZZ_CHECK(p0 == 2, "erase %u", p0);
		memset(term.ch, ' ', sizeof(term.ch));
		memset(term.attr, 0, sizeof(term.attr));
		break;
	case 'm':
		term.cur_attr = 0;
		for (unsigned int i = 0; i < term.nparams; i++) {
			FUZZ_CHECK(term.params[i] == 0 || term.params[i] == 1 ||
					   term.params[i] == 7,
				   "SGR %u", term.params[i]);
			term.cur_attr |= term.params[i] == 1   ? ATTR_BOLD
					 : term.params[i] == 7 ? ATTR_REVERSE
							       : 0;
		}
		break;
	default:
		FUZZ_CHECK(0, "CSI %c", final);
	}
}

FUZZ_ORACLE static void term_print(uint8_t c)
{
	FUZZ_CHECK(c >= ' ' && c < 0x7f, "byte 0x%x sent as text", c);
	if (term.wrap_pending) {
		FUZZ_CHECK(term.row + 1 < term.rows, "the terminal scrolled");
		term.row++;
		term.col = 0;
		term.wrap_pending = false;
	}
	term.ch[term.row][term.col] = term.graphics ? (uint8_t)(c | 0x80) : c;
	term.attr[term.row][term.col] = term.cur_attr;
	if (term.col + 1 < term.cols)
		term.col++;
	else
		term.wrap_pending = true;
}

FUZZ_ORACLE static void term_byte(uint8_t c)
{
	switch (term.state) {
	case 1:
		FUZZ_CHECK(c == '[' || c == '(', "ESC %c", c);
		term.state = c == '[' ? 2 : 3;
		term.nparams = 0;
		memset(term.params, 0, sizeof(term.params));
		return;
	case 2:
		if (c >= '0' && c <= '9') {
			if (!term.nparams)
				term.nparams = 1;
			term.params[term.nparams - 1] =
				term.params[term.nparams - 1] * 10 + (c - '0');
		} else if (c == ';') {
			FUZZ_CHECK(term.nparams < 4, "too many parameters");
			term.nparams = term.nparams ? term.nparams + 1 : 2;
		} else {
			term_csi(c);
			term.state = 0;
		}
		return;
	case 3:
		FUZZ_CHECK(c == '0' || c == 'B', "ESC ( %c", c);
		term.graphics = c == '0';
		term.state = 0;
		return;
	default:
		break;
	}
	if (c == ESC) {
		term.state = 1;
	} else if (c == '\r') {
		term.col = 0;
		term.wrap_pending = false;
	} else {
		term_print(c);
	}
}

FUZZ_ORACLE static void sink(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		term_byte((uint8_t)s[i]);
}

FUZZ_ORACLE static uint8_t expected_glyph(struct cell c)
{
	if (!(c.attr & ATTR_LINE))
		return c.ch;
	if (screen.dec_graphics)
		return (uint8_t)((c.ch == '-' ? 'q' : c.ch == '|' ? 'x' : c.ch) | 0x80);
	return c.ch == '-' || c.ch == '|' ? c.ch : '+';
}

FUZZ_ORACLE static void flush_and_check(void)
{
	screen_flush(&screen);
	FUZZ_CHECK(term.state == 0, "a flush ended inside an escape sequence");
	for (unsigned int r = 0; r < screen.rows; r++)
		for (unsigned int c = 0; c < screen.cols; c++) {
			struct cell w = screen.want[r][c];

			FUZZ_CHECK(term.ch[r][c] == expected_glyph(w),
				   "cell %u,%u shows 0x%x for 0x%x", r, c, term.ch[r][c], w.ch);
			FUZZ_CHECK(term.attr[r][c] == (w.attr & (ATTR_BOLD | ATTR_REVERSE)),
				   "cell %u,%u attributes %u for %u", r, c, term.attr[r][c],
				   w.attr);
		}
	FUZZ_CHECK(!term.wrap_pending && term.row == screen.cursor_row &&
			   term.col == screen.cursor_col,
		   "cursor at %u,%u, wanted %u,%u", term.row, term.col, screen.cursor_row,
		   screen.cursor_col);
	FUZZ_CHECK(!term.graphics && term.cur_attr == 0, "attributes left on after a flush");
	FUZZ_CHECK(screen_flush(&screen) == 0, "a flush with nothing changed sent bytes");
}

FUZZ_ORACLE static bool plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\n' && (s[i] < ' ' || s[i] >= 0x7f))
			return false;
	return true;
}

/* A text of printable bytes and newlines: the cursor's row shows its last line's end. */
FUZZ_ORACLE static void check_last_row(const char *text, size_t len, unsigned int nrows,
				       unsigned int row)
{
	const char *nl = memrchr(text, '\n', len);
	size_t start = nl ? (size_t)(nl - text) + 1 : 0, n = len - start, from;
	size_t window = (size_t)nrows * screen.cols;

	if (!plain(text, len) || (len > window && (!nl || start <= len - window)))
		return; /* the layout starts mid-line: rows wrap elsewhere */
	from = n ? (n - 1) / screen.cols * screen.cols : 0;
	for (unsigned int c = 0; c < screen.cols; c++) {
		uint8_t want = from + c < n ? (uint8_t)text[start + from + c] : ' ';

		FUZZ_CHECK(screen.want[row][c].ch == want, "row %u column %u: 0x%x for 0x%x", row,
			   c, screen.want[row][c].ch, want);
	}
}

FUZZ_ORACLE static void view(struct fuzz_in *in)
{
	unsigned int top = fuzz_u8(in) % screen.rows;
	unsigned int nrows = 1 + fuzz_u8(in) % (screen.rows - top);
	unsigned int row, col;
	size_t n = conbuf_tail(&cb, tail, 1 + fuzz_u16(in) % RING_MAX);

	FUZZ_CHECK(n <= cb.size && n <= cb.written, "%zu bytes of tail", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(tail[i] != ESC && tail[i] != '\r' && tail[i] != 0, "kept byte 0x%x",
			   (unsigned char)tail[i]);
	textview_draw(&screen, tail, n, top, nrows, &row, &col);
	FUZZ_CHECK(row >= top && row < top + nrows && col < screen.cols, "cursor %u,%u", row, col);
	check_last_row(tail, n, nrows, row);
	screen_cursor(&screen, row, col);
}

FUZZ_ORACLE static void guest(struct fuzz_in *in)
{
	char bytes[256];
	size_t n = fuzz_bytes(in, bytes, fuzz_u8(in));
	uint64_t total = cb.total, written = cb.written;

	conbuf_write(&cb, bytes, n);
	FUZZ_CHECK(cb.total == total + n && cb.written <= written + n && cb.written >= written,
		   "counters");
	FUZZ_CHECK(conbuf_lost(&cb) == (cb.written > cb.size ? cb.written - cb.size : 0),
		   "lost %lu", (unsigned long)conbuf_lost(&cb));
}

static void operation(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in) % OP_COUNT, row = fuzz_u8(in), col = fuzz_u8(in);
	uint8_t attr = fuzz_u8(in) & (ATTR_REVERSE | ATTR_BOLD | ATTR_LINE);
	char text[SCREEN_COLS_MAX + 8];
	uint8_t a, b;
	size_t n;

	switch (op) {
	case OP_TEXT:
		n = fuzz_bytes(in, text, fuzz_u8(in) % sizeof(text));
		screen_text(&screen, row, col, text, n, attr);
		break;
	case OP_FILL:
		a = fuzz_u8(in);
		b = fuzz_u8(in);
		screen_fill(&screen, row, col, a, (char)(' ' + b % 95), attr);
		break;
	case OP_BOX:
		a = fuzz_u8(in);
		b = fuzz_u8(in);
		screen_box(&screen, row, col, a, b);
		break;
	case OP_CURSOR:
		screen_cursor(&screen, row, col);
		break;
	case OP_INVALIDATE:
		screen_invalidate(&screen);
		break;
	case OP_FLUSH:
		flush_and_check();
		break;
	case OP_GUEST:
		guest(in);
		break;
	case OP_VIEW:
		view(in);
		break;
	default:
		screen_clear(&screen);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int rows = fuzz_u8(&in), cols = fuzz_u8(&in);
	uint8_t flags = fuzz_u8(&in);

	memset(&term, 0, sizeof(term));
	memset(term.ch, '#', sizeof(term.ch)); /* garbage until cleared */
	screen_init(&screen, rows, cols, flags & 1, sink);
	term.rows = screen.rows;
	term.cols = screen.cols;
	conbuf_init(&cb, ring, 16UL << ((flags >> 1) % 9));
	while (fuzz_more(&in))
		operation(&in);
	flush_and_check();
	return 0;
}
