// SPDX-License-Identifier: MIT
/*
 * Guest stage-2 tables: sized from PARange, pages from host memory within the
 * VM's quota. Plain C: the TLB maintenance
 * and barriers are stage2_hw.c's, so the host unit tests run this file as it is.
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/pgtable.h"
#include "core/mem.h"

#define IPA_BITS_MAX	48
#define S2_ATTRS_NORMAL (S2_MEMATTR_NORMAL_WB | PTE_SH_INNER | PTE_AF)

/* A table page, unless the VM has all its quota allows. */
static void *s2_alloc(void *ctx)
{
	struct stage2 *s2 = ctx;
	void *page;

	if (s2->table_pages >= s2->table_quota)
		return 0;
	page = mem_alloc_page();
	if (page)
		s2->table_pages++;
	return page;
}

static void s2_free(void *ctx, void *page)
{
	struct stage2 *s2 = ctx;

	s2->table_pages--;
	mem_free(page, PAGE_SIZE);
}

/*
 * Start at level 1 while up to 16 concatenated level-1 tables cover the IPA
 * space (IPA <= 43 bits), else at level 0: the architecture's rule for VTCR_EL2.SL0.
 */
static unsigned int start_level(unsigned int ipa_bits)
{
	return ipa_bits > 43 ? 0 : 1;
}

static unsigned int root_pages(const struct stage2 *s2)
{
	return pgtable_root_pages(s2->ipa_bits, s2->start_level);
}

int arch_stage2_init(struct stage2 *s2, uint16_t vmid)
{
	unsigned int ipa_bits = mmu_pa_bits();

	if (ipa_bits > IPA_BITS_MAX)
		ipa_bits = IPA_BITS_MAX;
	s2->ipa_bits = ipa_bits;
	s2->start_level = start_level(ipa_bits);
	s2->vmid = vmid;
	s2->table_pages = 0;
	s2->table_quota = 0;
	/* Concatenated root tables must be aligned to their total size. */
	s2->root = mem_alloc(root_pages(s2) * PAGE_SIZE, root_pages(s2) * PAGE_SIZE);
	return s2->root ? 0 : -1;
}

static struct pgtable as_pgtable(struct stage2 *s2)
{
	return (struct pgtable){ .root = s2->root,
				 .start_level = s2->start_level,
				 .ia_bits = s2->ipa_bits,
				 .alloc = s2_alloc,
				 .free = s2_free,
				 .ctx = s2 };
}

uint64_t arch_stage2_tables_for(const struct stage2 *s2, ipaddr_t ipa, uint64_t size)
{
	const struct pgtable pt = { .start_level = s2->start_level, .ia_bits = s2->ipa_bits };

	return pgtable_tables_for(&pt, ipa_addr(ipa), size);
}

static uint64_t perms_to_attrs(unsigned int perms)
{
	uint64_t a = S2_ATTRS_NORMAL;

	if (perms & S2_PERM_R)
		a |= S2_AP_R;
	if (perms & S2_PERM_W)
		a |= S2_AP_W;
	if (!(perms & S2_PERM_X))
		a |= S2_XN;
	return a;
}

static unsigned int attrs_to_perms(uint64_t e)
{
	return ((e & S2_AP_R) ? S2_PERM_R : 0) | ((e & S2_AP_W) ? S2_PERM_W : 0) |
	       ((e & S2_XN) ? 0 : S2_PERM_X);
}

int arch_stage2_map(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size, unsigned int perms)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa_addr(ipa), pa_addr(pa), size, perms_to_attrs(perms));
}

int arch_stage2_map_device(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa_addr(ipa), pa_addr(pa), size,
			   S2_MEMATTR_DEVICE | PTE_AF | S2_AP_R | S2_AP_W | S2_XN);
}

