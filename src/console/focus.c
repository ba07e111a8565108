// SPDX-License-Identifier: MIT
#include "console/focus.h"

enum focus_result focus_feed(struct input_focus *f, int c, unsigned int nvms)
{
	int prefix = f->prefix ? f->prefix : FOCUS_ESCAPE;
	unsigned int index;

	if (!f->escape) {
		if (c != prefix)
			return FOCUS_DELIVER;
		f->escape = true;
		return FOCUS_CONSUMED;
	}
	f->escape = false;
	if (c == prefix)
		return FOCUS_DELIVER; /* the prefix twice: one literal prefix byte */
	if ((c >= 'a' && c <= 'z') || c == '?')
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
