/* SPDX-License-Identifier: MIT */
/* The management shell's commands (console/shell.h) and its instance. */
#ifndef SKIFF_CONSOLE_SHELL_CMDS_H
#define SKIFF_CONSOLE_SHELL_CMDS_H

#include "console/shell.h"

/* One byte of input for the shell (it has the console's focus). */
void mgmt_shell_input(char c);

/* The shell, for drawing its line being edited. */
const struct shell *mgmt_shell(void);

#endif
