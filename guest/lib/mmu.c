// SPDX-License-Identifier: MIT
/*
 * A minimal EL1 stage-1 MMU: 4 KiB granule, 39-bit VAs starting at level 1,
 * identity map of the first 1 GiB of RAM (normal, 2 MiB blocks) and of the UART's
 * 2 MiB block (device), plus single pages a test maps on demand.
 */
#include "libguest.h"

#define PAGE	     4096UL
#define POOL_PAGES   8
#define DESC_VALID   1UL
#define DESC_TABLE   3UL
#define DESC_PAGE    3UL
#define DESC_AF	     (1UL << 10)
#define DESC_SH_IN   (3UL << 8)
#define ATTR_NORMAL  (0UL << 2)
#define ATTR_DEVICE  (1UL << 2)
#define BLOCK_NORMAL (DESC_VALID | DESC_AF | DESC_SH_IN | ATTR_NORMAL)
#define BLOCK_DEVICE (DESC_VALID | DESC_AF | ATTR_DEVICE | (1UL << 54))

static uint64_t pool[POOL_PAGES][PAGE / 8] __attribute__((aligned(PAGE)));
static unsigned int pool_used;
static uint64_t *l1;

static uint64_t *alloc_table(void)
{
	return pool_used < POOL_PAGES ? pool[pool_used++] : 0;
}

static uint64_t *table_of(uint64_t *entry)
{
	if (!(*entry & DESC_VALID)) {
		uint64_t *t = alloc_table();

		*entry = (uint64_t)t | DESC_TABLE;
	}
	return (uint64_t *)(*entry & 0x0000fffffffff000UL);
}

void mmu_map_page(uint64_t va, uint64_t pa)
{
	uint64_t *l2 = table_of(&l1[(va >> 30) & 511]);
	uint64_t *l3 = table_of(&l2[(va >> 21) & 511]);

	l3[(va >> 12) & 511] = pa | DESC_PAGE | DESC_AF | DESC_SH_IN | ATTR_NORMAL;
	dsb(ishst);
	__asm__ volatile("tlbi vaae1is, %0" : : "r"(va >> 12) : "memory");
	dsb(ish);
	isb();
}

void mmu_enable_identity(void)
{
	uint64_t *ram, *dev;
	unsigned int i;

	l1 = alloc_table();
	ram = table_of(&l1[GUEST_RAM_BASE >> 30]);
	for (i = 0; i < 512; i++)
		ram[i] = (GUEST_RAM_BASE + ((uint64_t)i << 21)) | BLOCK_NORMAL;
	dev = table_of(&l1[GUEST_UART_BASE >> 30]);
	dev[(GUEST_UART_BASE >> 21) & 511] = (GUEST_UART_BASE & ~((1UL << 21) - 1)) | BLOCK_DEVICE;

	/* Attr0 normal write-back, Attr1 Device-nGnRE. */
	write_sysreg(mair_el1, 0xffUL | (0x04UL << 8));
	/* T0SZ 25 (39-bit VA), WB walks, inner shareable, 4 KiB, EPD1, IPS 40 bits. */
	write_sysreg(tcr_el1,
		     25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 23) | (2UL << 32));
	write_sysreg(ttbr0_el1, (uint64_t)l1);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
	/* M, C, I. */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1UL | (1UL << 2) | (1UL << 12));
	isb();
}
