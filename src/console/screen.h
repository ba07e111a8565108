/* SPDX-License-Identifier: MIT */
/*
 * A model of the operator's terminal screen: Skiff draws into the cells it
 * wants, and screen_flush() sends a VT100/ANSI terminal only the cells that
 * differ from what it already shows (cursor moves, SGR attributes, and DEC
 * special graphics for line drawing when allowed). Pure logic: the bytes go
 * to a sink, so the host unit test counts them.
 */
#ifndef SKIFF_CONSOLE_SCREEN_H
#define SKIFF_CONSOLE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCREEN_ROWS_MAX 64
#define SCREEN_COLS_MAX 200
#define SCREEN_OUT_MAX	256 /* bytes gathered before they go to the sink */

enum screen_attr {
	ATTR_NORMAL = 0,
	ATTR_REVERSE = 1 << 0,
	ATTR_BOLD = 1 << 1,
	ATTR_LINE = 1 << 2, /* a line-drawing cell: '-', '|' or a corner '+' */
};

struct cell {
	uint8_t ch;
	uint8_t attr;
};

struct screen {
	unsigned int rows, cols;
	bool dec_graphics; /* draw lines with DEC special graphics, else ASCII */
	void (*write)(const char *s, size_t len);
	struct cell want[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	struct cell shown[SCREEN_ROWS_MAX][SCREEN_COLS_MAX];
	bool shown_valid;		     /* false: clear the terminal and draw it all */
	unsigned int cursor_row, cursor_col; /* where the cursor is left after a flush */
	/* What the terminal is at: position (when known), attributes, character set. */
	bool term_known;
	unsigned int term_row, term_col;
	uint8_t term_attr;
	bool term_graphics;
	char out[SCREEN_OUT_MAX];
	size_t outlen;
	uint64_t sent; /* bytes sent by the last flush */
};

/* A screen of @rows x @cols (clamped to the maximum), blank, to be drawn in full. */
void screen_init(struct screen *s, unsigned int rows, unsigned int cols, bool dec_graphics,
		 void (*write)(const char *s, size_t len));

/* Blanks every cell Skiff wants. */
void screen_clear(struct screen *s);

/* Puts @len bytes of @text at (@row, @col) with @attr, clipped at the right edge. */
void screen_text(struct screen *s, unsigned int row, unsigned int col, const char *text, size_t len,
		 uint8_t attr);

/* Fills @n cells from (@row, @col) with @ch and @attr. */
void screen_fill(struct screen *s, unsigned int row, unsigned int col, unsigned int n, char ch,
		 uint8_t attr);

/* Draws a box with ATTR_LINE cells around rows @top..@bottom, columns @left..@right. */
void screen_box(struct screen *s, unsigned int top, unsigned int left, unsigned int bottom,
		unsigned int right);

/* Where the cursor should be once drawn (the shell's prompt, a VM's last line). */
void screen_cursor(struct screen *s, unsigned int row, unsigned int col);

/* The terminal lost what it showed (attached anew, resized): redraw it all next time. */
void screen_invalidate(struct screen *s);

/* Sends what changed; returns the number of bytes sent. */
size_t screen_flush(struct screen *s);

#endif