void arch_stage2_lookup(struct stage2 *s2, ipaddr_t ipa, struct s2_leaf *leaf)
{
	struct pgtable pt = as_pgtable(s2);
	unsigned int level;
	uint64_t e = *pgtable_walk(&pt, ipa_addr(ipa), &level);
	uint64_t page_in_leaf = ipa_addr(ipa) & (pgtable_level_size(level) - 1) & ~(PAGE_SIZE - 1);

	leaf->size = pgtable_level_size(level);
	leaf->valid = e & PTE_VALID;
	leaf->perms = leaf->valid ? attrs_to_perms(e) : 0;
	leaf->pa = pa_init(leaf->valid ? (e & PTE_ADDR_MASK) + page_in_leaf : 0);
}

int arch_stage2_protect_page(struct stage2 *s2, ipaddr_t ipa, unsigned int perms)
{
	struct pgtable pt = as_pgtable(s2);
	unsigned int level;
	uint64_t *e = pgtable_walk(&pt, ipa_addr(ipa), &level);

	if (!(*e & PTE_VALID))
		return -1;
	while (level < 3) {
		/* Break-before-make: no CPU may see both the block and the table. */
		uint64_t table = pgtable_split_block(&pt, *e, level);

		if (!table)
			return -1;
		*e = 0;
		s2_tlb_flush_ipa(ipa_align_down(ipa, pgtable_level_size(level)));
		*e = table;
		s2_publish();
		e = pgtable_walk(&pt, ipa_addr(ipa), &level);
	}
	*e = (*e & PTE_ADDR_MASK) | perms_to_attrs(perms) | PTE_TABLE | PTE_VALID;
	s2_tlb_flush_ipa(ipa);
	return 0;
}

int arch_stage2_set_leaf_perms(struct stage2 *s2, ipaddr_t ipa, unsigned int perms)
{
	struct pgtable pt = as_pgtable(s2);
	unsigned int level;
	uint64_t *e = pgtable_walk(&pt, ipa_addr(ipa), &level);
	uint64_t kind = level == 3 ? PTE_TABLE : 0; /* a page's descriptor, or a block's */

	if (!(*e & PTE_VALID))
		return -1;
	/* Only the permissions change: single-copy atomic, no break-before-make. */
	__atomic_store_n(e, (*e & PTE_ADDR_MASK) | perms_to_attrs(perms) | kind | PTE_VALID,
			 __ATOMIC_RELAXED);
	s2_tlb_flush_ipa(ipa_align_down(ipa, pgtable_level_size(level)));
	return 0;
}

void arch_stage2_write_protect(struct stage2 *s2, ipaddr_t ipa, uint64_t size)
{
	struct pgtable pt = as_pgtable(s2);
	uint64_t ia = ipa_addr(ipa), end = ia + size;

	while (ia < end) {
		unsigned int level;
		uint64_t *e = pgtable_walk(&pt, ia, &level);
		uint64_t span = pgtable_level_size(level);

		/* Only the permission changes: no break-before-make needed (single-copy atomic). */
		if ((*e & PTE_VALID) && (*e & S2_AP_W))
			__atomic_store_n(e, *e & ~S2_AP_W, __ATOMIC_RELAXED);
		ia = (ia & ~(span - 1)) + span;
	}
	s2_publish();
}

static void flush_vmid(void *ctx)
{
	(void)ctx;
	s2_tlb_flush_vmid();
}

void arch_stage2_unmap_all(struct stage2 *s2)
{
	struct pgtable pt = as_pgtable(s2);

	pgtable_clear(&pt, flush_vmid);
}

static void never_walked(void *ctx)
{
	(void)ctx; /* no VTTBR_EL2 ever pointed at these tables: no TLB holds them */
}

void arch_stage2_destroy(struct stage2 *s2)
{
	struct pgtable pt = as_pgtable(s2);

	if (!s2->root)
		return;
	pgtable_clear(&pt, never_walked);
	mem_free(s2->root, root_pages(s2) * PAGE_SIZE);
	s2->root = 0;
}
