/* SPDX-License-Identifier: MIT */
/*
 * The management shell: a line editor (printable characters, Backspace and
 * Delete, Left/Right, Home/End and Ctrl-A/Ctrl-E, Ctrl-U, Enter; Up/Down walk
 * the history of the last SHELL_HISTORY lines) and a table of commands, each a word or two ("vm
 * list") followed by arguments: words, the last of at most SHELL_ARGS_MAX keeping the rest of
 * the line. Output goes through a sink a line at a time. The commands
 * themselves live with what they act on (console/shell_cmds.c); this part knows nothing of VMs, so
 * it is unit-tested on the host.
 */
#ifndef SKIFF_CONSOLE_SHELL_H
#define SKIFF_CONSOLE_SHELL_H

#include <stddef.h>

#include "console/termin.h"

#define SHELL_LINE_MAX 128
#define SHELL_ARGS_MAX 8
#define SHELL_HISTORY  16

struct shell;

struct shell_cmd {
	const char *name; /* one or two words, e.g. "vm list" */
	const char *args; /* for help: e.g. "NAME" */
	const char *help;
	/* argv[0] is the first argument after the command's name */
	void (*run)(struct shell *sh, int argc, char **argv);
};

struct shell {
	const struct shell_cmd *cmds;
	unsigned int ncmds;
	void (*write)(const char *s, size_t len); /* one output line, without its newline */
	char line[SHELL_LINE_MAX];
	unsigned int len;
	unsigned int cursor; /* where typing goes, 0..len */
	struct termin keys;
	char history[SHELL_HISTORY][SHELL_LINE_MAX];
	unsigned int nhistory; /* lines entered so far (the last SHELL_HISTORY kept) */
	unsigned int recalled; /* how far back Up went: 0 is the line being typed */
	unsigned int version;  /* changes whenever the line or cursor does (for redraws) */
};

void shell_init(struct shell *sh, const struct shell_cmd *cmds, unsigned int ncmds,
		void (*write)(const char *s, size_t len));
/* One input byte from the terminal. */
void shell_input(struct shell *sh, char c);
/* Runs one command line (what Enter does). */
void shell_execute(struct shell *sh, char *line);
/* Prints one line of output. */
void shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
