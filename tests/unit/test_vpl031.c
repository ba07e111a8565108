// SPDX-License-Identifier: MIT
/* The emulated PL031: time from the source, RTCLR, the match interrupt and its line, IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/vpl031.h"

#define RTCDR	0x000
#define RTCMR	0x004
#define RTCLR	0x008
#define RTCCR	0x00c
#define RTCIMSC 0x010
#define RTCRIS	0x014
#define RTCMIS	0x018
#define RTCICR	0x01c
#define T0	1700000000U

/* The fake wall clock: seconds the tests advance by hand. */
static uint64_t clock_now;

/* What set_irq saw: how often, the last level, and the context it was given. */
static struct {
	unsigned int calls;
	bool level;
	void *ctx;
} irq;

static uint64_t fake_now(void)
{
	return clock_now;
}

static void fake_irq(void *ctx, bool level)
{
	irq.calls++;
	irq.level = level;
	irq.ctx = ctx;
}

static uint32_t rd(struct vpl031 *rtc, uint64_t off)
{
	return (uint32_t)vpl031_ops.read(rtc, NULL, off, 4);
}

static void wr(struct vpl031 *rtc, uint64_t off, uint32_t v)
{
	vpl031_ops.write(rtc, NULL, off, 4, v);
}

static int setup(void **state)
{
	static struct vpl031 rtc;

	clock_now = T0;
	irq.calls = 0;
	irq.level = false;
	irq.ctx = NULL;
	vpl031_init(&rtc, fake_now, fake_irq, &irq);
	*state = &rtc;
	return 0;
}

static void test_time_follows_the_source(void **state)
{
	struct vpl031 *rtc = *state;

	assert_int_equal(rd(rtc, RTCDR), T0);
	clock_now += 5;
	assert_int_equal(rd(rtc, RTCDR), T0 + 5);
	assert_int_equal(rd(rtc, RTCCR), 1); /* started from reset */
	wr(rtc, RTCCR, 0);		     /* and cannot be stopped */
	assert_int_equal(rd(rtc, RTCCR), 1);
	wr(rtc, RTCDR, 42); /* read-only */
	assert_int_equal(rd(rtc, RTCDR), T0 + 5);
	assert_int_equal(irq.calls, 0);
}

static void test_load_sets_the_guests_time(void **state)
{
	struct vpl031 *rtc = *state;

	assert_int_equal(rd(rtc, RTCLR), 0); /* nothing loaded yet */
	wr(rtc, RTCLR, 1000);
	assert_int_equal(rd(rtc, RTCDR), 1000);
	assert_int_equal(rd(rtc, RTCLR), 1000);
	clock_now += 7;
	assert_int_equal(rd(rtc, RTCDR), 1007);
	assert_int_equal(rd(rtc, RTCLR), 1000); /* the loaded value, not the time */
	/* Forward past the source, and into the counter's top bit. */
	wr(rtc, RTCLR, 0xfffffff0);
	clock_now += 3;
	assert_int_equal(rd(rtc, RTCDR), 0xfffffff3);
}

static void test_ids_match_linux_amba(void **state)
{
	struct vpl031 *rtc = *state;
	uint32_t periph = 0, cell = 0;

	for (unsigned int i = 0; i < 4; i++) {
		periph |= rd(rtc, 0xfe0 + 4 * i) << (8 * i);
		cell |= rd(rtc, 0xff0 + 4 * i) << (8 * i);
	}
	assert_int_equal(periph, 0x00041031);
	assert_int_equal(periph & 0x000fffff, 0x00041031); /* rtc-pl031's amba_id mask */
	assert_int_equal(cell, 0xb105f00d);
	for (unsigned int off = 0xfe0; off < 0x1000; off += 4)
		assert_true(rd(rtc, off) <= 0xff); /* one byte per word */
}

static void test_unknown_and_odd_accesses(void **state)
{
	struct vpl031 *rtc = *state;
	const uint64_t unknown[] = { 0x020, 0x024, 0x100, 0x800, 0xfdc };

	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		wr(rtc, unknown[i], 0xffffffff);
		assert_int_equal(rd(rtc, unknown[i]), 0);
	}
	/* 32-bit registers only: other sizes and unaligned offsets are not decoded. */
	assert_int_equal(vpl031_ops.read(rtc, NULL, RTCDR, 1), 0);
	assert_int_equal(vpl031_ops.read(rtc, NULL, RTCDR, 2), 0);
	assert_int_equal(vpl031_ops.read(rtc, NULL, RTCDR, 8), 0);
	assert_int_equal(rd(rtc, RTCDR + 1), 0);
	assert_int_equal(rd(rtc, 0xfe1), 0);
	vpl031_ops.write(rtc, NULL, RTCLR, 2, 5);
	vpl031_ops.write(rtc, NULL, RTCLR, 8, 5);
	wr(rtc, RTCLR + 2, 5);
	assert_int_equal(rd(rtc, RTCDR), T0);
	assert_int_equal(rd(rtc, RTCLR), 0);
	/* RIS and MIS are read-only. */
	wr(rtc, RTCRIS, 1);
	wr(rtc, RTCMIS, 1);
	assert_int_equal(rd(rtc, RTCRIS), 0);
	assert_int_equal(irq.calls, 0);
}

