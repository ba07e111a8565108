/* SPDX-License-Identifier: MIT */
/*
 * Output a guest writes byte by byte (its UART, its DCC), shown on the host's
 * serial line a line at a time as "PREFIX| text", so lines of different VMs
 * never mix. A line longer than LINEOUT_MAX is cut into several.
 */
#ifndef SKIFF_CONSOLE_LINEOUT_H
#define SKIFF_CONSOLE_LINEOUT_H

#include <stddef.h>
#include <stdint.h>

#define LINEOUT_MAX	   160
#define LINEOUT_PREFIX_MAX 40

struct lineout {
	char prefix[LINEOUT_PREFIX_MAX];
	unsigned int len;
	char line[LINEOUT_MAX];
	uint64_t bytes; /* everything put, newlines included */
};

void lineout_init(struct lineout *o, const char *prefix);
/* One byte of output ('\r' is dropped, '\n' ends the line). The caller serializes. */
void lineout_put(struct lineout *o, char c);
/* Emits a partial line, if any (when its VM stops, so nothing is lost). */
void lineout_flush(struct lineout *o);
/* Emits one whole line "PREFIX| text". */
void lineout_emit(const char *prefix, const char *s, size_t len);

#endif
