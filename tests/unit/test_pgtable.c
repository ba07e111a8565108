// SPDX-License-Identifier: MIT
/*
 * The translation tables of arch/arm64/pgtable.c (plain C, shared by EL2's stage
 * 1 and the guests' stage 2), in host memory: blocks and pages walked back
 * address by address, overlaps with a block refused, blocks split, tables
 * counted out and back in, root sizes and start levels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/pgtable.h"

#define GIB   (1UL << 30)
#define MIB   (1UL << 20)
#define ATTRS (S2_MEMATTR_NORMAL_WB | PTE_SH_INNER | PTE_AF | S2_AP_R | S2_AP_W)
#define RX    (S2_MEMATTR_NORMAL_WB | PTE_SH_INNER | PTE_AF | S2_AP_R)
#define DEV   (S2_MEMATTR_DEVICE | PTE_AF | S2_AP_R | S2_AP_W | S2_XN)

/* The page supply: counts what it hands out and gets back, and when. */
struct pages {
	unsigned int allocs, frees, limit;
	bool flushed;		  /* the TLB flush of pgtable_clear has run */
	unsigned int freed_early; /* frees before that flush */
};

static struct pages pages;
static struct pgtable pt;

static void *page_alloc(void *ctx)
{
	struct pages *p = ctx;
	void *page;

	if (p->limit && p->allocs >= p->limit)
		return 0;
	page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(page, 0, PAGE_SIZE);
	p->allocs++;
	return page;
}

static void page_free(void *ctx, void *page)
{
	struct pages *p = ctx;

	if (!p->flushed)
		p->freed_early++;
	p->frees++;
	free(page);
}

static void tlb_flush(void *ctx)
{
	struct pages *p = ctx;

	p->flushed = true;
}

static void make(unsigned int ia_bits, unsigned int start_level)
{
	unsigned int root = pgtable_root_pages(ia_bits, start_level);

	memset(&pages, 0, sizeof(pages));
	pt = (struct pgtable){ .root = aligned_alloc(root * PAGE_SIZE, root * PAGE_SIZE),
			       .start_level = start_level,
			       .ia_bits = ia_bits,
			       .alloc = page_alloc,
			       .free = page_free,
			       .ctx = &pages };
	memset(pt.root, 0, root * PAGE_SIZE);
}

/* Clears the table (every page must come back, after the flush) and frees the root. */
static void done(void)
{
	pages.flushed = false;
	pgtable_clear(&pt, tlb_flush);
	assert_true(pages.flushed);
	assert_int_equal(pages.freed_early, 0);
	assert_int_equal(pages.frees, pages.allocs);
	free(pt.root);
}

/* The leaf mapping @ia must be at @level, with @pa's page and exactly @attrs. */
static void expect_leaf(uint64_t ia, uint64_t pa, unsigned int level, uint64_t attrs)
{
	unsigned int l;
	uint64_t e = *pgtable_walk(&pt, ia, &l);
	uint64_t size = pgtable_level_size(l);
	uint64_t type = l == 3 ? PTE_TABLE | PTE_VALID : PTE_VALID;

	assert_int_equal(l, level);
	assert_int_equal(e & (PTE_TABLE | PTE_VALID), type);
	assert_int_equal(e & ~PTE_ADDR_MASK & ~(PTE_TABLE | PTE_VALID), attrs);
	assert_int_equal((e & PTE_ADDR_MASK) + (ia & (size - 1) & ~(PAGE_SIZE - 1)),
			 pa & ~(PAGE_SIZE - 1));
}

static void expect_unmapped(uint64_t ia)
{
	unsigned int l;

	assert_false(*pgtable_walk(&pt, ia, &l) & PTE_VALID);
}

