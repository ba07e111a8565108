// SPDX-License-Identifier: MIT
/* Guest stage-2 translation: VTCR_EL2 sized from PARange, tables from host memory. */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/pgtable.h"
#include "arch/arm64/sysreg.h"
#include "core/mem.h"

#define IPA_BITS_MAX	48
#define S2_ATTRS_NORMAL (S2_MEMATTR_NORMAL_WB | PTE_SH_INNER | PTE_AF)
#define CTR_L1IP(v)	FIELD(v, 14, 2)
#define L1IP_PIPT	3

static void *s2_alloc(void *ctx)
{
	(void)ctx;
	return mem_alloc_page();
}

static void s2_free(void *page)
{
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

int arch_stage2_init(struct stage2 *s2, uint16_t vmid)
{
	unsigned int ipa_bits = mmu_pa_bits();
	unsigned int pages;

	if (ipa_bits > IPA_BITS_MAX)
		ipa_bits = IPA_BITS_MAX;
	s2->ipa_bits = ipa_bits;
	s2->start_level = start_level(ipa_bits);
	s2->vmid = vmid;
	pages = pgtable_root_pages(ipa_bits, s2->start_level);
	/* Concatenated root tables must be aligned to their total size. */
	s2->root = mem_alloc(pages * PAGE_SIZE, pages * PAGE_SIZE);
	return s2->root ? 0 : -1;
}

static struct pgtable as_pgtable(struct stage2 *s2)
{
	return (struct pgtable){ .root = s2->root,
				 .start_level = s2->start_level,
				 .ia_bits = s2->ipa_bits,
				 .alloc = s2_alloc };
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

int arch_stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned int perms)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa, pa, size, perms_to_attrs(perms));
}

int arch_stage2_map_device(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa, pa, size,
			   S2_MEMATTR_DEVICE | PTE_AF | S2_AP_R | S2_AP_W | S2_XN);
}

void arch_stage2_lookup(struct stage2 *s2, uint64_t ipa, struct s2_leaf *leaf)
{
	struct pgtable pt = as_pgtable(s2);
	unsigned int level;
	uint64_t e = *pgtable_walk(&pt, ipa, &level);

	leaf->size = pgtable_level_size(level);
	leaf->valid = e & PTE_VALID;
	leaf->perms = leaf->valid ? attrs_to_perms(e) : 0;
	leaf->pa =
		leaf->valid ? (e & PTE_ADDR_MASK) + (ipa & (leaf->size - 1) & ~(PAGE_SIZE - 1)) : 0;
}

/* Invalidates stage-2 (and combined) TLB entries for @ipa in the loaded VMID. */
static void tlb_flush_ipa(uint64_t ipa)
{
	dsb(ishst);
	__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(ipa >> 12) : "memory");
	dsb(ish);
	/* Combined stage-1+2 entries are not tagged by IPA: drop this VMID's. */
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
}

int arch_stage2_protect_page(struct stage2 *s2, uint64_t ipa, unsigned int perms)
{
	struct pgtable pt = as_pgtable(s2);
	unsigned int level;
	uint64_t *e = pgtable_walk(&pt, ipa, &level);

	if (!(*e & PTE_VALID))
		return -1;
	while (level < 3) {
		/* Break-before-make: no CPU may see both the block and the table. */
		uint64_t table = pgtable_split_block(&pt, *e, level);

		if (!table)
			return -1;
		*e = 0;
		tlb_flush_ipa(ipa & ~(pgtable_level_size(level) - 1));
		*e = table;
		dsb(ishst);
		e = pgtable_walk(&pt, ipa, &level);
	}
	*e = (*e & PTE_ADDR_MASK) | perms_to_attrs(perms) | PTE_TABLE | PTE_VALID;
	tlb_flush_ipa(ipa);
	return 0;
}

void arch_stage2_unmap_all(struct stage2 *s2)
{
	struct pgtable pt = as_pgtable(s2);

	pgtable_clear(&pt, s2_free);
	dsb(ishst);
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	isb();
}

bool arch_sync_icache(const void *va, uint64_t size)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uint64_t start = (uint64_t)va, end = start + size;
	bool maintained = false;

	if (!CTR_IDC(ctr)) {
		uint64_t line = 4UL << CTR_DMINLINE(ctr);

		for (uint64_t a = start & ~(line - 1); a < end; a += line)
			__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
		maintained = true;
	}
	dsb(ish);
	if (!CTR_DIC(ctr)) {
		uint64_t line = 4UL << CTR_IMINLINE(ctr);

		/* By address only works for PIPT instruction caches. */
		if (CTR_L1IP(ctr) == L1IP_PIPT)
			for (uint64_t a = start & ~(line - 1); a < end; a += line)
				__asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
		else
			__asm__ volatile("ic ialluis" ::: "memory");
		dsb(ish);
		maintained = true;
	}
	isb();
	return maintained;
}

/* VTCR_EL2 for this stage 2: 4 KiB granule, write-back inner-shareable walks. */
uint64_t stage2_vtcr(const struct stage2 *s2)
{
	uint64_t parange = ID_AA64MMFR0_PARANGE(read_sysreg(ID_AA64MMFR0_EL1));
	uint64_t sl0 = s2->start_level == 0 ? 2 : 1;

	if (parange > 5)
		parange = 5;
	return (64 - s2->ipa_bits) | (sl0 << 6) | (1UL << 8) | (1UL << 10) | (3UL << 12) |
	       (parange << 16) | BIT(31);
}
