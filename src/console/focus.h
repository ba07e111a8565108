/* SPDX-License-Identifier: MIT */
/*
 * Which VM the host's serial input goes to, switched with a prefix key
 * (Ctrl-\, 0x1c, unless configured otherwise) and one more key: a digit 1-8
 * gives the input to the VM with that number (configuration order), 0 to the
 * management shell; the prefix twice sends one prefix byte on; the prefix then
 * a letter or '?' is a command for the console (console/mux.c).
 */
#ifndef SKIFF_CONSOLE_FOCUS_H
#define SKIFF_CONSOLE_FOCUS_H

#include <stdbool.h>

#define FOCUS_SHELL  0xffU /* input_focus.vm when the management shell has the input */
#define FOCUS_ESCAPE 0x1c  /* Ctrl-\, which QEMU, screen, minicom and tmux pass through */

struct input_focus {
	unsigned int vm; /* index of the VM that gets input */
	bool escape;	 /* the prefix byte seen, waiting for the command byte */
	char prefix;	 /* the prefix key's byte; 0 means FOCUS_ESCAPE */
};

enum focus_result {
	FOCUS_DELIVER,	/* give the byte to the VM in focus */
	FOCUS_CONSUMED, /* part of a hot-key: nothing to deliver */
	FOCUS_SWITCHED, /* the focus moved to another VM */
	FOCUS_REJECTED, /* a hot-key naming no VM: the focus stays */
	FOCUS_COMMAND,	/* a letter after the escape: a command for the VM in focus */
};

/* Feeds one input byte; @nvms VMs exist. For FOCUS_COMMAND the letter is @c itself. */
enum focus_result focus_feed(struct input_focus *f, int c, unsigned int nvms);

#endif
