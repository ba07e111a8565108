/* SPDX-License-Identifier: MIT */
/*
 * What the full-screen console shows besides the consoles themselves: the
 * status line at the bottom (focus, every VM's state, the hot-key hint) and
 * the status view, a whole-screen overview of the host and its VMs in the
 * spirit of a server's direct console.
 */
#ifndef SKIFF_CONSOLE_STATUS_VIEW_H
#define SKIFF_CONSOLE_STATUS_VIEW_H

#include "console/screen.h"
#include "platform/platform.h"

struct status_line_info {
	unsigned int focus; /* the VM with the input, or FOCUS_SHELL */
	const char *view;   /* "log", "status" or NULL for the console in focus */
	const char *prefix; /* the prefix key's name */
};

/* The host's description for the view (read once at boot). */
void status_view_init(const struct platform *plat);

void status_line_draw(struct screen *s, unsigned int row, const struct status_line_info *info);

/* Fills rows 0..@nrows-1 with the overview. */
void status_view_draw(struct screen *s, unsigned int nrows, const char *prefix);

#endif
