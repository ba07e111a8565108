// SPDX-License-Identifier: MIT
/*
 * The host clock watch on a simulated host: a counter and an RTC driven from
 * one true time in microseconds, sampled at irregular intervals as the
 * scheduler's tick would. Steady running and oscillator drift must never be
 * reported; a counter that stops, jumps ahead or is set back must be, once,
 * by the right amount.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clockwatch.h"

#define HZ	     62500000UL /* QEMU's counter */
#define TOLERANCE    500	/* ms */
#define EPOCH	     1764000000UL
#define TICKS_PER_US (HZ / 1000000.0)

struct host {
	uint64_t us;  /* true time */
	double count; /* the counter, fractional ticks */
	double ppm;   /* the counter's error against the RTC's oscillator */
	uint64_t seed;
	struct clockwatch w;
	int reports;
	int64_t reported;
};

static uint64_t next(struct host *h)
{
	h->seed ^= h->seed << 13;
	h->seed ^= h->seed >> 7;
	h->seed ^= h->seed << 17;
	return h->seed;
}

static void host_init(struct host *h, double ppm, uint64_t seed)
{
	h->us = 123456; /* not on a second boundary */
	h->count = 1e9;
	h->ppm = ppm;
	h->seed = seed;
	h->reports = 0;
	h->reported = 0;
	clockwatch_init(&h->w, HZ, TOLERANCE);
}

/* Time passes by @us (the counter too), then one sample is taken. */
static void run(struct host *h, uint64_t us)
{
	int64_t jump;

	h->us += us;
	h->count += (double)us * TICKS_PER_US * (1 + h->ppm / 1e6);
	jump = clockwatch_sample(&h->w, EPOCH + h->us / 1000000, (uint64_t)h->count);
	if (jump) {
		h->reports++;
		h->reported = jump;
	}
}

/* Samples for @seconds, 10 ms apart or, with @jitter, anything from 1 us to 300 ms. */
static void run_for(struct host *h, unsigned int seconds, int jitter)
{
	uint64_t end = h->us + seconds * 1000000UL;

	while (h->us < end)
		run(h, jitter ? 1 + next(h) % 300000 : 10000);
}

/*
 * One report of @seconds, to within @margin: the width of the samples' brackets
 * around the boundaries measured (the reference's and the reporting one's).
 */
static void assert_reported(struct host *h, double seconds, double margin)
{
	double got = (double)h->reported / HZ;

	assert_int_equal(h->reports, 1);
	if (got < seconds - margin || got > seconds + margin)
		fail_msg("reported %.3f s, expected %.3f s", got, seconds);
}

static void test_steady_and_drifting_counters_are_never_reported(void **state)
{
	static const double ppms[] = { 0, 100, -100, 400 };
	struct host h;

	(void)state;
	for (unsigned int i = 0; i < sizeof(ppms) / sizeof(ppms[0]); i++) {
		host_init(&h, ppms[i], 0x1234567UL + i);
		run_for(&h, 4 * 3600, 0); /* 400 ppm of 4 h is 5.8 s: followed, not reported */
		assert_int_equal(h.reports, 0);
		host_init(&h, ppms[i], 0x7654321UL + i);
		run_for(&h, 3600, 1);
		assert_int_equal(h.reports, 0);
	}
}

static void test_a_stopped_counter_is_reported_behind(void **state)
{
	struct host h;

	(void)state;
	host_init(&h, 0, 42);
	run_for(&h, 30, 0);
	h.us += 5000000; /* five seconds with the counter stopped (and no samples) */
	run_for(&h, 30, 0);
	assert_reported(&h, -5.0, 0.02);
	host_init(&h, 0, 47); /* samples up to 300 ms apart: brackets that wide */
	run_for(&h, 30, 1);
	h.us += 5000000;
	run_for(&h, 30, 1);
	assert_reported(&h, -5.0, 0.6);
}

static void test_a_counter_jumping_ahead_is_reported_once(void **state)
{
	struct host h;

	(void)state;
	host_init(&h, 0, 43);
	run_for(&h, 30, 0);
	h.count += 3.0 * HZ;
	run_for(&h, 60, 0);
	assert_reported(&h, 3.0, 0.02);
}

static void test_a_counter_set_back_is_reported_at_once(void **state)
{
	struct host h;

	(void)state;
	host_init(&h, 0, 44);
	run_for(&h, 30, 0);
	h.count -= 2.0 * HZ;
	run(&h, 10000);
	assert_reported(&h, -2.0, 0.02);
	run_for(&h, 60, 1);
	assert_int_equal(h.reports, 1); /* and never again */
}

static void test_small_steps_stay_within_the_tolerance(void **state)
{
	struct host h;

	(void)state;
	host_init(&h, 0, 45);
	run_for(&h, 10, 0);
	h.count += 0.2 * HZ;
	run_for(&h, 10, 0);
	h.us += 200000; /* 200 ms stopped */
	run_for(&h, 10, 0);
	assert_int_equal(h.reports, 0);
}

static void test_an_rtc_set_back_restarts_the_watch(void **state)
{
	struct host h;

	(void)state;
	host_init(&h, 0, 46);
	run_for(&h, 10, 0);
	assert_int_equal(clockwatch_sample(&h.w, EPOCH, (uint64_t)h.count), 0);
	/* The RTC now reads ~10 s early for the counter: a new reference, no report. */
	for (unsigned int i = 1; i < 500; i++) {
		h.count += 10000 * TICKS_PER_US;
		assert_int_equal(clockwatch_sample(&h.w, EPOCH + i / 100, (uint64_t)h.count), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_and_drifting_counters_are_never_reported),
		cmocka_unit_test(test_a_stopped_counter_is_reported_behind),
		cmocka_unit_test(test_a_counter_jumping_ahead_is_reported_once),
		cmocka_unit_test(test_a_counter_set_back_is_reported_at_once),
		cmocka_unit_test(test_small_steps_stay_within_the_tolerance),
		cmocka_unit_test(test_an_rtc_set_back_restarts_the_watch),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
