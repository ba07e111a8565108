/* SPDX-License-Identifier: MIT */
/*
 * The operator's serial console (docs/console.md): one UART shared by Skiff's
 * log, the management shell and every VM's console, each a console object
 * with its own scrollback (console/conbuf.h). Input goes to the console in
 * focus, switched with a prefix key. Two modes:
 *  - full screen (a VT100/ANSI terminal): the focused console drawn from its
 *    scrollback above a status line, only changed cells sent (console/screen.h);
 *    a status view; the terminal's size asked of the terminal itself;
 *  - plain (a logger, a pipe): lines prefixed with their source, no escape
 *    sequences at all.
 * skiff.console=auto (default: full screen if the terminal answers the size
 * query, else plain), screen or plain; skiff.console.prefix=ctrl-X;
 * skiff.console.lines=dec or ascii.
 */
#ifndef SKIFF_CONSOLE_MUX_H
#define SKIFF_CONSOLE_MUX_H

#include <stdbool.h>
#include <stddef.h>

struct vm;

/* Early in boot, once the UART works: the log is kept from here on. */
void mux_early_init(void);

/* Reads the console options from the boot arguments and finds the terminal. */
struct platform;
void mux_init(const struct platform *plat);

/* The VMs exist: give the input to the first one running and say how to switch. */
void mux_start(void);

/* Each time slice, on one CPU at a time: input, and a redraw when something changed. */
void console_poll(void);

/* The shell's output (a line) and its console. */
void mux_shell_write(const char *s, size_t len);

/* True when the full-screen console is on. */
bool mux_full_screen(void);

struct mux_stats {
	uint64_t frames;	  /* full-screen redraws */
	uint64_t last_frame;	  /* bytes the last one sent */
	uint64_t largest_frame;	  /* bytes the largest one sent */
	uint64_t last_echo_ticks; /* a key for the shell to its redraw, host counter ticks */
};

void mux_get_stats(struct mux_stats *out);

/* Prints the last @lines lines of a VM's console, or of the log, through the shell. */
struct shell;
void mux_replay(struct shell *sh, struct vm *vm, unsigned int lines);
void mux_replay_log(struct shell *sh, unsigned int lines);

/* Gives the input (and the screen) to @vm; false if it is not running. */
bool mux_attach(const struct vm *vm);

#endif
