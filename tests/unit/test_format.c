// SPDX-License-Identifier: MIT
/* format() against the host C library's snprintf, conversion by conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/format.h"

/* Formats with both and compares text and return value, for several buffer sizes. */
#define SAME(...)                                                                            \
	do {                                                                                 \
		char ours[256], theirs[256];                                                 \
		size_t sizes[] = { sizeof(ours), 7, 1 };                                     \
		for (unsigned int s = 0; s < 3; s++) {                                       \
			int a = format(ours, sizes[s], __VA_ARGS__);                         \
			int b = snprintf(theirs, sizes[s], __VA_ARGS__);                     \
			if (a != b || strcmp(ours, theirs))                                  \
				fail_msg("format(%s): \"%s\"/%d, libc \"%s\"/%d (size %zu)", \
					 #__VA_ARGS__, ours, a, theirs, b, sizes[s]);        \
		}                                                                            \
	} while (0)

static void test_integers(void **state)
{
	static const long long sv[] = {
		0, 1, -1, 42, -42, 2147483647, -2147483647 - 1, INT64_MAX, INT64_MIN
	};
	static const unsigned long long uv[] = { 0, 1, 0xff, 0xdeadbeef, UINT32_MAX, UINT64_MAX };

	(void)state;
	for (unsigned int i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		SAME("%lld|%5lld|%-5lld|%05lld|%+lld|% lld|%.3lld|%8.3lld|%-+8.3lld|", sv[i], sv[i],
		     sv[i], sv[i], sv[i], sv[i], sv[i], sv[i], sv[i]);
		SAME("%d|%i|%hd|%hhd|%ld", (int)sv[i], (int)sv[i], (short)sv[i], (signed char)sv[i],
		     (long)sv[i]);
		SAME("%.0lld|%.0d|", sv[i], (int)sv[i]);
	}
	for (unsigned int i = 0; i < sizeof(uv) / sizeof(uv[0]); i++) {
		SAME("%llu|%llx|%llX|%llo|%#llx|%#llX|%#llo|%020llx|%-20llx|%.12llx", uv[i], uv[i],
		     uv[i], uv[i], uv[i], uv[i], uv[i], uv[i], uv[i], uv[i]);
		SAME("%u|%x|%hx|%hhx|%zx|%zu|%lx", (unsigned)uv[i], (unsigned)uv[i],
		     (unsigned short)uv[i], (unsigned char)uv[i], (size_t)uv[i], (size_t)uv[i],
		     (unsigned long)uv[i]);
		SAME("%#.0llx|%#.0llo|%#5llo", uv[i], uv[i], uv[i]);
	}
}

static void test_strings_chars_and_misc(void **state)
{
	(void)state;
	SAME("%s|%10s|%-10s|%.2s|%10.2s|", "hello", "hello", "hello", "hello", "hello");
	SAME("%c|%3c|%-3c|", 'x', 'y', 'z');
	SAME("100%% sure %s", "yes");
	SAME("%*d|%-*d|%.*d|%*.*s|", 6, 42, 6, 42, 4, 42, 8, 3, "abcdef");
	SAME("%*d|", -6, 42);
	SAME("%p", (void *)0x1234abcd);
	SAME("%s", "");
	SAME("no conversions at all");
}

static void test_null_string_and_size_zero(void **state)
{
	char buf[8] = "XXXXXXX";
	const char *volatile null_string = NULL; /* hidden from the compiler's checks */

	(void)state;
	assert_int_equal(format(buf, sizeof(buf), "%s", null_string), 6);
	assert_string_equal(buf, "(null)");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(format(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'X'); /* nothing written with size 0 */
	assert_int_equal(format(buf, 3, "%d", 12345), 5);
	assert_string_equal(buf, "12");
}

static void test_clamped_returns_what_was_written(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(format_clamped(buf, sizeof(buf), "%d", 42), 2);
	assert_int_equal(format_clamped(buf, sizeof(buf), "%s", "a longer string"), 7);
	assert_string_equal(buf, "a longe");
	assert_int_equal(format_clamped(buf, 1, "%d", 42), 0);
	assert_string_equal(buf, "");
	assert_int_equal(format_clamped(buf, 0, "%d", 42), 0);
}

static void test_escaped_text_has_no_control_bytes(void **state)
{
	static const char forged[] = "\x1b[31mskiff: forged\r\nok\\\x9b"
				     "2J";
	char buf[64];
	size_t n;

	(void)state;
	n = format_escaped(buf, sizeof(buf), forged, sizeof(forged) - 1);
	assert_string_equal(buf, "\\x1b[31mskiff: forged\\x0d\\x0aok\\x5c\\x9b2J");
	assert_int_equal(n, strlen(buf));
	for (size_t i = 0; i < n; i++)
		assert_true(buf[i] >= ' ' && buf[i] < 0x7f);
	/* Cut before an escape that does not fit, never inside it. */
	assert_int_equal(format_escaped(buf, 6, "ab\x1b", 3), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(format_escaped(buf, 7, "ab\x1b", 3), 6);
	assert_string_equal(buf, "ab\\x1b");
	assert_int_equal(format_escaped(buf, 0, "ab", 2), 0);
}

/* '#' with octal adds a zero only when the digits do not already start with one. */
static void test_octal_alternate_form_with_precision(void **state)
{
	(void)state;
	SAME("%#.5o|%#.3o|%#.2o|%#8.4o|%-#6.3o|", 8, 8, 8, 8, 8);
	SAME("%#.5llo|%#.0o|%#.1o", 0777ULL, 0, 0);
}

static void test_hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x9f, 0xa5, 0xff };
	char buf[16];

	(void)state;
	assert_int_equal(format_hex(buf, sizeof(buf), bytes, sizeof(bytes)), 8);
	assert_string_equal(buf, "009fa5ff");
	/* Only whole bytes: 5 bytes of room hold two of them and the NUL. */
	assert_int_equal(format_hex(buf, 6, bytes, sizeof(bytes)), 4);
	assert_string_equal(buf, "009f");
	assert_int_equal(format_hex(buf, 1, bytes, sizeof(bytes)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(format_hex(buf, 0, bytes, sizeof(bytes)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings_chars_and_misc),
		cmocka_unit_test(test_null_string_and_size_zero),
		cmocka_unit_test(test_clamped_returns_what_was_written),
		cmocka_unit_test(test_escaped_text_has_no_control_bytes),
		cmocka_unit_test(test_octal_alternate_form_with_precision),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
