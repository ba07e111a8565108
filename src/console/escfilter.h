/* SPDX-License-Identifier: MIT */
/*
 * Removes the escape sequences a guest writes for its own terminal (CSI and
 * OSC sequences, and two-byte ESC sequences) from its output, a byte at a
 * time, so that what reaches the operator's terminal is text: a guest must
 * not move the cursor, recolour or rewrite the lines of the host or of other
 * VMs. Used by the console text rings and by the plain console's lines.
 */
#ifndef SKIFF_CONSOLE_ESCFILTER_H
#define SKIFF_CONSOLE_ESCFILTER_H

#include <stdbool.h>

enum escfilter { ESCF_TEXT = 0, ESCF_ESC, ESCF_CSI, ESCF_OSC, ESCF_OSC_ESC };

/* True when @c is text to keep; false for a byte of an escape sequence (or ESC itself). */
bool escfilter_keep(enum escfilter *state, unsigned char c);

#endif
