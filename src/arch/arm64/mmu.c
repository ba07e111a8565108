// SPDX-License-Identifier: MIT
#include "arch/arm64/mmu.h"
#include "arch/arm64/pgtable.h"
#include "arch/arm64/sysreg.h"

/* Tables for the EL2 identity map: they live in .bss, before any allocator exists. */
#define MMU_POOL_PAGES 64

static uint64_t mmu_pool[MMU_POOL_PAGES][PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
static unsigned int mmu_pool_used;
static struct pgtable el2_pt;
static unsigned int mmu_el;
struct secondary_mmu secondary_mmu __attribute__((aligned(64)));

extern char _text[], _end[];

static const unsigned int parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

unsigned int mmu_pa_bits(void)
{
	uint64_t pa = ID_AA64MMFR0_PARANGE(read_sysreg(ID_AA64MMFR0_EL1));

	return pa < 7 ? parange_bits[pa] : 48;
}

static void *pool_alloc(void *ctx)
{
	(void)ctx;
	if (mmu_pool_used >= MMU_POOL_PAGES)
		return 0;
	/* .bss is zero already. */
	return mmu_pool[mmu_pool_used++];
}

static uint64_t tcr_value(unsigned int va_bits, uint64_t parange)
{
	/* Inner/outer write-back cacheable, inner-shareable walks, 4 KiB granule. */
	uint64_t tcr = (64 - va_bits) | (1UL << 8) | (1UL << 10) | (3UL << 12);

	if (mmu_el == 2)
		return tcr | (parange << 16) | BIT(23) | BIT(31); /* PS, RES1 bits */
	return tcr | (parange << 32) | BIT(23);			  /* IPS, EPD1 */
}

static void tlb_flush_all(void)
{
	dsb(ishst);
	if (mmu_el == 2)
		__asm__ volatile("tlbi alle2is" ::: "memory");
	else
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
}

static void clean_to_poc(const void *p, uint64_t size)
{
	uint64_t line = 4UL << CTR_DMINLINE(read_sysreg(ctr_el0));
	uint64_t a = (uint64_t)p & ~(line - 1);

	for (; a < (uint64_t)p + size; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

static uint64_t normal_attrs(void)
{
	return S1_ATTR_IDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AF;
}

int mmu_map_normal(uint64_t base, uint64_t size)
{
	uint64_t end = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int ret;

	base &= ~(PAGE_SIZE - 1);
	ret = pgtable_map(&el2_pt, base, base, end - base, normal_attrs());
	tlb_flush_all();
	return ret;
}

int mmu_map_device(uint64_t base, uint64_t size)
{
	uint64_t end = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int ret;

	base &= ~(PAGE_SIZE - 1);
	ret = pgtable_map(&el2_pt, base, base, end - base,
			  S1_ATTR_IDX(MAIR_IDX_DEVICE) | PTE_AF | S1_XN | S1_PXN);
	tlb_flush_all();
	return ret;
}

void mmu_early_init(unsigned int el, uint64_t fdt, uint64_t fdt_size)
{
	/* Attr0 normal write-back RW-allocate, Attr1 Device-nGnRE. */
	uint64_t mair = 0xffUL | (0x04UL << 8);
	uint64_t parange = ID_AA64MMFR0_PARANGE(read_sysreg(ID_AA64MMFR0_EL1));
	unsigned int va_bits = mmu_pa_bits() > 48 ? 48 : mmu_pa_bits();
	uint64_t sctlr;

	mmu_el = el;
	if (parange > 5)
		parange = 5;
	el2_pt.ia_bits = va_bits;
	/* cppcheck-suppress knownConditionTrueFalse ; PARange comes from a system register */
	el2_pt.start_level = va_bits > 39 ? 0 : 1;
	el2_pt.alloc = pool_alloc;
	el2_pt.root = pool_alloc(0);

	pgtable_map(&el2_pt, (uint64_t)_text, (uint64_t)_text,
		    ((uint64_t)_end - (uint64_t)_text + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
		    normal_attrs());
	if (fdt)
		mmu_map_normal(fdt, fdt_size);

	if (el == 2) {
		sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I;
		write_sysreg(mair_el2, mair);
		write_sysreg(tcr_el2, tcr_value(va_bits, parange));
		write_sysreg(ttbr0_el2, (uint64_t)el2_pt.root);
		isb();
		__asm__ volatile("tlbi alle2" ::: "memory");
		dsb(nsh);
		isb();
		write_sysreg(sctlr_el2, sctlr);
	} else {
		sctlr = SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I;
		write_sysreg(mair_el1, mair);
		write_sysreg(tcr_el1, tcr_value(va_bits, parange));
		write_sysreg(ttbr0_el1, (uint64_t)el2_pt.root);
		isb();
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		dsb(nsh);
		isb();
		write_sysreg(sctlr_el1, sctlr);
	}
	isb();
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(nsh);
	isb();

	secondary_mmu.mair = mair;
	secondary_mmu.tcr = tcr_value(va_bits, parange);
	secondary_mmu.ttbr = (uint64_t)el2_pt.root;
	secondary_mmu.sctlr = sctlr;
	clean_to_poc(&secondary_mmu, sizeof(secondary_mmu));
}
