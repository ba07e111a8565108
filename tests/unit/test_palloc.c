// SPDX-License-Identifier: MIT
/* The physical page allocator against a simple reference model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/palloc.h"

#define MIB (1UL << 20)

static struct palloc pa;

static int setup(void **state)
{
	(void)state;
	palloc_init(&pa);
	return 0;
}

static void test_add_and_alloc_aligned(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(palloc_add(&pa, 0x40000000, 64 * MIB), 0);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB);
	assert_int_equal(palloc_reserve(&pa, 0x40000000, 0x1234), 0); /* rounds to 2 pages */
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000);
	a = palloc_alloc(&pa, 4 * MIB, 2 * MIB);
	assert_int_equal(a, 0x40200000); /* first 2 MiB-aligned address after the hole */
	b = palloc_alloc(&pa, 4096, 4096);
	assert_int_equal(b, 0x40002000);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000 - 4 * MIB - 4096);
	palloc_free(&pa, a, 4 * MIB);
	palloc_free(&pa, b, 4096);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000);
	/* After freeing, everything merged back: one range. */
	assert_int_equal(pa.count, 1);
}

static void test_exhaustion_and_bad_args(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0x1000, 0x4000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x5000, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x3000), 0); /* not a power of two */
	assert_int_not_equal(palloc_alloc(&pa, 0x4000, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0);
	assert_int_equal(palloc_add(&pa, ~0UL - 0x1000, 0x4000), -1); /* wraps */
}

static void test_reserve_splits_and_spans(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0x100000, 0x100000), 0);
	assert_int_equal(palloc_add(&pa, 0x300000, 0x100000), 0);
	/* A hole in the middle of the first range splits it. */
	assert_int_equal(palloc_reserve(&pa, 0x140000, 0x10000), 0);
	assert_int_equal(pa.count, 3);
	/* One reservation spanning the end of one range, a gap and the start of the next. */
	assert_int_equal(palloc_reserve(&pa, 0x1f0000, 0x120000), 0);
	assert_int_equal(palloc_free_bytes(&pa), 0x200000 - 0x10000 - 0x10000 - 0x10000);
	assert_int_equal(pa.free[2].base, 0x310000);
}

/* Random allocations and frees never overlap and conserve the free byte count. */
static void test_random_model(void **state)
{
	enum { SLOTS = 64 };
	uint64_t base[SLOTS] = { 0 }, size[SLOTS] = { 0 };
	uint64_t total = 256 * MIB, used = 0;
	unsigned int i, j;

	(void)state;
	srand(1234);
	assert_int_equal(palloc_add(&pa, 0x80000000, total), 0);
	for (i = 0; i < 20000; i++) {
		unsigned int k = (unsigned int)rand() % SLOTS;

		if (base[k]) {
			palloc_free(&pa, base[k], size[k]);
			used -= size[k];
			base[k] = 0;
		} else {
			uint64_t sz = ((uint64_t)(rand() % 512) + 1) * 4096;
			uint64_t align = 4096UL << (rand() % 10);

			base[k] = palloc_alloc(&pa, sz, align);
			if (!base[k])
				continue;
			assert_int_equal(base[k] % align, 0);
			size[k] = sz;
			used += sz;
			for (j = 0; j < SLOTS; j++)
				if (j != k && base[j])
					assert_true(base[k] + sz <= base[j] ||
						    base[j] + size[j] <= base[k]);
		}
		assert_int_equal(palloc_free_bytes(&pa), total - used);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_and_alloc_aligned, setup),
		cmocka_unit_test_setup(test_exhaustion_and_bad_args, setup),
		cmocka_unit_test_setup(test_reserve_splits_and_spans, setup),
		cmocka_unit_test_setup(test_random_model, setup),
	};

	return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
