// SPDX-License-Identifier: MIT
/* The MMIO dispatch table: registration rules and access routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/mmio.h"

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned int last_size, writes;
};

static uint64_t fake_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	(void)dev;
	(void)vcpu;
	(void)size;
	return 0x1122334455667788UL + off;
}

static void fake_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
		       uint64_t value)
{
	struct fake_dev *d = dev;

	(void)vcpu;
	d->last_off = off;
	d->last_size = size;
	d->last_val = value;
	d->writes++;
}

static const struct mmio_ops fake_ops = { .read = fake_read, .write = fake_write };

static void test_add_rejects_overlap_and_empty(void **state)
{
	struct mmio_bus bus = { 0 };
	struct fake_dev d = { 0 };

	(void)state;
	assert_int_equal(mmio_bus_add(&bus, 0x1000, 0x1000, &fake_ops, &d, "a"), 0);
	assert_int_equal(mmio_bus_add(&bus, 0x1800, 0x1000, &fake_ops, &d, "b"), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x0800, 0x0900, &fake_ops, &d, "c"), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x2000, 0, &fake_ops, &d, "d"), -1);
	assert_int_equal(mmio_bus_add(&bus, ~0UL - 10, 0x100, &fake_ops, &d, "e"), -1);
	assert_int_equal(mmio_bus_add(&bus, 0, 1UL << 52, &fake_ops, &d, "beyond any IPA"), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x2000, 0x1000, &fake_ops, &d, "f"), 0);
	assert_int_equal(bus.count, 2);
}

static void test_table_full(void **state)
{
	struct mmio_bus bus = { 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < MMIO_MAX_REGIONS; i++)
		assert_int_equal(mmio_bus_add(&bus, i * 0x1000UL, 0x1000, &fake_ops, 0, "x"), 0);
	assert_int_equal(mmio_bus_add(&bus, 0x100000, 0x1000, &fake_ops, 0, "y"), -1);
}

static void test_access_routing_and_masking(void **state)
{
	struct mmio_bus bus = { 0 };
	struct fake_dev d = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(mmio_bus_add(&bus, 0x9000000, 0x1000, &fake_ops, &d, "uart"), 0);
	v = 0xabcdef;
	assert_true(mmio_bus_access(&bus, 0, 0x9000018, 1, true, &v));
	assert_int_equal(d.last_off, 0x18);
	assert_int_equal(d.last_size, 1);
	assert_int_equal(d.last_val, 0xef); /* only the accessed byte reaches the device */
	assert_true(mmio_bus_access(&bus, 0, 0x9000010, 4, false, &v));
	assert_int_equal(v, (0x1122334455667788UL + 0x10) & 0xffffffff);
	/* Outside any region, or straddling its end: not decoded. */
	assert_false(mmio_bus_access(&bus, 0, 0x9001000, 4, false, &v));
	assert_false(mmio_bus_access(&bus, 0, 0x9000ffc, 8, false, &v));
	assert_int_equal(d.writes, 1);
}

/* Accesses that alternate between devices, or miss them all, reach the right one each time. */
static void test_routing_after_other_regions(void **state)
{
	struct mmio_bus bus = { 0 };
	struct fake_dev d[3] = { 0 };
	static const uint64_t order[] = { 2, 2, 0, 1, 2, 0, 0, 3, 1, 3, 2 }; /* 3: no device */
	uint64_t v;

	(void)state;
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(
			mmio_bus_add(&bus, 0x10000 * (i + 1), 0x1000, &fake_ops, &d[i], "dev"), 0);
	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint64_t addr = 0x10000 * (order[i] + 1) + 8 * i;

		v = i;
		if (order[i] == 3) {
			assert_false(mmio_bus_access(&bus, 0, addr, 8, true, &v));
			continue;
		}
		assert_true(mmio_bus_access(&bus, 0, addr, 8, true, &v));
		assert_int_equal(d[order[i]].last_off, 8 * i);
		assert_int_equal(d[order[i]].last_val, i);
	}
	assert_int_equal(d[0].writes, 3);
	assert_int_equal(d[1].writes, 2);
	assert_int_equal(d[2].writes, 4);
}

static void test_reg64_words(void **state)
{
	(void)state;
	assert_int_equal(mmio_reg64_word(0x1122334455667788UL, 0), 0x55667788);
	assert_int_equal(mmio_reg64_word(0x1122334455667788UL, 4), 0x11223344);
	assert_int_equal(mmio_reg64_word(0x1122334455667788UL, 0x6104), 0x11223344);
	assert_int_equal(mmio_reg64_set_word(0x1122334455667788UL, 0, 0xaabbccdd),
			 0x11223344aabbccddUL);
	assert_int_equal(mmio_reg64_set_word(0x1122334455667788UL, 4, 0xaabbccdd),
			 0xaabbccdd55667788UL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_rejects_overlap_and_empty),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_access_routing_and_masking),
		cmocka_unit_test(test_routing_after_other_regions),
		cmocka_unit_test(test_reg64_words),
	};

	return cmocka_run_group_tests_name("mmio", tests, NULL, NULL);
}
