/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 translation tables with the 4 KiB granule, shared by the EL2 stage-1
 * identity map and the guests' stage-2 tables: the walk is the same, only the
 * attribute bits differ (callers pass them ready-made).
 */
#ifndef SKIFF_ARCH_ARM64_PGTABLE_H
#define SKIFF_ARCH_ARM64_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define BLOCK_2M   (1UL << 21)
#define BLOCK_1G   (1UL << 30)

/* Descriptor bits common to both stages. */
#define PTE_VALID     (1UL << 0)
#define PTE_TABLE     (1UL << 1) /* table (levels 0-2) or page (level 3) */
#define PTE_SH_INNER  (3UL << 8)
#define PTE_AF	      (1UL << 10)
#define PTE_ADDR_MASK 0x0000fffffffff000UL

/* Stage 1 (EL2): MAIR indices set up by mmu.c. */
#define S1_ATTR_IDX(n)	((uint64_t)(n) << 2)
#define MAIR_IDX_NORMAL 0
#define MAIR_IDX_DEVICE 1
#define S1_AP_RO	(1UL << 7)
#define S1_PXN		(1UL << 53)
#define S1_XN		(1UL << 54)

/* Stage 2. */
#define S2_MEMATTR_NORMAL_WB (0xfUL << 2)
#define S2_MEMATTR_DEVICE    (0x1UL << 2) /* Device-nGnRE */
#define S2_AP_R		     (1UL << 6)
#define S2_AP_W		     (1UL << 7)
#define S2_XN		     (2UL << 53)

typedef void *(*pgtable_alloc_fn)(void *ctx);
typedef void (*pgtable_free_fn)(void *ctx, void *page);

struct pgtable {
	uint64_t *root;		  /* identity-mapped: physical == virtual in EL2 */
	unsigned int start_level; /* 0 or 1 */
	unsigned int ia_bits;	  /* input address size */
	pgtable_alloc_fn alloc;	  /* returns a zeroed, page-aligned page or NULL */
	pgtable_free_fn free;	  /* takes back a page alloc gave (pgtable_clear) */
	void *ctx;		  /* for alloc and free */
};

/* Number of concatenated root pages a table of @ia_bits starting at @level needs. */
unsigned int pgtable_root_pages(unsigned int ia_bits, unsigned int level);

/*
 * Maps [ia, ia + size) to [pa, pa + size) with the given attribute bits, using the
 * largest blocks alignment allows. All three must be page aligned. Returns 0, or
 * -1 when a table cannot be allocated or the range overlaps a block mapping.
 */
int pgtable_map(struct pgtable *pt, uint64_t ia, uint64_t pa, uint64_t size, uint64_t attrs);

/* Bytes mapped by one entry at @level (4 KiB at level 3, 2 MiB at 2, 1 GiB at 1). */
uint64_t pgtable_level_size(unsigned int level);

/*
 * Walks to @ia without allocating: returns the leaf entry (block or page) mapping
 * it, or the first invalid entry on the way, with its level in @level.
 */
uint64_t *pgtable_walk(const struct pgtable *pt, uint64_t ia, unsigned int *level);

/*
 * Builds a table for level @level + 1 that maps exactly what block descriptor
 * @block (at @level) maps, with the same attributes. Returns the table descriptor
 * to install (break-before-make is the caller's job, with its TLB maintenance), or
 * 0 when no page can be allocated.
 */
uint64_t pgtable_split_block(struct pgtable *pt, uint64_t block, unsigned int level);

/*
 * Removes every mapping and gives the tables below the root back to pt->free,
 * in that order: the root's entries are made invalid, then @tlb_flush(pt->ctx)
 * must make sure no table walker uses the old tables any more (the TLB
 * invalidation and its barriers), and only then are the tables freed, since a
 * walk still in flight or a cached table entry may read them until then.
 */
void pgtable_clear(struct pgtable *pt, void (*tlb_flush)(void *ctx));

/*
 * The most table pages below the root that mappings in [ia, ia + size) can take:
 * one table under each entry of each level above the last that the range
 * touches, which is what mapping all of it page by page takes. Splitting a block
 * there only builds one of those tables.
 */
uint64_t pgtable_tables_for(const struct pgtable *pt, uint64_t ia, uint64_t size);

#endif
