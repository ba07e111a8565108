// SPDX-License-Identifier: MIT
/* The emulated PL031: time from the source, RTCLR offset, match interrupt, IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/vpl031.h"

static uint64_t clock_now;
static int irq_level = -1;

static uint64_t fake_now(void)
{
	return clock_now;
}

static void fake_irq(void *ctx, bool level)
{
	(void)ctx;
	irq_level = level;
}

static uint64_t rd(struct vpl031 *rtc, uint64_t off)
{
	return vpl031_ops.read(rtc, NULL, off, 4);
}

static void wr(struct vpl031 *rtc, uint64_t off, uint32_t v)
{
	vpl031_ops.write(rtc, NULL, off, 4, v);
}

static int setup(void **state)
{
	static struct vpl031 rtc;

	clock_now = 1700000000;
	irq_level = -1;
	vpl031_init(&rtc, fake_now, fake_irq, NULL);
	*state = &rtc;
	return 0;
}

static void test_time_follows_the_source(void **state)
{
	struct vpl031 *rtc = *state;

	assert_int_equal(rd(rtc, 0x000), 1700000000);
	clock_now += 5;
	assert_int_equal(rd(rtc, 0x000), 1700000005);
	assert_int_equal(rd(rtc, 0x00c), 1); /* started */
}

static void test_load_sets_the_guests_time(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, 0x008, 1000);
	assert_int_equal(rd(rtc, 0x000), 1000);
	assert_int_equal(rd(rtc, 0x008), 1000);
	clock_now += 7;
	assert_int_equal(rd(rtc, 0x000), 1007);
}

static void test_match_interrupt(void **state)
{
	struct vpl031 *rtc = *state;

	wr(rtc, 0x004, 1700000002);
	wr(rtc, 0x010, 1);
	assert_int_equal(rd(rtc, 0x014), 0);
	assert_int_equal(irq_level, 0);
	clock_now += 2;
	assert_int_equal(rd(rtc, 0x014), 1);
	assert_int_equal(rd(rtc, 0x018), 1);
	assert_int_equal(irq_level, 1);
	wr(rtc, 0x01c, 1);
	assert_int_equal(rd(rtc, 0x014), 0);
	assert_int_equal(irq_level, 0);
	clock_now += 10; /* the match fires once, not again every later second */
	assert_int_equal(rd(rtc, 0x014), 0);
	wr(rtc, 0x010, 0);
}

static void test_ids_and_odd_accesses(void **state)
{
	struct vpl031 *rtc = *state;
	uint32_t periph = 0, cell = 0;

	for (unsigned int i = 0; i < 4; i++) {
		periph |= (uint32_t)rd(rtc, 0xfe0 + 4 * i) << (8 * i);
		cell |= (uint32_t)rd(rtc, 0xff0 + 4 * i) << (8 * i);
	}
	assert_int_equal(periph, 0x00041031);
	assert_int_equal(cell, 0xb105f00d);
	assert_int_equal(rd(rtc, 0x800), 0);
	assert_int_equal(vpl031_ops.read(rtc, NULL, 0x000, 1), 0); /* 32-bit registers only */
	vpl031_ops.write(rtc, NULL, 0x008, 2, 5);
	assert_int_equal(rd(rtc, 0x000), 1700000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_time_follows_the_source, setup),
		cmocka_unit_test_setup(test_load_sets_the_guests_time, setup),
		cmocka_unit_test_setup(test_match_interrupt, setup),
		cmocka_unit_test_setup(test_ids_and_odd_accesses, setup),
	};

	return cmocka_run_group_tests_name("vpl031", tests, NULL, NULL);
}
