// SPDX-License-Identifier: MIT
/*
 * What guest stage 2 asks of the CPU itself: TLB maintenance and barriers for
 * the tables stage2.c builds, instruction-cache coherence, VTCR_EL2.
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/sysreg.h"

#define CTR_L1IP(v) FIELD(v, 14, 2)
#define L1IP_PIPT   3

void s2_tlb_flush_ipa(ipaddr_t ipa)
{
	dsb(ishst);
	__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(ipa_addr(ipa) >> 12) : "memory");
	dsb(ish);
	/* Combined stage-1+2 entries are not tagged by IPA: drop this VMID's. */
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
}

void s2_tlb_flush_vmid(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	isb();
}

void arch_stage2_flush_tlb(const struct stage2 *s2)
{
	uint64_t vttbr = read_sysreg(vttbr_el2);

	/*
	 * TLBI by VMID takes VTTBR_EL2's: borrow it. EL2 runs with interrupts
	 * masked, so no guest entry comes in between.
	 */
	dsb(ishst);
	write_sysreg(vttbr_el2, (uint64_t)s2->root | ((uint64_t)s2->vmid << 48));
	isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, vttbr);
	isb();
}

void s2_publish(void)
{
	dsb(ishst);
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
