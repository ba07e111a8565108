// SPDX-License-Identifier: MIT
/*
 * The enclaves' tombstones (migrate/tombstone.c): an instance that left at
 * generation g is refused at g and below and taken above; other instances are
 * not affected; a later leaving raises what is remembered, an older one does
 * not lower it; past TOMBSTONE_MAX instances the oldest is forgotten first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/tombstone.h"

static void id_of(uint8_t id[TOMBSTONE_ID_LEN], unsigned int n)
{
	memset(id, 0, TOMBSTONE_ID_LEN);
	id[0] = (uint8_t)n;
	id[15] = (uint8_t)(n >> 8);
}

static void test_older_copies_refused(void **state)
{
	static struct tombstones ts;
	uint8_t a[TOMBSTONE_ID_LEN], b[TOMBSTONE_ID_LEN];
	uint64_t left = 99;

	(void)state;
	id_of(a, 1);
	id_of(b, 2);
	assert_false(tombstone_refuses(&ts, a, 0, &left));
	tombstone_add(&ts, a, 3);
	assert_true(tombstone_refuses(&ts, a, 3, &left));
	assert_int_equal(left, 3);
	assert_true(tombstone_refuses(&ts, a, 0, &left));
	assert_false(tombstone_refuses(&ts, a, 4, &left));
	assert_false(tombstone_refuses(&ts, b, 1, &left));
	/* It came back at 4 and left again at 6; then a stale leaving of 5 is reported. */
	tombstone_add(&ts, a, 6);
	tombstone_add(&ts, a, 5);
	assert_true(tombstone_refuses(&ts, a, 6, &left));
	assert_int_equal(left, 6);
	assert_false(tombstone_refuses(&ts, a, 7, &left));
}

static void test_oldest_forgotten_past_the_table(void **state)
{
	static struct tombstones ts;
	uint8_t id[TOMBSTONE_ID_LEN];
	uint64_t left;

	(void)state;
	for (unsigned int n = 0; n < TOMBSTONE_MAX; n++) {
		id_of(id, n);
		tombstone_add(&ts, id, 1);
	}
	for (unsigned int n = 0; n < TOMBSTONE_MAX; n++) {
		id_of(id, n);
		assert_true(tombstone_refuses(&ts, id, 1, &left));
	}
	id_of(id, TOMBSTONE_MAX);
	tombstone_add(&ts, id, 1);
	assert_true(tombstone_refuses(&ts, id, 1, &left));
	id_of(id, 0);
	assert_false(tombstone_refuses(&ts, id, 1, &left));
	id_of(id, 1);
	assert_true(tombstone_refuses(&ts, id, 1, &left));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_older_copies_refused),
		cmocka_unit_test(test_oldest_forgotten_past_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