static void test_root_pages_and_levels(void **state)
{
	(void)state;
	/* A level-1 table covers 39 bits; up to 16 of them are concatenated at level 1. */
	assert_int_equal(pgtable_root_pages(32, 1), 1);
	assert_int_equal(pgtable_root_pages(39, 1), 1);
	assert_int_equal(pgtable_root_pages(40, 1), 2);
	assert_int_equal(pgtable_root_pages(42, 1), 8);
	assert_int_equal(pgtable_root_pages(43, 1), 16);
	assert_int_equal(pgtable_root_pages(44, 0), 1);
	assert_int_equal(pgtable_root_pages(48, 0), 1);
	assert_int_equal(pgtable_level_size(1), GIB);
	assert_int_equal(pgtable_level_size(2), 2 * MIB);
	assert_int_equal(pgtable_level_size(3), PAGE_SIZE);
}

/* One 1 GiB block, 2 MiB blocks and pages around them, every page walked back. */
static void map_and_walk(unsigned int ia_bits, unsigned int start_level, uint64_t base)
{
	make(ia_bits, start_level);
	assert_int_equal(pgtable_map(&pt, base + GIB, 0x80000000UL, GIB, ATTRS), 0);
	/* Starts a page before a 2 MiB boundary, ends a page after the next one. */
	assert_int_equal(pgtable_map(&pt, base + 0x1ff000, 0x401ff000UL, 0x202000, RX), 0);
	assert_int_equal(pgtable_map(&pt, base + 0x9000, 0x09000000UL, PAGE_SIZE, DEV), 0);
	for (uint64_t off = 0; off < GIB; off += PAGE_SIZE)
		expect_leaf(base + GIB + off, 0x80000000UL + off, 1, ATTRS);
	expect_leaf(base + 0x1ff000, 0x401ff000UL, 3, RX);
	for (uint64_t off = 0; off < 2 * MIB; off += PAGE_SIZE)
		expect_leaf(base + 0x200000 + off, 0x40200000UL + off, 2, RX);
	expect_leaf(base + 0x400000, 0x40400000UL, 3, RX);
	expect_leaf(base + 0x9000, 0x09000000UL, 3, DEV);
	expect_unmapped(base + 0x1fe000);
	expect_unmapped(base + 0x401000);
	expect_unmapped(base + 0x8000);
	expect_unmapped(base + 2 * GIB);
	expect_unmapped((1UL << ia_bits) - PAGE_SIZE);
	/* Tables: one level-3 under each of the two 2 MiB entries with pages, one level 2 (and
	 * one level 1 from level 0). */
	assert_int_equal(pages.allocs, start_level == 0 ? 4 : 3);
	done();
}

static void test_map_and_walk_start_level_1(void **state)
{
	(void)state;
	map_and_walk(40, 1, 0);
	/* The second of the two concatenated root pages. */
	map_and_walk(40, 1, 0x8000000000UL);
}

static void test_map_and_walk_start_level_0(void **state)
{
	(void)state;
	map_and_walk(48, 0, 0);
	map_and_walk(48, 0, 0x7f8000000000UL);
}

static void test_bad_ranges_refused(void **state)
{
	(void)state;
	make(40, 1);
	assert_int_equal(pgtable_map(&pt, 0x1800, 0x1000, PAGE_SIZE, ATTRS), -1);
	assert_int_equal(pgtable_map(&pt, 0x1000, 0x1800, PAGE_SIZE, ATTRS), -1);
	assert_int_equal(pgtable_map(&pt, 0x1000, 0x1000, 0x800, ATTRS), -1);
	assert_int_equal(pgtable_map(&pt, (1UL << 40) - PAGE_SIZE, 0, 2 * PAGE_SIZE, ATTRS), -1);
	assert_int_equal(pgtable_map(&pt, ~0UL & ~(PAGE_SIZE - 1), 0, 2 * PAGE_SIZE, ATTRS), -1);
	assert_int_equal(pages.allocs, 0);
	/* Out of table pages: the map fails. */
	pages.limit = 1;
	assert_int_equal(pgtable_map(&pt, 0x1000, 0x1000, PAGE_SIZE, ATTRS), -1);
	done();
}

