// SPDX-License-Identifier: MIT
/* The input-focus hot-key: Ctrl-\ then a VM number; Ctrl-\ twice is a literal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "console/focus.h"

static void test_plain_bytes_are_delivered(void **state)
{
	struct input_focus f = { 0 };

	(void)state;
	assert_int_equal(focus_feed(&f, 'a', 3), FOCUS_DELIVER);
	assert_int_equal(focus_feed(&f, '2', 3), FOCUS_DELIVER);
	assert_int_equal(f.vm, 0);
}

static void test_ctrl_a_digit_switches(void **state)
{
	struct input_focus f = { 0 };

	(void)state;
	assert_int_equal(focus_feed(&f, FOCUS_ESCAPE, 3), FOCUS_CONSUMED);
	assert_int_equal(focus_feed(&f, '3', 3), FOCUS_SWITCHED);
	assert_int_equal(f.vm, 2);
	assert_int_equal(focus_feed(&f, 'x', 3), FOCUS_DELIVER); /* escape is over */
	assert_int_equal(focus_feed(&f, FOCUS_ESCAPE, 3), FOCUS_CONSUMED);
	assert_int_equal(focus_feed(&f, '1', 3), FOCUS_SWITCHED);
	assert_int_equal(f.vm, 0);
}

static void test_ctrl_a_twice_is_a_literal(void **state)
{
	struct input_focus f = { .vm = 1 };

	(void)state;
	assert_int_equal(focus_feed(&f, FOCUS_ESCAPE, 2), FOCUS_CONSUMED);
	assert_int_equal(focus_feed(&f, FOCUS_ESCAPE, 2), FOCUS_DELIVER);
	assert_int_equal(focus_feed(&f, '1', 2), FOCUS_DELIVER);
	assert_int_equal(f.vm, 1);
}

static void test_numbers_without_a_vm_are_rejected(void **state)
{
	struct input_focus f = { .vm = 1 };

	(void)state;
	focus_feed(&f, FOCUS_ESCAPE, 2);
	assert_int_equal(focus_feed(&f, '3', 2), FOCUS_REJECTED);
	focus_feed(&f, FOCUS_ESCAPE, 2);
	assert_int_equal(focus_feed(&f, '0', 2), FOCUS_SWITCHED); /* the shell */
	assert_int_equal(f.vm, FOCUS_SHELL);
	f.vm = 1;
	focus_feed(&f, FOCUS_ESCAPE, 2);
	assert_int_equal(focus_feed(&f, '!', 2), FOCUS_REJECTED);
	assert_int_equal(f.vm, 1);
	assert_int_equal(focus_feed(&f, 'q', 2), FOCUS_DELIVER);
}

static void test_letters_are_commands(void **state)
{
	struct input_focus f = { .vm = 1 };

	(void)state;
	focus_feed(&f, FOCUS_ESCAPE, 2);
	assert_int_equal(focus_feed(&f, 'h', 2), FOCUS_COMMAND);
	assert_int_equal(f.vm, 1);
	assert_int_equal(focus_feed(&f, 'h', 2), FOCUS_DELIVER); /* once only */
}

static void test_a_configured_prefix(void **state)
{
	struct input_focus f = { .vm = 0, .prefix = 0x14 }; /* Ctrl-T */

	(void)state;
	assert_int_equal(focus_feed(&f, FOCUS_ESCAPE, 2), FOCUS_DELIVER);
	assert_int_equal(focus_feed(&f, 0x14, 2), FOCUS_CONSUMED);
	assert_int_equal(focus_feed(&f, '2', 2), FOCUS_SWITCHED);
	assert_int_equal(f.vm, 1);
	focus_feed(&f, 0x14, 2);
	assert_int_equal(focus_feed(&f, '?', 2), FOCUS_COMMAND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_are_delivered),
		cmocka_unit_test(test_ctrl_a_digit_switches),
		cmocka_unit_test(test_ctrl_a_twice_is_a_literal),
		cmocka_unit_test(test_numbers_without_a_vm_are_rejected),
		cmocka_unit_test(test_letters_are_commands),
		cmocka_unit_test(test_a_configured_prefix),
	};

	return cmocka_run_group_tests_name("focus", tests, NULL, NULL);
}
