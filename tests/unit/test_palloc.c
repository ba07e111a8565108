// SPDX-License-Identifier: MIT
/* The physical page allocator, and the same against a page-by-page reference model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/palloc.h"

#define MIB  (1UL << 20)
#define PAGE PALLOC_PAGE

static struct palloc pa;
static uint64_t *bitmaps[PALLOC_MAX_REGIONS * 2];
static unsigned int nbitmaps;

/* Adds a region of made-up addresses: the allocator never touches the memory it manages. */
static int add(uint64_t base, uint64_t size)
{
	uint64_t *bitmap = calloc(1, palloc_bitmap_bytes(size) + sizeof(uint64_t));

	bitmaps[nbitmaps++] = bitmap;
	return palloc_add(&pa, base, size, bitmap);
}

static int setup(void **state)
{
	(void)state;
	palloc_init(&pa);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	while (nbitmaps)
		free(bitmaps[--nbitmaps]);
	return 0;
}

static void test_add_and_alloc_aligned(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(add(0x40000000, 64 * MIB), 0);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB);
	palloc_reserve(&pa, 0x40000000, 0x1234); /* rounds to 2 pages */
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000);
	a = palloc_alloc(&pa, 4 * MIB, 2 * MIB);
	assert_int_equal(a, 0x40200000); /* first 2 MiB-aligned address after the hole */
	b = palloc_alloc(&pa, 4096, 4096);
	assert_int_equal(b, 0x40002000);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000 - 4 * MIB - 4096);
	assert_int_equal(palloc_free(&pa, a, 4 * MIB), 0);
	assert_int_equal(palloc_free(&pa, b, 4096), 0);
	assert_int_equal(palloc_free_bytes(&pa), 64 * MIB - 0x2000);
	/* Everything joined up again: all of it in one piece. */
	assert_int_equal(palloc_alloc(&pa, 64 * MIB - 0x2000, 4096), 0x40002000);
	assert_int_equal(palloc_free_bytes(&pa), 0);
}

static void test_exhaustion_and_bad_args(void **state)
{
	(void)state;
	assert_int_equal(add(0x1000, 0x4000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x5000, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x3000), 0); /* not a power of two */
	assert_int_equal(palloc_alloc(&pa, ~0UL, 0x1000), 0);
	assert_int_not_equal(palloc_alloc(&pa, 0x4000, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0);
	assert_int_equal(add(~0UL - 0x1000, 0x4000), -1); /* wraps */
	assert_int_equal(add(0x10800, 0x800), -1);	  /* no whole page in it */
}

static void test_reserve_splits_and_spans(void **state)
{
	(void)state;
	assert_int_equal(add(0x100000, 0x100000), 0);
	assert_int_equal(add(0x300000, 0x100000), 0);
	/* A hole in the middle of the first range. */
	palloc_reserve(&pa, 0x140000, 0x10000);
	/* One reservation spanning the end of one range, the gap and the start of the next. */
	palloc_reserve(&pa, 0x1f0000, 0x120000);
	assert_int_equal(palloc_free_bytes(&pa), 0x200000 - 0x10000 - 0x10000 - 0x10000);
	/* Reserving what is reserved already changes nothing. */
	palloc_reserve(&pa, 0x140000, 0x8000);
	assert_int_equal(palloc_free_bytes(&pa), 0x200000 - 0x30000);
	assert_int_equal(palloc_alloc(&pa, 0x40000, 0x1000), 0x100000);
	assert_int_equal(palloc_alloc(&pa, 0x40000, 0x1000), 0x150000); /* past the hole */
	assert_int_equal(palloc_alloc(&pa, 0x60000, 0x1000), 0x190000);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0x310000); /* the next region */
}

static void test_regions_overlap_and_limit(void **state)
{
	(void)state;
	assert_int_equal(add(0x10000000, 16 * MIB), 0);
	assert_int_equal(add(0x10fff000, 8192), -1); /* overlaps the end */
	assert_int_equal(add(0x0ffff000, 8192), -1); /* overlaps the start */
	for (unsigned int i = 1; i < PALLOC_MAX_REGIONS; i++)
		assert_int_equal(add(0x20000000UL * (i + 1), MIB), 0);
	assert_int_equal(add(0x7000000000UL, MIB), -1); /* one region too many */
	assert_int_equal(palloc_free_bytes(&pa), 16 * MIB + (PALLOC_MAX_REGIONS - 1) * MIB);
}

/* Address 0 means "no memory": a region starting there never hands out its first page. */
static void test_page_zero_never_handed_out(void **state)
{
	(void)state;
	assert_int_equal(add(0, 0x3000), 0);
	assert_int_equal(palloc_free_bytes(&pa), 0x2000);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0x1000);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0x2000);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), 0);
}

static void test_bad_frees_change_nothing(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(add(0x40000000, MIB), 0);
	a = palloc_alloc(&pa, 0x4000, 0x1000);
	b = palloc_alloc(&pa, 0x1000, 0x1000);
	assert_int_equal(palloc_free(&pa, a, 0x4000), 0);
	assert_int_equal(palloc_free(&pa, a, 0x1000), -1);	    /* twice */
	assert_int_equal(palloc_free(&pa, b - 0x1000, 0x2000), -1); /* half of it free already */
	assert_int_equal(palloc_free(&pa, 0x80000000, 0x1000), -1); /* not managed */
	assert_int_equal(palloc_free(&pa, 0x400ff000, 0x2000), -1); /* runs off the end */
	assert_int_equal(palloc_free(&pa, b + 1, 0x1000), -1);	    /* not page aligned */
	assert_int_equal(palloc_free_bytes(&pa), MIB - 0x1000);
	/* A part of an allocation may go back on its own. */
	a = palloc_alloc(&pa, 0x3000, 0x1000);
	assert_int_equal(palloc_free(&pa, a + 0x1000, 0x1000), 0);
	assert_int_equal(palloc_alloc(&pa, 0x1000, 0x1000), a + 0x1000);
}

