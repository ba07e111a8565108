/* SPDX-License-Identifier: MIT */
/* The management shell's `link` commands: the host link (migrate/link.h). */
#ifndef SKIFF_CONSOLE_SHELL_LINK_H
#define SKIFF_CONSOLE_SHELL_LINK_H

#include "console/shell.h"

void shell_link_status(struct shell *sh, int argc, char **argv);
void shell_link_open(struct shell *sh, int argc, char **argv);
void shell_link_ping(struct shell *sh, int argc, char **argv);
void shell_link_close(struct shell *sh, int argc, char **argv);
void shell_link_handshake(struct shell *sh, int argc, char **argv);

#endif
