// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/bootargs.h"

static void test_bootargs(void **state)
{
	char v[8];

	(void)state;
	assert_true(bootargs_get("skiff.selftest=el2-fault", "selftest", v, sizeof(v)));
	assert_string_equal(v, "el2-fau"); /* truncated to the buffer: 7 characters */
	assert_true(bootargs_get("quiet  skiff.a=1 skiff.ab=22", "ab", v, sizeof(v)));
	assert_string_equal(v, "22");
	assert_true(bootargs_get("skiff.ab=22 skiff.a=1", "a", v, sizeof(v)));
	assert_string_equal(v, "1");
	assert_true(bootargs_get("skiff.empty=", "empty", v, sizeof(v)));
	assert_string_equal(v, ""); /* present, with an empty value */
	assert_false(bootargs_get("selftest=x skiff.selftestx=y", "selftest", v, sizeof(v)));
	assert_false(bootargs_get("", "selftest", v, sizeof(v)));
	assert_false(bootargs_get(NULL, "selftest", v, sizeof(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_bootargs) };

	return cmocka_run_group_tests_name("bootargs", tests, NULL, NULL);
}