/*
 * The reference model: who owns each page, 0 for nobody. Two regions, the second
 * not aligned to more than a page, so alignment is of addresses, not of indexes.
 */
enum { REGION_PAGES = 2048, NREGIONS = 2, SLOTS = 500 };
static const uint64_t region_base[NREGIONS] = { 0x80000000UL, 0x90001000UL };
static unsigned short owner[NREGIONS][REGION_PAGES];
static uint64_t model_free_pages;

/* Where first fit must put @pages pages aligned to @align: the lowest such free run. */
static uint64_t model_first_fit(uint64_t pages, uint64_t align)
{
	for (unsigned int r = 0; r < NREGIONS; r++)
		for (uint64_t i = 0; i + pages <= REGION_PAGES; i++) {
			uint64_t k = 0;

			if ((region_base[r] + i * PAGE) % align)
				continue;
			while (k < pages && !owner[r][i + k])
				k++;
			if (k == pages)
				return region_base[r] + i * PAGE;
			i += k; /* no run starts before the owned page after it */
		}
	return 0;
}

static void model_mark(uint64_t addr, uint64_t pages, unsigned short who)
{
	for (unsigned int r = 0; r < NREGIONS; r++) {
		if (addr < region_base[r] || addr >= region_base[r] + REGION_PAGES * PAGE)
			continue;
		for (uint64_t i = (addr - region_base[r]) / PAGE, n = 0; n < pages; n++, i++) {
			assert_true(i < REGION_PAGES);
			/* Allocating: nobody else may own it; freeing: it was ours. */
			assert_int_equal(owner[r][i], who ? 0 : owner[r][i]);
			model_free_pages += who ? -1UL : 1UL;
			owner[r][i] = who;
		}
		return;
	}
	fail_msg("address 0x%lx is in no region", (unsigned long)addr);
}

/* Runs of free pages in the model: each starts at a free page after an owned one or a region's
 * start. */
static uint64_t model_free_runs(void)
{
	uint64_t runs = 0;

	for (unsigned int r = 0; r < NREGIONS; r++)
		for (unsigned int i = 0; i < REGION_PAGES; i++)
			if (!owner[r][i] && (i == 0 || owner[r][i - 1]))
				runs++;
	return runs;
}

/* Mostly single pages (stage-2 tables), some runs and large aligned blocks (guest RAM). */
static void random_request(uint64_t *pages, uint64_t *align)
{
	unsigned int kind = (unsigned int)rand() % 100;

	*pages = kind < 60   ? 1
		 : kind < 95 ? 1 + (uint64_t)(rand() % 24)
			     : 64 + (uint64_t)(rand() % 256);
	*align = kind < 95 ? PAGE << (rand() % 5) : 2 * MIB;
}

/*
 * Random allocations and frees checked against the model after every step: each
 * allocation is where first fit puts it (so it overlaps nothing, and fails only
 * when there is no room), the free byte count is right, and at the end, with
 * everything freed, each region can be allocated whole again. Freed pages come
 * back in many separate holes: an allocator that drops a free when it runs out
 * of room to describe them fails here.
 */
static void test_random_against_model(void **state)
{
	uint64_t base[SLOTS] = { 0 }, pages[SLOTS] = { 0 };

	(void)state;
	memset(owner, 0, sizeof(owner));
	model_free_pages = NREGIONS * REGION_PAGES;
	srand(1234);
	for (unsigned int r = 0; r < NREGIONS; r++)
		assert_int_equal(add(region_base[r], REGION_PAGES * PAGE), 0);
	for (unsigned int step = 0; step < 30000; step++) {
		unsigned int k = (unsigned int)rand() % SLOTS;

		if (base[k]) {
			assert_int_equal(palloc_free(&pa, base[k], pages[k] * PAGE), 0);
			model_mark(base[k], pages[k], 0);
			base[k] = 0;
		} else {
			uint64_t n, align, want;

			random_request(&n, &align);
			want = model_first_fit(n, align);
			base[k] = palloc_alloc(&pa, n * PAGE, align);
			assert_int_equal(base[k], want);
			if (base[k]) {
				pages[k] = n;
				model_mark(base[k], n, (unsigned short)(k + 1));
			}
		}
		assert_int_equal(palloc_free_bytes(&pa), model_free_pages * PAGE);
		if (step % 64 == 0)
			assert_int_equal(palloc_free_runs(&pa), model_free_runs());
	}
	for (unsigned int k = 0; k < SLOTS; k++)
		if (base[k])
			assert_int_equal(palloc_free(&pa, base[k], pages[k] * PAGE), 0);
	assert_int_equal(palloc_free_bytes(&pa), NREGIONS * REGION_PAGES * PAGE);
	assert_int_equal(palloc_free_runs(&pa), NREGIONS);
	for (unsigned int r = 0; r < NREGIONS; r++)
		assert_int_equal(palloc_alloc(&pa, REGION_PAGES * PAGE, PAGE), region_base[r]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_alloc_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_and_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_splits_and_spans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_overlap_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_zero_never_handed_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};

	return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
