// SPDX-License-Identifier: MIT
#include "arch/arm64/pgtable.h"

#define ENTRIES_PER_TABLE 512

static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

unsigned int pgtable_root_pages(unsigned int ia_bits, unsigned int level)
{
	unsigned int covered = level_shift(level) + 9;

	return ia_bits > covered ? 1U << (ia_bits - covered) : 1;
}

static bool is_table(uint64_t e, unsigned int level)
{
	return level < 3 && (e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

static uint64_t *entry_ptr(const struct pgtable *pt, uint64_t *table, unsigned int level,
			   uint64_t ia)
{
	uint64_t idx = ia >> level_shift(level);

	if (level != pt->start_level)
		idx &= ENTRIES_PER_TABLE - 1;
	return &table[idx];
}

/*
 * A block already maps this address: fine if it maps it to the same place with the
 * same attributes (re-mapping part of a larger identity range), else a conflict.
 * Returns the bytes left in the block from @ia, or 0 on conflict.
 */
static uint64_t covered_by_block(uint64_t entry, unsigned int level, uint64_t ia, uint64_t pa,
				 uint64_t attrs)
{
	uint64_t block = 1UL << level_shift(level);
	uint64_t off = ia & (block - 1);

	if ((entry & PTE_ADDR_MASK) + off != pa ||
	    (entry & ~PTE_ADDR_MASK & ~(PTE_VALID | PTE_TABLE)) != attrs)
		return 0;
	return block - off;
}

static uint64_t *next_table(struct pgtable *pt, uint64_t *entry)
{
	uint64_t *table;

	if (*entry & PTE_VALID)
		return (uint64_t *)(*entry & PTE_ADDR_MASK);
	table = pt->alloc(pt->ctx);
	if (!table)
		return 0;
	/* Make the zeroed table visible to the walker before linking it in. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*entry = (uint64_t)table | PTE_TABLE | PTE_VALID;
	return table;
}

static int map_one(struct pgtable *pt, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs,
		   uint64_t *mapped)
{
	uint64_t *table = pt->root;
	unsigned int level;

	for (level = pt->start_level; level <= 3; level++) {
		uint64_t block = 1UL << level_shift(level);
		uint64_t *entry = entry_ptr(pt, table, level, ia);
		bool can_block = level == 3 || (!is_table(*entry, level) && level >= 1 &&
						!((ia | pa) & (block - 1)) && size >= block);

		if (level < 3 && (*entry & (PTE_VALID | PTE_TABLE)) == PTE_VALID) {
			*mapped = covered_by_block(*entry, level, ia, pa, attrs);
			return *mapped ? 0 : -1;
		}
		if (can_block) {
			uint64_t type = level == 3 ? PTE_TABLE | PTE_VALID : PTE_VALID;

			*entry = (pa & PTE_ADDR_MASK) | attrs | type;
			*mapped = block;
			return 0;
		}
		table = next_table(pt, entry);
		if (!table)
			return -1;
	}
	return -1;
}

int pgtable_map(struct pgtable *pt, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs)
{
	if ((ia | pa | size) & (PAGE_SIZE - 1))
		return -1;
	if (ia + size < ia || (pt->ia_bits < 64 && ia + size > (1UL << pt->ia_bits)))
		return -1;
	while (size) {
		uint64_t done = 0;

		if (map_one(pt, ia, pa, size, attrs, &done))
			return -1;
		if (done > size)
			done = size;
		ia += done;
		pa += done;
		size -= done;
	}
	return 0;
}

uint64_t pgtable_level_size(unsigned int level)
{
	return 1UL << level_shift(level);
}

uint64_t *pgtable_walk(const struct pgtable *pt, uint64_t ia, unsigned int *level)
{
	uint64_t *table = pt->root;
	unsigned int l;

	for (l = pt->start_level;; l++) {
		uint64_t *e = entry_ptr(pt, table, l, ia);

		if (l == 3 || (*e & (PTE_VALID | PTE_TABLE)) != (PTE_VALID | PTE_TABLE)) {
			*level = l;
			return e;
		}
		table = (uint64_t *)(*e & PTE_ADDR_MASK);
	}
}

uint64_t pgtable_split_block(struct pgtable *pt, uint64_t block, unsigned int level)
{
	uint64_t *t = pt->alloc(pt->ctx);
	uint64_t step = pgtable_level_size(level + 1);
	uint64_t attrs = block & ~PTE_ADDR_MASK & ~(PTE_VALID | PTE_TABLE);
	uint64_t type = level + 1 == 3 ? PTE_TABLE | PTE_VALID : PTE_VALID;
	uint64_t pa = block & PTE_ADDR_MASK;
	unsigned int i;

	if (!t)
		return 0;
	for (i = 0; i < ENTRIES_PER_TABLE; i++)
		t[i] = (pa + i * step) | attrs | type;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return (uint64_t)t | PTE_TABLE | PTE_VALID;
}

/* Frees the tables under @table (a level-@level table nobody walks any more). */
static void free_below(struct pgtable *pt, const uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		if (is_table(table[i], level)) {
			uint64_t *next = (uint64_t *)(table[i] & PTE_ADDR_MASK);

			free_below(pt, next, level + 1);
			pt->free(pt->ctx, next);
		}
}

void pgtable_clear(struct pgtable *pt, void (*tlb_flush)(void *ctx))
{
	unsigned int n = pgtable_root_pages(pt->ia_bits, pt->start_level) * ENTRIES_PER_TABLE;
	unsigned int used = 1U << (pt->ia_bits - level_shift(pt->start_level));
	unsigned int i;

	if (used < n)
		n = used;
	/* Invalid to the walker; the address stays, for the frees below. */
	for (i = 0; i < n; i++)
		pt->root[i] &= ~PTE_VALID;
	tlb_flush(pt->ctx);
	for (i = 0; i < n; i++) {
		uint64_t e = pt->root[i] | PTE_VALID;

		if (is_table(e, pt->start_level)) {
			uint64_t *next = (uint64_t *)(e & PTE_ADDR_MASK);

			free_below(pt, next, pt->start_level + 1);
			pt->free(pt->ctx, next);
		}
		pt->root[i] = 0;
	}
}

uint64_t pgtable_tables_for(const struct pgtable *pt, uint64_t ia, uint64_t size)
{
	uint64_t n = 0;

	if (!size)
		return 0;
	for (unsigned int level = pt->start_level; level < 3; level++) {
		unsigned int shift = level_shift(level);

		n += ((ia + size - 1) >> shift) - (ia >> shift) + 1;
	}
	return n;
}
