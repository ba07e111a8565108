// SPDX-License-Identifier: MIT
#include "console/escfilter.h"

#define ESC 0x1b
#define BEL 0x07

bool escfilter_keep(enum escfilter *state, unsigned char c)
{
	switch (*state) {
	case ESCF_ESC:
		*state = c == '[' ? ESCF_CSI : c == ']' ? ESCF_OSC : ESCF_TEXT;
		return false;
	case ESCF_CSI:
		/* A final byte (0x40-0x7e) ends it, and so does a byte no CSI has (cut short). */
		if (c >= 0x40 || c < 0x20)
			*state = ESCF_TEXT;
		return false;
	case ESCF_OSC: /* a title and the like, up to BEL or ESC \ */
		if (c == BEL)
			*state = ESCF_TEXT;
		else if (c == ESC)
			*state = ESCF_OSC_ESC;
		return false;
	case ESCF_OSC_ESC:
		*state = c == '\\' ? ESCF_TEXT : ESCF_OSC;
		return false;
	case ESCF_TEXT:
	default:
		if (c == ESC) {
			*state = ESCF_ESC;
			return false;
		}
		return true;
	}
}
