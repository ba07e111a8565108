/* SPDX-License-Identifier: MIT */
/*
 * Which VM the host's serial input goes to, switched with a hot-key: Ctrl-\ (0x1c)
 * then a digit 1-8 gives the input to the VM with that number (configuration
 * order), 0 to the management shell; Ctrl-\ twice sends one Ctrl-\ to the VM; Ctrl-\ then a letter
 * is a command for the VM in focus (h: ask its tools to halt, r: to reboot). A simple stand-in
 * until the console multiplexer takes over the serial line.
 */
#ifndef SKIFF_CONSOLE_FOCUS_H
#define SKIFF_CONSOLE_FOCUS_H

#include <stdbool.h>

#define FOCUS_SHELL  0xffU /* input_focus.vm when the management shell has the input */
#define FOCUS_ESCAPE 0x1c  /* Ctrl-\, which QEMU, screen, minicom and tmux pass through */

struct input_focus {
	unsigned int vm; /* index of the VM that gets input */
	bool escape;	 /* the escape byte seen, waiting for the command byte */
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