static void test_overlap_with_block_refused(void **state)
{
	(void)state;
	make(40, 1);
	assert_int_equal(pgtable_map(&pt, 0x40200000, 0x80200000, 2 * MIB, ATTRS), 0);
	/* Inside the block, elsewhere or with other attributes: refused, block untouched. */
	assert_int_equal(pgtable_map(&pt, 0x40300000, 0x90000000, PAGE_SIZE, ATTRS), -1);
	assert_int_equal(pgtable_map(&pt, 0x40300000, 0x80300000, PAGE_SIZE, RX), -1);
	assert_int_equal(pgtable_map(&pt, 0x40200000, 0x90200000, 4 * MIB, ATTRS), -1);
	expect_unmapped(0x40400000);
	/* Exactly what the block maps already: accepted, nothing new. */
	assert_int_equal(pgtable_map(&pt, 0x40300000, 0x80300000, 0x2000, ATTRS), 0);
	expect_leaf(0x40300000, 0x80300000, 2, ATTRS);
	expect_leaf(0x403ff000, 0x803ff000, 2, ATTRS);
	assert_int_equal(pages.allocs, 1); /* the level-2 table */
	/* The same for a 1 GiB block. */
	assert_int_equal(pgtable_map(&pt, 2 * GIB, 4 * GIB, GIB, RX), 0);
	assert_int_equal(pgtable_map(&pt, 2 * GIB + 2 * MIB, 0, 2 * MIB, RX), -1);
	expect_leaf(2 * GIB + 2 * MIB, 4 * GIB + 2 * MIB, 1, RX);
	done();
}

/* Splits the block mapping @ia into a table, installed as a caller would. */
static void split(uint64_t ia)
{
	unsigned int level;
	uint64_t *e = pgtable_walk(&pt, ia, &level);
	uint64_t table = pgtable_split_block(&pt, *e, level);

	assert_int_not_equal(table, 0);
	assert_int_equal(table & (PTE_TABLE | PTE_VALID), PTE_TABLE | PTE_VALID);
	*e = table;
}

static void test_split_keeps_the_mapping(void **state)
{
	(void)state;
	make(40, 1);
	assert_int_equal(pgtable_map(&pt, GIB, 0x80000000UL, GIB, RX), 0);
	assert_int_equal(pages.allocs, 0);
	/* 1 GiB into 512 blocks of 2 MiB, then one of those into 512 pages. */
	split(GIB);
	assert_int_equal(pages.allocs, 1);
	for (uint64_t off = 0; off < GIB; off += 2 * MIB) {
		expect_leaf(GIB + off, 0x80000000UL + off, 2, RX);
		expect_leaf(GIB + off + 2 * MIB - PAGE_SIZE,
			    0x80000000UL + off + 2 * MIB - PAGE_SIZE, 2, RX);
	}
	split(GIB + 0x600000);
	assert_int_equal(pages.allocs, 2);
	for (uint64_t off = 0; off < 2 * MIB; off += PAGE_SIZE)
		expect_leaf(GIB + 0x600000 + off, 0x80600000UL + off, 3, RX);
	expect_leaf(GIB + 0x400000, 0x80400000UL, 2, RX);
	expect_leaf(GIB + 0x800000, 0x80800000UL, 2, RX);
	/* Out of pages: no table, nothing changed. */
	pages.limit = 2;
	{
		unsigned int level;
		uint64_t *e = pgtable_walk(&pt, GIB + 0x800000, &level);

		assert_int_equal(pgtable_split_block(&pt, *e, level), 0);
	}
	done();
}

