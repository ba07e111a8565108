// SPDX-License-Identifier: MIT
/* Guest stage-2 translation: VTCR_EL2 sized from PARange, tables from host memory. */
#include "arch/arch.h"
#include "arch/arm64/pgtable.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/mmu.h"
#include "core/mem.h"

#define IPA_BITS_MAX 48

static void *s2_alloc(void *ctx)
{
	(void)ctx;
	return mem_alloc_page();
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

int arch_stage2_map_ram(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa, pa, size,
			   S2_MEMATTR_NORMAL_WB | S2_AP_R | S2_AP_W | PTE_SH_INNER | PTE_AF);
}

int arch_stage2_map_device(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size)
{
	struct pgtable pt = as_pgtable(s2);

	return pgtable_map(&pt, ipa, pa, size,
			   S2_MEMATTR_DEVICE | S2_AP_R | S2_AP_W | PTE_AF | S2_XN);
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
