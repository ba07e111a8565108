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
	termin_init(&sh->keys);
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	char out[200];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clamped_v(out, sizeof(out), fmt, ap);
	va_end(ap);
	sh->write(out, n);
}

/*
 * Splits @line at spaces into at most SHELL_ARGS_MAX words; returns how many.
 * The last word keeps the rest of the line (a guestinfo value's spaces), without
 * trailing spaces.
 */
static int split(char *line, char **argv)
{
	int argc = 0;
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
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

static void insert(struct shell *sh, char c)
{
	if (sh->len >= SHELL_LINE_MAX - 1)
		return;
	memmove(sh->line + sh->cursor + 1, sh->line + sh->cursor, sh->len - sh->cursor);
	sh->line[sh->cursor++] = c;
	sh->len++;
}

static void delete_at(struct shell *sh, unsigned int at)
{
	if (at >= sh->len)
		return;
	memmove(sh->line + at, sh->line + at + 1, sh->len - at - 1);
	sh->len--;
	if (sh->cursor > at)
		sh->cursor--;
}

static void set_line(struct shell *sh, const char *text)
{
	size_t n = strlen(text);

	memcpy(sh->line, text, n);
	sh->len = sh->cursor = (unsigned int)n;
}

/* Up (@step 1) or Down (-1) in the history; below the newest is an empty line. */
static void recall(struct shell *sh, int step)
{
	unsigned int kept = sh->nhistory < SHELL_HISTORY ? sh->nhistory : SHELL_HISTORY;
	unsigned int want = sh->recalled + (unsigned int)step;

	if (step < 0 && !sh->recalled)
		return;
	if (want > kept)
		return;
	sh->recalled = want;
	set_line(sh, want ? sh->history[(sh->nhistory - want) % SHELL_HISTORY] : "");
}

static void enter(struct shell *sh)
{
	char run[SHELL_LINE_MAX];

	sh->line[sh->len] = '\0';
	shell_printf(sh, "> %s", sh->line); /* the line as entered */
	memcpy(sh->history[sh->nhistory % SHELL_HISTORY], sh->line, sh->len + 1);
	sh->nhistory++;
	memcpy(run, sh->line, sh->len + 1); /* split into words in place */
	sh->len = sh->cursor = 0;
	sh->recalled = 0;
	shell_execute(sh, run);
}

static void control(struct shell *sh, uint8_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		if (sh->len)
			enter(sh);
		else
			shell_printf(sh, "> ");
		return;
	case 0x7f:
	case 0x08:
		if (sh->cursor)
			delete_at(sh, sh->cursor - 1);
		return;
	case 0x15: /* Ctrl-U */
		sh->len = sh->cursor = 0;
		return;
	case 0x01: /* Ctrl-A */
		sh->cursor = 0;
		return;
	case 0x05: /* Ctrl-E */
		sh->cursor = sh->len;
		return;
	default:
		return;
	}
}

static void key(struct shell *sh, const struct term_event *ev)
{
	switch (ev->key) {
	case TK_CHAR:
		if (ev->c >= ' ' && ev->c < 0x7f)
			insert(sh, (char)ev->c);
		else
			control(sh, ev->c);
		break;
	case TK_LEFT:
		if (sh->cursor)
			sh->cursor--;
		break;
	case TK_RIGHT:
		if (sh->cursor < sh->len)
			sh->cursor++;
		break;
	case TK_HOME:
		sh->cursor = 0;
		break;
	case TK_END:
		sh->cursor = sh->len;
		break;
	case TK_DELETE:
		delete_at(sh, sh->cursor);
		break;
	case TK_UP:
		recall(sh, 1);
		break;
	case TK_DOWN:
		recall(sh, -1);
		break;
	default:
		break; /* the terminal's answers and keys without a use here */
	}
}

void shell_input(struct shell *sh, char c)
{
	struct term_event ev[2];
	unsigned int n = termin_feed(&sh->keys, (uint8_t)c, ev);

	for (unsigned int i = 0; i < n; i++)
		key(sh, &ev[i]);
	sh->version++;
}
