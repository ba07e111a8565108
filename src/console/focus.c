// SPDX-License-Identifier: MIT
#include "console/focus.h"

enum focus_result focus_feed(struct input_focus *f, int c, unsigned int nvms)
{
	unsigned int index;

	if (!f->escape) {
		if (c != FOCUS_ESCAPE)
			return FOCUS_DELIVER;
		f->escape = true;
		return FOCUS_CONSUMED;
	}
	f->escape = false;
	if (c == FOCUS_ESCAPE)
		return FOCUS_DELIVER; /* the escape twice: one literal escape byte */
	if (c >= 'a' && c <= 'z')
		return FOCUS_COMMAND;
	if (c == '0') {
		f->vm = FOCUS_SHELL;
		return FOCUS_SWITCHED;
	}
	if (c < '1' || c > '9')
		return FOCUS_REJECTED;
	index = (unsigned int)(c - '1');
	if (index >= nvms)
		return FOCUS_REJECTED;
	f->vm = index;
	return FOCUS_SWITCHED;
}
