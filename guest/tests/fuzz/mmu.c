// SPDX-License-Identifier: MIT
/*
 * The fuzzer's stage 1 (fuzz.h has the map): one level-1 table of 1 GiB entries,
 * two level-2 tables of 2 MiB blocks for RAM (EL1's view and EL0's), built once
 * by vCPU 0 and turned on by every vCPU.
 */
#include "fuzz.h"

#define DESC_BLOCK  1UL
#define DESC_TABLE  3UL
#define ATTR_NORMAL (0UL << 2)
#define ATTR_DEVICE (1UL << 2)
#define AP_EL1	    (0UL << 6) /* EL1 read/write, EL0 nothing */
#define AP_EL0	    (1UL << 6) /* EL1 and EL0 read/write */
#define AP_RO	    (3UL << 6) /* read-only at both */
#define SH_INNER    (3UL << 8)
#define AF	    (1UL << 10)
#define PXN	    (1UL << 53)
#define UXN	    (1UL << 54)
#define XN	    (PXN | UXN)

#define SCTLR_M	   (1UL << 0)
#define SCTLR_C	   (1UL << 2)
#define SCTLR_UMA  (1UL << 9) /* EL0 may touch DAIF */
#define SCTLR_I	   (1UL << 12)
#define SCTLR_DZE  (1UL << 14) /* EL0 may use DC ZVA */
#define SCTLR_UCT  (1UL << 15) /* EL0 may read CTR_EL0 */
#define SCTLR_NTWI (1UL << 16) /* EL0's WFI goes to EL2, not to us */
#define SCTLR_NTWE (1UL << 18)
#define SCTLR_UCI  (1UL << 26) /* EL0 may clean and invalidate by VA */

static uint64_t l1[512] __attribute__((aligned(PAGE)));
static uint64_t ram_l2[512] __attribute__((aligned(PAGE)));
static uint64_t el0_l2[512] __attribute__((aligned(PAGE)));
static uint64_t tcr;

static uint64_t normal(uint64_t pa, uint64_t ap, uint64_t xn)
{
	return pa | DESC_BLOCK | ATTR_NORMAL | SH_INNER | AF | ap | xn;
}

/* EL1's view of RAM and of the IPAs above it: the image and its own code executable. */
static uint64_t el1_block(unsigned int i)
{
	uint64_t pa = GUEST_RAM_BASE + (uint64_t)i * BLOCK;

	if (pa == HOLE)
		return 0;
	if (pa == GUEST_RAM_BASE || pa == EL1_CODE)
		return normal(pa, AP_EL1, UXN);
	return normal(pa, AP_EL1, XN);
}

/* EL0's view: its code read-only and executable, the rest read/write, nothing of EL1's. */
static uint64_t el0_block(unsigned int i)
{
	uint64_t pa = GUEST_RAM_BASE + (uint64_t)i * BLOCK;

	if (pa < EL0_CODE || pa == HOLE)
		return 0;
	if (pa == EL0_CODE)
		return normal(pa, AP_RO, PXN);
	return normal(pa, AP_EL0, XN);
}

void fuzz_mmu_build(void)
{
	uint64_t top = 1UL << feat.pa_bits;

	for (unsigned int i = 0; i < 512; i++) {
		ram_l2[i] = el1_block(i);
		el0_l2[i] = el0_block(i);
	}
	l1[0] = DESC_BLOCK | ATTR_DEVICE | AF | AP_EL0 | XN; /* PA 0 */
	l1[1] = (uint64_t)ram_l2 | DESC_TABLE;
	l1[2] = normal(0, AP_EL0, XN);
	l1[3] = (uint64_t)el0_l2 | DESC_TABLE;
	l1[4] = normal(4UL << 30, AP_EL0, XN);
	l1[5] = normal(top - (1UL << 30), AP_EL0, XN);
	l1[6] = normal(top >> 1, AP_EL0, XN);
	/* Past the IPA space where the stage-1 output size allows it, else its last GiB. */
	l1[7] = normal(feat.pa_bits < 48 ? top : top - (1UL << 30), AP_EL0, XN);
	/* 39-bit VAs both halves (TTBR1 off until a walk), cacheable walks, 4 KiB. */
	tcr = 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (25UL << 16) | (1UL << 23) |
	      (1UL << 24) | (1UL << 26) | (3UL << 28) | (2UL << 30);
	tcr |= (uint64_t)(feat.pa_bits >= 48 ? 5 : feat.pa_bits >= 44 ? 4 : 2) << 32;
}

void fuzz_mmu_enable(void)
{
	write_sysreg(mair_el1, 0xffUL | (0x04UL << 8));
	write_sysreg(tcr_el1, tcr);
	write_sysreg(ttbr0_el1, (uint64_t)l1);
	write_sysreg(cpacr_el1, 3UL << 20); /* FP/SIMD: the snippets load and store q registers */
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_UMA |
					SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE |
					SCTLR_UCI);
	isb();
}

void walk_on(uint64_t table)
{
	write_sysreg(ttbr1_el1, table);
	write_sysreg(tcr_el1, tcr & ~(1UL << 23));
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
}

void walk_off(void)
{
	write_sysreg(tcr_el1, tcr);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
}
