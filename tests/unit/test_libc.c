// SPDX-License-Identifier: MIT
/* Skiff's freestanding libc against the host's, on random and edge-case inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void *skiff_memcpy(void *dst, const void *src, size_t n);
void *skiff_memmove(void *dst, const void *src, size_t n);
void *skiff_memset(void *dst, int c, size_t n);
int skiff_memcmp(const void *a, const void *b, size_t n);
void *skiff_memchr(const void *s, int c, size_t n);
size_t skiff_strlen(const char *s);
size_t skiff_strnlen(const char *s, size_t max);
char *skiff_strchr(const char *s, int c);
char *skiff_strrchr(const char *s, int c);
int skiff_strcmp(const char *a, const char *b);
int skiff_strncmp(const char *a, const char *b, size_t n);
unsigned long skiff_strtoul(const char *s, char **end, int base);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(rand() % 4 ? 'a' + rand() % 3 : rand() % 256);
}

static void test_mem_functions(void **state)
{
	unsigned char a[300], b[300], ref[300], out[300];

	(void)state;
	srand(42);
	for (int iter = 0; iter < 20000; iter++) {
		size_t off1 = (size_t)rand() % 64, off2 = (size_t)rand() % 64;
		size_t n = (size_t)rand() % 200;
		int c = rand() % 256;

		fill_random(a, sizeof(a));
		fill_random(b, sizeof(b));
		memcpy(ref, a, sizeof(a));
		memcpy(out, a, sizeof(a));
		/* Overlapping moves in both directions, at every alignment. */
		memmove(ref + off1, ref + off2, n);
		assert_ptr_equal(skiff_memmove(out + off1, out + off2, n), out + off1);
		assert_memory_equal(ref, out, sizeof(out));
		skiff_memcpy(out, b + off2, n);
		assert_memory_equal(out, b + off2, n);
		/* Every pair of alignments, and nothing written around the copy. */
		memcpy(ref, out, sizeof(out));
		assert_ptr_equal(skiff_memcpy(out + off1, b + off2, n), out + off1);
		memcpy(ref + off1, b + off2, n);
		assert_memory_equal(ref, out, sizeof(out));
		memset(ref + off1, c, n);
		skiff_memset(out + off1, c, n);
		assert_memory_equal(ref + off1, out + off1, n);
		assert_int_equal(sign(skiff_memcmp(a + off1, b + off1, n)),
				 sign(memcmp(a + off1, b + off1, n)));
		assert_ptr_equal(skiff_memchr(a + off1, c, n), memchr(a + off1, c, n));
	}
}

static void test_string_functions(void **state)
{
	char s1[80], s2[80];

	(void)state;
	srand(7);
	for (int iter = 0; iter < 20000; iter++) {
		size_t l1 = (size_t)rand() % 70, l2 = (size_t)rand() % 70, n = (size_t)rand() % 80;
		int c = 'a' + rand() % 4;

		for (size_t i = 0; i < l1; i++)
			s1[i] = (char)('a' + rand() % 3);
		for (size_t i = 0; i < l2; i++)
			s2[i] = (char)('a' + rand() % 3);
		s1[l1] = s2[l2] = '\0';
		assert_int_equal(skiff_strlen(s1), strlen(s1));
		assert_int_equal(skiff_strnlen(s1, n), strnlen(s1, n));
		assert_ptr_equal(skiff_strchr(s1, c), strchr(s1, c));
		assert_ptr_equal(skiff_strrchr(s1, c), strrchr(s1, c));
		assert_ptr_equal(skiff_strchr(s1, 0), strchr(s1, 0));
		assert_int_equal(sign(skiff_strcmp(s1, s2)), sign(strcmp(s1, s2)));
		assert_int_equal(sign(skiff_strncmp(s1, s2, n)), sign(strncmp(s1, s2, n)));
	}
	/* Bytes compare as unsigned char: "\xff" sorts after "a". */
	assert_true(skiff_strcmp("\xff", "a") > 0);
}

static void test_strtoul(void **state)
{
	static const char *const inputs[] = {
		"0",
		"123",
		"  42xyz",
		"+17",
		"-1",
		"0x1F",
		"0X1f",
		"017",
		"08",
		"0x",
		"zzz",
		"",
		"18446744073709551615",
		"18446744073709551616",
		"99999999999999999999999",
		"ffff",
		"0xg",
		"\t\n 9",
	};
	static const int bases[] = { 0, 8, 10, 16, 36 };

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		for (size_t j = 0; j < sizeof(bases) / sizeof(bases[0]); j++) {
			char *e1, *e2;
			unsigned long v1 = skiff_strtoul(inputs[i], &e1, bases[j]);
			unsigned long v2 = strtoul(inputs[i], &e2, bases[j]);

			if (v1 != v2 || e1 != e2)
				fail_msg("strtoul(\"%s\", %d): %lu/+%td, libc %lu/+%td", inputs[i],
					 bases[j], v1, e1 - inputs[i], v2, e2 - inputs[i]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_functions),
		cmocka_unit_test(test_string_functions),
		cmocka_unit_test(test_strtoul),
	};

	return cmocka_run_group_tests_name("libc", tests, NULL, NULL);
}