static void test_match_raises_ris_and_the_line(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, RTCMR, T0 + 2);
	assert_int_equal(rd(rtc, RTCMR), T0 + 2);
	wr(rtc, RTCIMSC, 0xff);
	assert_int_equal(rd(rtc, RTCIMSC), 1); /* bit 0 only */
	clock_now++;
	assert_int_equal(rd(rtc, RTCRIS), 0);
	assert_int_equal(irq.calls, 0); /* the line stayed low: nothing pushed */
	clock_now += 1;
	assert_int_equal(rd(rtc, RTCRIS), 1);
	assert_int_equal(rd(rtc, RTCMIS), 1);
	assert_int_equal(irq.calls, 1);
	assert_true(irq.level);
	assert_ptr_equal(irq.ctx, &irq);
	wr(rtc, RTCICR, 0); /* only a 1 clears */
	assert_int_equal(rd(rtc, RTCRIS), 1);
	wr(rtc, RTCICR, 1);
	assert_int_equal(rd(rtc, RTCRIS), 0);
	assert_int_equal(rd(rtc, RTCMIS), 0);
	assert_int_equal(irq.calls, 2);
	assert_false(irq.level);
	/* The counter has gone past: no second match for ~136 years. */
	clock_now += 10;
	assert_int_equal(rd(rtc, RTCRIS), 0);
	assert_int_equal(irq.calls, 2);
}

static void test_match_seen_late_and_masked(void **state)
{
	struct vpl031 *rtc = *state;

	/* Masked: RIS is set, MIS and the line are not. */
	wr(rtc, RTCMR, T0 + 3);
	clock_now += 100; /* no access at the second itself */
	assert_int_equal(rd(rtc, RTCRIS), 1);
	assert_int_equal(rd(rtc, RTCMIS), 0);
	assert_int_equal(irq.calls, 0);
	/* The line is a level: unmasking a pending match raises it, masking lowers it. */
	wr(rtc, RTCIMSC, 1);
	assert_int_equal(irq.calls, 1);
	assert_true(irq.level);
	wr(rtc, RTCIMSC, 0);
	assert_int_equal(irq.calls, 2);
	assert_false(irq.level);
	assert_int_equal(rd(rtc, RTCRIS), 1);
}

static void test_match_is_an_equality_not_a_deadline(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, RTCIMSC, 1);
	/* A match in the past is not reached until the counter wraps. */
	wr(rtc, RTCMR, T0 - 5);
	clock_now += 3;
	assert_int_equal(rd(rtc, RTCRIS), 0);
	/* A match with the current second fires at once. */
	wr(rtc, RTCMR, T0 + 3);
	assert_int_equal(irq.calls, 1);
	assert_true(irq.level);
	wr(rtc, RTCICR, 1);
	assert_false(irq.level);
	/* Setting the clock back before RTCMR makes the counter reach it again. */
	wr(rtc, RTCLR, T0);
	clock_now += 2;
	assert_int_equal(rd(rtc, RTCRIS), 0);
	clock_now += 1;
	assert_int_equal(rd(rtc, RTCRIS), 1);
	wr(rtc, RTCICR, 1);
	/* Loading exactly RTCMR is a match; jumping over it is not. */
	wr(rtc, RTCLR, T0 + 3);
	assert_int_equal(rd(rtc, RTCRIS), 1);
	wr(rtc, RTCICR, 1);
	wr(rtc, RTCLR, T0 + 1000);
	assert_int_equal(rd(rtc, RTCRIS), 0);
	assert_int_equal(irq.calls, 6);
}

static void test_match_reached_before_a_write_counts(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, RTCMR, T0 + 1);
	clock_now += 2;
	wr(rtc, RTCMR, T0 + 50); /* the old match was reached before this re-arm */
	assert_int_equal(rd(rtc, RTCRIS), 1);
}

static void test_null_set_irq(void **state)
{
	struct vpl031 rtc;

	(void)state;
	clock_now = T0;
	vpl031_init(&rtc, fake_now, NULL, NULL);
	wr(&rtc, RTCIMSC, 1);
	wr(&rtc, RTCMR, T0 + 1);
	clock_now++;
	assert_int_equal(rd(&rtc, RTCMIS), 1);
	wr(&rtc, RTCICR, 1);
	assert_int_equal(rd(&rtc, RTCMIS), 0);
}

static void test_source_stepping_back_does_not_match(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, RTCMR, T0 + 1000);
	clock_now -= 10; /* a wall clock that steps back: no sweep through 2^32 seconds */
	assert_int_equal(rd(rtc, RTCRIS), 0);
	clock_now += 1010;
	assert_int_equal(rd(rtc, RTCRIS), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_time_follows_the_source, setup),
		cmocka_unit_test_setup(test_load_sets_the_guests_time, setup),
		cmocka_unit_test_setup(test_ids_match_linux_amba, setup),
		cmocka_unit_test_setup(test_unknown_and_odd_accesses, setup),
		cmocka_unit_test_setup(test_match_raises_ris_and_the_line, setup),
		cmocka_unit_test_setup(test_match_seen_late_and_masked, setup),
		cmocka_unit_test_setup(test_match_is_an_equality_not_a_deadline, setup),
		cmocka_unit_test_setup(test_match_reached_before_a_write_counts, setup),
		cmocka_unit_test(test_null_set_irq),
		cmocka_unit_test_setup(test_source_stepping_back_does_not_match, setup),
	};

	return cmocka_run_group_tests_name("vpl031", tests, NULL, NULL);
}
