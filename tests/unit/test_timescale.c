// SPDX-License-Identifier: MIT
/* Counter scaling: the fast path against the exact quotient, deadlines, rebasing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/timescale.h"

#define RANDOM_CASES 10000000UL
#define MHZ	     1000000UL

static uint64_t rng = 0x9e3779b97f4a7c15UL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A frequency from 1 MHz to 2 GHz. */
static uint64_t freq(void)
{
	return MHZ + next() % (2000 * MHZ - MHZ + 1);
}

static void test_fast_path_equals_exact(void **state)
{
	struct timescale ts;

	(void)state;
	for (unsigned long i = 0; i < RANDOM_CASES; i++) {
		uint64_t gf = freq(), hf = freq(), delta = next(), base, fast, exact;

		/* Keep the guest's delta within 64 bits: the full range it can take. */
		if (gf > hf)
			delta /= gf / hf + 1;
		/* And the host's count at base + delta within the counter's range. */
		base = delta != UINT64_MAX ? next() % (UINT64_MAX - delta) : 0;
		timescale_init(&ts, gf, hf, base, next());
		fast = timescale_to_guest(&ts, base + delta);
		exact = timescale_to_guest_exact(&ts, base + delta);
		if (exact != fast)
			fail_msg("gf %lu hf %lu delta %lu: fast %lu exact %lu", gf, hf, delta, fast,
				 exact);
	}
}

static void test_known_ratios(void **state)
{
	struct timescale ts;

	(void)state;
	timescale_init(&ts, 25 * MHZ, 1000 * MHZ, 1000, 0); /* 25 MHz guest on a 1 GHz host */
	assert_int_equal(timescale_to_guest(&ts, 1000 + 1000000000UL), 25000000);
	assert_int_equal(timescale_to_guest(&ts, 1000 + 39), 0); /* 40 host ticks per guest tick */
	assert_int_equal(timescale_to_guest(&ts, 1000 + 40), 1);
	timescale_init(&ts, 1000 * MHZ, 62500000, 0, 7); /* 1 GHz guest on 62.5 MHz */
	assert_int_equal(timescale_to_guest(&ts, 62500000), 7 + 1000000000UL);
	timescale_init(&ts, 0, 62500000, 5, 5); /* 0: the host's own frequency */
	assert_int_equal(timescale_to_guest(&ts, 12345), 12345);
}

static void test_deadlines_round_up_never_early(void **state)
{
	struct timescale ts;

	(void)state;
	for (unsigned int i = 0; i < 200000; i++) {
		uint64_t gf = freq(), hf = freq(), guest = next() >> 20, h;

		timescale_init(&ts, gf, hf, next() >> 8, next() >> 30);
		guest += ts.guest_base;
		h = timescale_to_host(&ts, guest);
		if (h == UINT64_MAX)
			continue; /* beyond the host counter's range */
		assert_true(timescale_to_guest(&ts, h) >= guest); /* not early */
		if (h > ts.host_base)
			assert_true(timescale_to_guest(&ts, h - 1) <
				    guest); /* the first such tick */
	}
	timescale_init(&ts, 25 * MHZ, 1000 * MHZ, 1000, 500);
	assert_int_equal(timescale_to_host(&ts, 400), 1000); /* a deadline in the past */
	assert_int_equal(timescale_to_host(&ts, 501), 1040);
}

static void test_monotonic_across_rescales(void **state)
{
	struct timescale ts;
	uint64_t host = 1000, last = 0;

	(void)state;
	timescale_init(&ts, 25 * MHZ, 62500000, host, 0);
	for (unsigned int i = 0; i < 2000; i++) {
		uint64_t g;

		host += next() % 100000000;
		g = timescale_to_guest(&ts, host);
		assert_true(g >= last);
		last = g;
		if (i % 3 == 0) /* moved to a host of another frequency */
			timescale_rebase(&ts, freq(), host, last);
		else if (i % 7 == 0) { /* the host's count jumped back */
			host -= next() % (host / 2 + 1);
			timescale_rebase(&ts, 0, host, last);
		}
		assert_true(timescale_to_guest(&ts, host) >= last);
	}
}

/* Before the rebase that follows a host count set back, reads wait at the base. */
static void test_a_count_below_the_base_reads_the_base(void **state)
{
	struct timescale ts;

	(void)state;
	timescale_init(&ts, 25 * MHZ, 1000 * MHZ, 1000000, 777);
	assert_int_equal(timescale_to_guest(&ts, 999999), 777);
	assert_int_equal(timescale_to_guest(&ts, 0), 777);
	assert_int_equal(timescale_to_guest_exact(&ts, 0), 777);
	assert_int_equal(timescale_to_guest(&ts, 1000040), 778);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_ratios),
		cmocka_unit_test(test_fast_path_equals_exact),
		cmocka_unit_test(test_deadlines_round_up_never_early),
		cmocka_unit_test(test_monotonic_across_rescales),
		cmocka_unit_test(test_a_count_below_the_base_reads_the_base),
	};

	return cmocka_run_group_tests_name("timescale", tests, NULL, NULL);
}