/* Every 2 MiB region of @size bytes at @ia, mapped page by page in a scrambled order. */
static void map_pages_scrambled(uint64_t ia, uint64_t size)
{
	uint64_t n = size / PAGE_SIZE;

	/* 7919 is prime and does not divide n: i * 7919 mod n visits every page once. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t off = (i * 7919) % n * PAGE_SIZE;

		assert_int_equal(pgtable_map(&pt, ia + off, 0x100000000UL + off, PAGE_SIZE, ATTRS),
				 0);
	}
}

/*
 * pgtable_tables_for is exactly what mapping a range page by page takes, and what
 * mapping it with blocks and then splitting every block takes at most.
 */
static void test_tables_for_bounds_pages_and_splits(void **state)
{
	static const struct {
		unsigned int ia_bits, level;
		uint64_t ia, size;
	} cases[] = {
		{ 40, 1, 0x40000000, 64 * MIB },	      /* inside 1 GiB */
		{ 40, 1, GIB - 6 * MIB, 16 * MIB },	      /* across a 1 GiB boundary */
		{ 40, 1, 0x40001000, 4 * MIB },		      /* unaligned: touches 3 regions */
		{ 48, 0, 0x8000000000UL - 2 * MIB, 8 * MIB }, /* across a 512 GiB boundary */
	};

	(void)state;
	for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t ia = cases[c].ia, size = cases[c].size, want;

		make(cases[c].ia_bits, cases[c].level);
		want = pgtable_tables_for(&pt, ia, size);
		map_pages_scrambled(ia, size);
		assert_int_equal(pages.allocs, want);
		done();

		make(cases[c].ia_bits, cases[c].level);
		assert_int_equal(
			pgtable_map(&pt, ia, 0x100000000UL + (ia & (2 * MIB - 1)), size, RX), 0);
		for (uint64_t a = ia & ~(2 * MIB - 1); a < ia + size; a += 2 * MIB) {
			unsigned int level;

			pgtable_walk(&pt, a, &level);
			if (level < 3 && a >= ia && a + 2 * MIB <= ia + size)
				split(a);
		}
		assert_true(pages.allocs <= want);
		done();
	}
	make(40, 1);
	assert_int_equal(pgtable_tables_for(&pt, 0x40000000, 0), 0);
	/* 4 GiB at 1 GiB: four level-2 tables and 2048 level-3 tables. */
	assert_int_equal(pgtable_tables_for(&pt, GIB, 4 * GIB), 4 + 2048);
	free(pt.root);
}

/* Scattered pages in the first root page, blocks in the second, then cleared: every table back,
 * after the flush. */
static void test_clear_returns_every_table(void **state)
{
	(void)state;
	make(40, 1);
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t ia = (i * 0x3c9d000UL * 17) % (1UL << 39) & ~(PAGE_SIZE - 1);

		assert_int_equal(pgtable_map(&pt, ia, ia, PAGE_SIZE, ATTRS), 0);
	}
	assert_int_equal(pgtable_map(&pt, 0x8000000000UL, 0, 2 * MIB, ATTRS), 0);
	assert_int_equal(pgtable_map(&pt, 0x9000000000UL, 0, GIB, ATTRS), 0);
	split(0x9000000000UL);
	assert_true(pages.allocs > 64);
	pages.flushed = false;
	pgtable_clear(&pt, tlb_flush);
	assert_int_equal(pages.freed_early, 0);
	assert_int_equal(pages.frees, pages.allocs);
	for (unsigned int i = 0; i < 2 * 512; i++)
		assert_int_equal(pt.root[i], 0);
	expect_unmapped(0x8000000000UL);
	/* The empty table maps again, with new tables. */
	assert_int_equal(pgtable_map(&pt, 0x1000, 0x1000, PAGE_SIZE, ATTRS), 0);
	expect_leaf(0x1000, 0x1000, 3, ATTRS);
	done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_pages_and_levels),
		cmocka_unit_test(test_map_and_walk_start_level_1),
		cmocka_unit_test(test_map_and_walk_start_level_0),
		cmocka_unit_test(test_bad_ranges_refused),
		cmocka_unit_test(test_overlap_with_block_refused),
		cmocka_unit_test(test_split_keeps_the_mapping),
		cmocka_unit_test(test_tables_for_bounds_pages_and_splits),
		cmocka_unit_test(test_clear_returns_every_table),
	};

	return cmocka_run_group_tests_name("pgtable", tests, NULL, NULL);
}
