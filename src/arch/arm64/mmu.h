/* SPDX-License-Identifier: MIT */
/* The EL2 stage-1 identity map. */
#ifndef SKIFF_ARCH_ARM64_MMU_H
#define SKIFF_ARCH_ARM64_MMU_H

#include <stdint.h>

/* Values a secondary CPU loads before turning its MMU on (read by head.S). */
struct secondary_mmu {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr;
	uint64_t sctlr;
};

/*
 * Builds the boot identity map (Skiff's image and the device tree as normal
 * memory) and turns the MMU and caches on at the current exception level (1 or
 * 2; EL1 only so that the "not entered at EL2" error can be printed).
 */
void mmu_early_init(unsigned int el, uint64_t fdt, uint64_t fdt_size);

/* Adds identity mappings once the platform is known. Returns 0 or -1. */
int mmu_map_normal(uint64_t base, uint64_t size);
int mmu_map_device(uint64_t base, uint64_t size);

/* Physical address bits the CPU supports (ID_AA64MMFR0_EL1.PARange). */
unsigned int mmu_pa_bits(void);

#endif
