/* SPDX-License-Identifier: MIT */
/*
 * Output a guest writes byte by byte (its UART, its DCC), shown on the host's
 * serial line a line at a time as "PREFIX| text", so lines of different VMs
 * never mix (the plain console); a line longer than LINEOUT_MAX is cut into
 * several. Every byte is also kept in the source's console text ring (@keep),
 * which the full-screen console draws from; that console turns the lines off.
 * The guest's escape sequences are left out and any other control byte is
 * shown as '?': its lines cannot move the cursor or rewrite other lines.
 */
#ifndef SKIFF_CONSOLE_LINEOUT_H
#define SKIFF_CONSOLE_LINEOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/conbuf.h"
#include "console/escfilter.h"

#define LINEOUT_MAX	   160
#define LINEOUT_PREFIX_MAX 40

struct lineout {
	char prefix[LINEOUT_PREFIX_MAX];
	unsigned int len;
	char line[LINEOUT_MAX];
	uint64_t bytes;	     /* everything put, newlines included */
	struct conbuf *keep; /* the console's text ring, or NULL */
	enum escfilter filter;
};

void lineout_init(struct lineout *o, const char *prefix);
/* Whether lines go to the serial line (true until the full-screen console starts). */
void lineout_set_visible(bool visible);
/* One byte of output ('\r' is dropped, '\n' ends the line). The caller serializes. */
void lineout_put(struct lineout *o, char c);
/* Emits a partial line, if any (when its VM stops, so nothing is lost). */
void lineout_flush(struct lineout *o);
/* Emits one whole line "PREFIX| text", control bytes of @s shown as '?'. */
void lineout_emit(const char *prefix, const char *s, size_t len);

#endif
