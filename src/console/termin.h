/* SPDX-License-Identifier: MIT */
/*
 * Decodes what a terminal sends: characters, the editing keys' escape
 * sequences (arrows, Home, End, Delete; CSI and SS3 forms) and the terminal's
 * answers to Skiff's size queries (CSI 8;rows;cols t and the cursor position
 * report CSI row;col R). Anything else is passed over as it ends, cut
 * sequences included: a byte that cannot continue a sequence ends it and is
 * decoded afresh. Pure logic, fed byte by byte; fuzzed on the host.
 */
#ifndef SKIFF_CONSOLE_TERMIN_H
#define SKIFF_CONSOLE_TERMIN_H

#include <stdbool.h>
#include <stdint.h>

#define TERMIN_PARAMS	 4
#define TERMIN_PARAM_MAX 9999 /* larger numbers are clamped */

enum termin_state { TERMIN_GROUND, TERMIN_ESC, TERMIN_CSI, TERMIN_SS3 };

enum term_key {
	TK_CHAR, /* @c: a byte outside any sequence (control characters too) */
	TK_UP,
	TK_DOWN,
	TK_RIGHT,
	TK_LEFT,
	TK_HOME,
	TK_END,
	TK_DELETE,
	TK_SIZE,   /* the terminal's size: @rows, @cols */
	TK_CURSOR, /* a cursor position report: @rows, @cols are the position */
	TK_OTHER,  /* a complete sequence Skiff has no use for */
};

struct term_event {
	enum term_key key;
	uint8_t c;
	unsigned int rows, cols;
};

struct termin {
	enum termin_state state;
	unsigned int nparams;
	unsigned int params[TERMIN_PARAMS];
	bool private; /* a CSI with a parameter prefix such as '?' */
};

void termin_init(struct termin *t);

/*
 * Feeds one byte. Returns how many events it completes (0, 1 or 2: a byte
 * that breaks a sequence yields the cut sequence's TK_OTHER, then itself),
 * written to @ev.
 */
unsigned int termin_feed(struct termin *t, uint8_t byte, struct term_event ev[2]);

#endif
