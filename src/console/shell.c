// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <string.h>

#include "console/shell.h"
#include "lib/format.h"

void shell_init(struct shell *sh, const struct shell_cmd *cmds, unsigned int ncmds,
		void (*write)(const char *s, size_t len))
{
	memset(sh, 0, sizeof(*sh));
	sh->cmds = cmds;
	sh->ncmds = ncmds;
	sh->write = write;
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	char out[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_v(out, sizeof(out), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(out) - 1)
		n = sizeof(out) - 1;
	sh->write(out, (size_t)n);
}

/* Splits @line at spaces into at most SHELL_ARGS_MAX words; returns how many. */
static int split(char *line, char **argv)
{
	int argc = 0;

	while (*line && argc < SHELL_ARGS_MAX) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	return argc;
}

/* True when the command's name is the first one or two words of @argv. */
static int matches(const char *name, int argc, char **argv)
{
	const char *space = strchr(name, ' ');

	if (!space)
		return argc >= 1 && !strcmp(argv[0], name) ? 1 : 0;
	if (argc < 2 || strncmp(argv[0], name, (size_t)(space - name)) || argv[0][space - name] ||
	    strcmp(argv[1], space + 1))
		return 0;
	return 2;
}

static void help(struct shell *sh)
{
	for (unsigned int i = 0; i < sh->ncmds; i++)
		shell_printf(sh, "  %s %s%s- %s", sh->cmds[i].name, sh->cmds[i].args,
			     *sh->cmds[i].args ? " " : "", sh->cmds[i].help);
}

void shell_execute(struct shell *sh, char *line)
{
	char *argv[SHELL_ARGS_MAX];
	int argc = split(line, argv);
	unsigned int i;

	if (!argc)
		return;
	if (!strcmp(argv[0], "help")) {
		help(sh);
		return;
	}
	for (i = 0; i < sh->ncmds; i++) {
		int words = matches(sh->cmds[i].name, argc, argv);

		if (words) {
			sh->cmds[i].run(sh, argc - words, argv + words);
			return;
		}
	}
	shell_printf(sh, "unknown command \"%s\": type help for the list", argv[0]);
}

void shell_input(struct shell *sh, char c)
{
	if (sh->escape) {
		/* ESC [ X: the arrow keys and their kin; nothing to do with them yet. */
		if (sh->escape == 2 && c != '[')
			sh->escape = 0;
		else
			sh->escape--;
		return;
	}
	switch (c) {
	case 0x1b:
		sh->escape = 2;
		return;
	case '\r':
	case '\n':
		sh->line[sh->len] = '\0';
		shell_printf(sh, "> %s", sh->line); /* the line as entered */
		sh->len = 0;
		shell_execute(sh, sh->line);
		return;
	case 0x7f:
	case 0x08:
		if (sh->len)
			sh->len--;
		return;
	case 0x15: /* Ctrl-U */
		sh->len = 0;
		return;
	default:
		if (c >= ' ' && c < 0x7f && sh->len < SHELL_LINE_MAX - 1)
			sh->line[sh->len++] = c;
		return;
	}
}
