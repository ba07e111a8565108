// SPDX-License-Identifier: MIT
/*
 * The host's random generator (core/random.c) on the fake CPU: the seed is made of
 * the sources random.h names, in its order, and what comes out is exactly what
 * BearSSL's HMAC-DRBG (the host's libbearssl, not Skiff's code) gives for that seed.
 */
#include <bearssl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/panic.h"
#include "core/random.h"
#include "fake_arch.h"

#define COUNTER_BEFORE 1000 /* fake.counter before random_init: it reads 1010 */

static jmp_buf on_panic;
static char panic_msg[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	longjmp(on_panic, 1);
}

/* The seed random.h describes, built here byte by byte. */
struct seed {
	unsigned char b[256];
	size_t len;
};

static void add(struct seed *s, const void *p, size_t len)
{
	assert_true(s->len + len <= sizeof(s->b));
	memcpy(s->b + s->len, p, len);
	s->len += len;
}

static void add_le64(struct seed *s, uint64_t v)
{
	unsigned char b[8];

	for (unsigned int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	add(s, b, sizeof(b));
}

/* Checks that the next @len bytes of random_bytes() are BearSSL's for @s. */
static void assert_output_is_drbg_of(const struct seed *s, size_t len)
{
	br_hmac_drbg_context ref;
	unsigned char want[300], got[300];
	uint64_t u = 0;

	assert_true(len <= sizeof(want));
	br_hmac_drbg_init(&ref, &br_sha256_vtable, s->b, s->len);
	br_hmac_drbg_generate(&ref, want, len);
	random_bytes(got, len);
	assert_memory_equal(got, want, len);
	/* random_u64 is the next 8 bytes, the first one lowest. */
	br_hmac_drbg_generate(&ref, want, 8);
	for (unsigned int i = 0; i < 8; i++)
		u |= (uint64_t)want[i] << (8 * i);
	assert_int_equal(random_u64(), u);
}

static bool logged(const char *what)
{
	for (unsigned int i = 0; i < fake.nlogs && i < FAKE_LOGS; i++)
		if (strstr(fake.log[i], what))
			return true;
	return false;
}

static int fresh_cpu(void **state)
{
	(void)state;
	fake_reset();
	fake.counter = COUNTER_BEFORE;
	return 0;
}

/* Runs first: nothing has seeded the generator yet. */
static void test_drawing_before_seeding_panics(void **state)
{
	(void)state;
	if (!setjmp(on_panic)) {
		unsigned char b[4];

		random_bytes(b, sizeof(b));
		fail_msg("random_bytes gave bytes from an unseeded generator");
	}
	assert_non_null(strstr(panic_msg, "before random_init"));
}

static void test_seed_from_rndr_then_firmware_then_counter(void **state)
{
	unsigned char fw[32];
	struct seed s = { .len = 0 };

	(void)state;
	for (unsigned int i = 0; i < sizeof(fw); i++)
		fw[i] = (unsigned char)(0xa0 + i);
	fake.rndr = true;
	fake.rndr_next = 0x0123456789abcdefUL;
	assert_int_equal(random_init(fw, sizeof(fw)),
			 RANDOM_FROM_RNDR | RANDOM_FROM_FIRMWARE | RANDOM_FROM_COUNTER);
	for (unsigned int i = 0; i < RANDOM_RNDR_WORDS; i++)
		add_le64(&s, 0x0123456789abcdefUL + i);
	add(&s, fw, sizeof(fw));
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	assert_output_is_drbg_of(&s, 100);
	assert_true(logged("random: seeded from RNDR and the device tree's rng-seed"));
	assert_false(logged("NO ENTROPY"));
}

static void test_seed_without_rndr(void **state)
{
	static const unsigned char fw[32] = "thirty-two bytes of rng-seed...";
	struct seed s = { .len = 0 };

	(void)state;
	assert_int_equal(random_init(fw, sizeof(fw)), RANDOM_FROM_FIRMWARE | RANDOM_FROM_COUNTER);
	add(&s, fw, sizeof(fw));
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	assert_output_is_drbg_of(&s, 300);
	assert_true(logged("seeded from the device tree's rng-seed (the CPU has no RNDR)"));
}

static void test_seed_without_firmware_seed(void **state)
{
	struct seed s = { .len = 0 };

	(void)state;
	fake.rndr = true;
	fake.rndr_next = 7;
	assert_int_equal(random_init(NULL, 0), RANDOM_FROM_RNDR | RANDOM_FROM_COUNTER);
	for (unsigned int i = 0; i < RANDOM_RNDR_WORDS; i++)
		add_le64(&s, 7 + i);
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	assert_output_is_drbg_of(&s, 40);
	assert_true(logged("random: seeded from RNDR (the device tree has no rng-seed)"));
}

/* The counter alone can be guessed: said loudly, as an error, and still seeded. */
static void test_counter_alone_is_an_error(void **state)
{
	struct seed s = { .len = 0 };

	(void)state;
	assert_int_equal(random_init(NULL, 0), RANDOM_FROM_COUNTER);
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	assert_output_is_drbg_of(&s, 16);
	assert_true(logged("random: NO ENTROPY"));
	assert_true(logged("predictable"));
}

/* A long firmware seed: its first RANDOM_FW_MAX bytes are used. */
static void test_long_firmware_seed_is_cut(void **state)
{
	unsigned char fw[RANDOM_FW_MAX + 40];
	struct seed s = { .len = 0 };

	(void)state;
	for (unsigned int i = 0; i < sizeof(fw); i++)
		fw[i] = (unsigned char)(i * 7);
	assert_int_equal(random_init(fw, sizeof(fw)), RANDOM_FROM_FIRMWARE | RANDOM_FROM_COUNTER);
	add(&s, fw, RANDOM_FW_MAX);
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	assert_output_is_drbg_of(&s, 64);
}

/* Draws go on from where the last one stopped: never the same bytes twice. */
static void test_draws_continue_the_stream(void **state)
{
	static const unsigned char fw[4] = { 1, 2, 3, 4 };
	br_hmac_drbg_context ref;
	struct seed s = { .len = 0 };
	unsigned char want[8], got[3];

	(void)state;
	random_init(fw, sizeof(fw));
	add(&s, fw, sizeof(fw));
	add_le64(&s, COUNTER_BEFORE + FAKE_COUNTER_STEP);
	br_hmac_drbg_init(&ref, &br_sha256_vtable, s.b, s.len);
	for (unsigned int round = 0; round < 3; round++) {
		br_hmac_drbg_generate(&ref, want, sizeof(got));
		random_bytes(got, sizeof(got));
		assert_memory_equal(got, want, sizeof(got));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_drawing_before_seeding_panics, fresh_cpu),
		cmocka_unit_test_setup(test_seed_from_rndr_then_firmware_then_counter, fresh_cpu),
		cmocka_unit_test_setup(test_seed_without_rndr, fresh_cpu),
		cmocka_unit_test_setup(test_seed_without_firmware_seed, fresh_cpu),
		cmocka_unit_test_setup(test_counter_alone_is_an_error, fresh_cpu),
		cmocka_unit_test_setup(test_long_firmware_seed_is_cut, fresh_cpu),
		cmocka_unit_test_setup(test_draws_continue_the_stream, fresh_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
