// SPDX-License-Identifier: MIT
/* The management shell's line editor and command table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console/shell.h"

static char out[16][200];
static unsigned int nout;
static char args_seen[200];

static void sink(const char *s, size_t len)
{
	snprintf(out[nout++ % 16], sizeof(out[0]), "%.*s", (int)len, s);
}

static void record(struct shell *sh, int argc, char **argv)
{
	(void)sh;
	args_seen[0] = '\0';
	for (int i = 0; i < argc; i++) {
		size_t used = strlen(args_seen);

		snprintf(args_seen + used, sizeof(args_seen) - used, "[%s]", argv[i]);
	}
}

static const struct shell_cmd cmds[] = {
	{ "vm list", "", "list", record },
	{ "vm info", "NAME", "info", record },
	{ "time", "", "time", record },
};

static struct shell sh;

static int setup(void **state)
{
	(void)state;
	nout = 0;
	args_seen[0] = '\0';
	shell_init(&sh, cmds, 3, sink);
	return 0;
}

static void type(const char *s)
{
	while (*s)
		shell_input(&sh, *s++);
}

static void test_commands_and_arguments(void **state)
{
	(void)state;
	type("vm info  linux extra\r");
	assert_string_equal(out[0], "> vm info  linux extra");
	assert_string_equal(args_seen, "[linux][extra]");
	type("time\r");
	assert_string_equal(args_seen, "");
	type("vm\r");
	assert_string_equal(out[nout - 1], "unknown command \"vm\": type help for the list");
	type("vmlist\r");
	assert_non_null(strstr(out[nout - 1], "unknown command"));
	type("\r"); /* an empty line runs nothing */
	assert_string_equal(out[nout - 1], "> ");
}

/* Past SHELL_ARGS_MAX words the last one keeps the rest of the line, trailing spaces cut. */
static void test_the_last_word_keeps_the_rest_of_the_line(void **state)
{
	(void)state;
	type("vm info a b c d e f  g h  \r");
	assert_string_equal(args_seen, "[a][b][c][d][e][f  g h]");
	type("time x   \r");
	assert_string_equal(args_seen, "[x]");
}

static void test_help_lists_every_command(void **state)
{
	(void)state;
	type("help\r");
	assert_int_equal(nout, 4);
	assert_string_equal(out[1], "  vm list - list");
	assert_string_equal(out[2], "  vm info NAME - info");
}

static void test_editing_keys(void **state)
{
	(void)state;
	type("tiem\x7f\x7f"
	     "me\r");
	assert_string_equal(out[0], "> time");
	type("garbage\x15time\r");
	assert_string_equal(out[nout - 2], "> time");
	type("tme\x1b[D\x1b[D\x1b[D\x1bOCi\r"); /* Left x3, Right (SS3 form), insert */
	assert_string_equal(out[nout - 1], "> time");
	type("xtime\x1b[H\x1b[3~\r"); /* Home, Delete */
	assert_string_equal(out[nout - 1], "> time");
	type("ime\x01t\x05\r"); /* Ctrl-A, Ctrl-E */
	assert_string_equal(out[nout - 1], "> time");
}

static void test_history(void **state)
{
	(void)state;
	type("vm info one\r");
	type("vm info two\r");
	type("\x1b[A\x1b[A\r"); /* Up twice: the one before last */
	assert_string_equal(out[(nout - 1) % 16], "> vm info one");
	assert_string_equal(args_seen, "[one]");
	type("\x1b[A\x1b[A\x1b[B\r"); /* Up, Up, Down */
	assert_string_equal(out[(nout - 1) % 16], "> vm info one");
	type("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[B\x1b[B\x1b[B\x1b[B\x1b[B\x1b[B\x1b[B\r");
	assert_string_equal(out[(nout - 1) % 16], "> "); /* back down past the newest: empty */
	for (unsigned int i = 0; i < 3 * SHELL_HISTORY; i++)
		type("time\r");
	for (unsigned int i = 0; i < 3 * SHELL_HISTORY; i++)
		type("\x1b[A");
	type("\r");
	assert_string_equal(out[(nout - 1) % 16], "> time"); /* the oldest kept, not a stale slot */
}

static void test_random_input_never_breaks_it(void **state)
{
	(void)state;
	srand(1);
	for (unsigned int i = 0; i < 1000000; i++)
		shell_input(&sh, (char)(rand() & 0xff));
	assert_true(sh.len < SHELL_LINE_MAX);
	type("\x15time\r");
	assert_string_equal(out[(nout - 1) % 16], "> time");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_commands_and_arguments, setup),
		cmocka_unit_test_setup(test_the_last_word_keeps_the_rest_of_the_line, setup),
		cmocka_unit_test_setup(test_help_lists_every_command, setup),
		cmocka_unit_test_setup(test_editing_keys, setup),
		cmocka_unit_test_setup(test_history, setup),
		cmocka_unit_test_setup(test_random_input_never_breaks_it, setup),
	};

	return cmocka_run_group_tests_name("shell", tests, NULL, NULL);
}
