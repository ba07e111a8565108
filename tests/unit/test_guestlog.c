// SPDX-License-Identifier: MIT
/* A VM's log budget (core/guestlog.c): a burst a second, the rest counted and reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_arch.h"

/* The fake counter runs at 1 MHz and moves FAKE_COUNTER_STEP at each read. */
#define ONE_SECOND 1000000UL

static unsigned int lines_with(const char *text)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fake.nlogs && i < FAKE_LOGS; i++)
		n += strstr(fake.log[i], text) != NULL;
	return n;
}

static void test_a_flood_is_cut_to_the_burst_and_counted(void **state)
{
	struct guestlog gl;
	unsigned long left_out = 0;

	(void)state;
	fake_reset();
	guestlog_init(&gl, "flood");
	for (int i = 0; i < 20000; i++)
		guestlog_warn(&gl, "bad access %d", i);
	assert_int_equal(fake.nlogs, GUESTLOG_BURST);
	assert_int_equal(gl.left_out, 20000 - GUESTLOG_BURST);
	/* A second later the count is reported, once, exactly. */
	fake.counter += ONE_SECOND;
	guestlog_flush(&gl, false);
	assert_int_equal(fake.nlogs, GUESTLOG_BURST + 1);
	assert_int_equal(sscanf(strstr(fake.log[(GUESTLOG_BURST) % FAKE_LOGS], "flood: ") + 7,
				"%lu more lines", &left_out),
			 1);
	assert_int_equal(left_out, 20000 - GUESTLOG_BURST);
	guestlog_flush(&gl, false);
	assert_int_equal(fake.nlogs, GUESTLOG_BURST + 1);
	assert_int_equal(gl.left_out_total, 20000 - GUESTLOG_BURST);
}

static void test_the_budget_comes_back_each_second(void **state)
{
	struct guestlog gl;

	(void)state;
	fake_reset();
	guestlog_init(&gl, "vm");
	for (int s = 0; s < 3; s++) {
		for (int i = 0; i < GUESTLOG_BURST; i++)
			guestlog_info(&gl, "line");
		fake.counter += ONE_SECOND;
	}
	assert_int_equal(fake.nlogs, 3 * GUESTLOG_BURST);
	assert_int_equal(gl.left_out_total, 0);
	assert_int_equal(lines_with("left out"), 0);
}

static void test_a_stop_reports_what_was_left_out_at_once(void **state)
{
	struct guestlog gl;

	(void)state;
	fake_reset();
	guestlog_init(&gl, "vm");
	for (int i = 0; i < GUESTLOG_BURST + 5; i++)
		guestlog_info(&gl, "line %d", i);
	guestlog_flush(&gl, true); /* the second is not over */
	assert_int_equal(fake.nlogs, GUESTLOG_BURST + 1);
	assert_non_null(strstr(fake.log[GUESTLOG_BURST % FAKE_LOGS], "vm: 5 more lines"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_flood_is_cut_to_the_burst_and_counted),
		cmocka_unit_test(test_the_budget_comes_back_each_second),
		cmocka_unit_test(test_a_stop_reports_what_was_left_out_at_once),
	};

	return cmocka_run_group_tests_name("guestlog", tests, NULL, NULL);
}
