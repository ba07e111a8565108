// SPDX-License-Identifier: MIT
/*
 * What the operator types: the focus keys (console/focus.c) decide where each
 * byte goes, the management shell's line editor (console/shell.c) takes what
 * is typed to it, with its own terminal decoder (console/termin.c); a second
 * decoder takes every byte, as the console's does for size answers. The
 * input's first byte sets the number of VMs, whether the shell has the input
 * at first, and the prefix key. Checked: the
 * decoder's events are well formed, the line and cursor stay within the line,
 * a switch names an existing VM or the shell, and the commands run get what
 * was typed (at most the line's length).
 */
#include "console/focus.h"
#include "console/shell.h"
#include "console/termin.h"
#include "fuzz.h"

FUZZ_ORACLE static void out(const char *s, size_t len)
{
	FUZZ_CHECK(len < 200 && !memchr(s, '\0', len), "an output line of %zu bytes", len);
}

/* A command named by @words words got @argc arguments. */
FUZZ_ORACLE static void run(struct shell *sh, int words, int argc, char **argv)
{
	size_t total = 0;

	FUZZ_CHECK(argc >= 0 && argc + words <= SHELL_ARGS_MAX, "%d arguments", argc);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		FUZZ_CHECK(n > 0 && argv[i][0] != ' ' && argv[i][n - 1] != ' ', "argument \"%s\"",
			   argv[i]);
		/* Only a full line's last word holds spaces: the rest of the line. */
		FUZZ_CHECK(!strchr(argv[i], ' ') ||
				   (i == argc - 1 && argc + words == SHELL_ARGS_MAX),
			   "argument %d of %d \"%s\"", i, argc, argv[i]);
		total += n + 1;
	}
	FUZZ_CHECK(total <= SHELL_LINE_MAX, "%zu bytes of arguments", total);
	shell_printf(sh, "ran with %d argument(s)", argc);
}

FUZZ_ORACLE static void run1(struct shell *sh, int argc, char **argv)
{
	run(sh, 1, argc, argv);
}

FUZZ_ORACLE static void run2(struct shell *sh, int argc, char **argv)
{
	run(sh, 2, argc, argv);
}

static const struct shell_cmd cmds[] = {
	{ "vm list", "", "list the VMs", run2 },
	{ "vm start", "NAME", "start a VM", run2 },
	{ "log", "", "show the log", run1 },
	{ "stats", "", "counters", run1 },
};

FUZZ_ORACLE static void check_event(const struct term_event *ev)
{
	FUZZ_CHECK(ev->key <= TK_OTHER, "key %d", ev->key);
	FUZZ_CHECK(ev->key == TK_CHAR || ev->c == 0, "a character with key %d", ev->key);
	if (ev->key == TK_SIZE || ev->key == TK_CURSOR)
		FUZZ_CHECK(ev->rows <= TERMIN_PARAM_MAX && ev->cols <= TERMIN_PARAM_MAX,
			   "size %ux%u", ev->rows, ev->cols);
	else
		FUZZ_CHECK(!ev->rows && !ev->cols, "rows/cols on key %d", ev->key);
}

FUZZ_ORACLE static void check_shell(const struct shell *sh)
{
	unsigned int kept = sh->nhistory < SHELL_HISTORY ? sh->nhistory : SHELL_HISTORY;

	FUZZ_CHECK(sh->len < SHELL_LINE_MAX, "line of %u bytes", sh->len);
	FUZZ_CHECK(sh->cursor <= sh->len, "cursor %u beyond %u", sh->cursor, sh->len);
	FUZZ_CHECK(sh->recalled <= kept, "recalled %u of %u", sh->recalled, kept);
	FUZZ_CHECK(sh->keys.nparams <= TERMIN_PARAMS, "%u parameters", sh->keys.nparams);
	for (unsigned int i = 0; i < sh->len; i++)
		FUZZ_CHECK(sh->line[i] >= ' ' && sh->line[i] < 0x7f, "byte 0x%x in the line",
			   (unsigned char)sh->line[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shell sh;
	struct fuzz_in in = { data, size };
	uint8_t setup = fuzz_u8(&in);
	struct input_focus focus = { .vm = setup & 8 ? FOCUS_SHELL : 0,
				     .escape = false,
				     .prefix = (char)(setup >> 4) };
	unsigned int nvms = setup & 7;
	struct termin answers;

	shell_init(&sh, cmds, sizeof(cmds) / sizeof(cmds[0]), out);
	termin_init(&answers);
	while (fuzz_more(&in)) {
		uint8_t c = fuzz_u8(&in);
		struct term_event ev[2];
		unsigned int n = termin_feed(&answers, c, ev);
		unsigned int before = focus.vm;

		FUZZ_CHECK(n <= 2, "%u events from one byte", n);
		for (unsigned int i = 0; i < n; i++)
			check_event(&ev[i]);
		FUZZ_CHECK(answers.nparams <= TERMIN_PARAMS, "%u parameters", answers.nparams);
		switch (focus_feed(&focus, c, nvms)) {
		case FOCUS_DELIVER:
			if (focus.vm == FOCUS_SHELL)
				shell_input(&sh, (char)c);
			break;
		case FOCUS_SWITCHED:
			FUZZ_CHECK(focus.vm == FOCUS_SHELL || focus.vm < nvms,
				   "focus on VM %u of %u", focus.vm, nvms);
			break;
		default:
			FUZZ_CHECK(focus.vm == before, "focus moved without a switch");
			break;
		}
		check_shell(&sh);
	}
	/* Whatever was left on the line runs: every byte came from the input. */
	shell_input(&sh, '\r');
	check_shell(&sh);
	FUZZ_CHECK(sh.len == 0, "Enter left %u bytes on the line", sh.len);
	return 0;
}
