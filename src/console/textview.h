/* SPDX-License-Identifier: MIT */
/*
 * Lays out the end of a console's text (console/conbuf.h) into rows of the
 * screen model: newlines end rows, long lines wrap, tabs go to the next
 * multiple of eight, backspace steps back, bytes of UTF-8 characters show as
 * one '?' each character. The last rows are shown, as a terminal would after
 * scrolling.
 */
#ifndef SKIFF_CONSOLE_TEXTVIEW_H
#define SKIFF_CONSOLE_TEXTVIEW_H

#include <stddef.h>

#include "console/screen.h"

/*
 * Draws the end of @text into rows @top..@top+@nrows-1 of @s (all columns);
 * sets *@row and *@col to where the next character would go (the cursor).
 */
void textview_draw(struct screen *s, const char *text, size_t len, unsigned int top,
		   unsigned int nrows, unsigned int *row, unsigned int *col);

#endif
