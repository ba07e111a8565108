// SPDX-License-Identifier: MIT
/*
 * Stage-2 tables taken and given back, round after round: the guest puts a
 * RET in every 2 MiB block of its RAM and calls it, so each block is first
 * mapped as a block for the store and then split into pages for the fetch (one
 * stage-2 table page per block), then it resets (PSCI SYSTEM_RESET), which
 * empties its stage 2, and starts again, "rounds=N" times, then powers off.
 *
 * The blocks are visited in a strided order, so the host hands out table pages
 * in an order unlike the order in which a reset walks the tables to free them:
 * the freed pages come back as many separate holes before they join up again.
 * An allocator that can lose such frees loses host memory at every round; the
 * system test compares the host's free memory Skiff logs at each reset.
 *
 * Needs "mib=N" in its bootargs, the VM's memory-size in MiB (at least 8). RAM
 * is kept across a reset, so the round count lives in RAM beyond the image.
 */
#include "libguest.h"

#define BLOCK	    (2UL << 20)
#define CODE_OFFSET (1UL << 20) /* clear of the device tree at a block's start */
#define ROUND_ADDR  (GUEST_RAM_BASE + BLOCK - 0x1000) /* past the image, stack and .bss */
#define ROUND_MAGIC 0x5d7a100000000000UL
#define STRIDE	    96 /* more holes at once than an allocator of 64 free ranges can hold */

static void call_block(uint64_t block)
{
	uintptr_t addr = GUEST_RAM_BASE + block * BLOCK + CODE_OFFSET;

	*(volatile uint32_t *)addr = INSN_RET;
	isb();
	((void (*)(void))addr)();
}

void main_test(void)
{
	volatile uint64_t *round = (volatile uint64_t *)ROUND_ADDR;
	uint64_t rounds = bootarg_u64("rounds", 4);
	uint64_t blocks = bootarg_u64("mib", 0) / 2;
	uint64_t done = (*round & ~0xffffUL) == ROUND_MAGIC ? *round & 0xffff : 0;
	struct smccc_res r;

	report_info("test: s2_drain, round %lu of %lu, %lu blocks", (unsigned long)done + 1,
		    (unsigned long)rounds, (unsigned long)blocks);
	if (blocks < 4) {
		report(false, "bootargs give the RAM size: mib=N (at least 8)");
		return;
	}
	/* Block 0 holds the image: every other block, strided. */
	for (uint64_t first = 1; first <= STRIDE; first++)
		for (uint64_t b = first; b < blocks; b += STRIDE)
			call_block(b);
	if (done + 1 < rounds) {
		*round = ROUND_MAGIC | (done + 1);
		smccc_hvc(PSCI_SYSTEM_RESET, 0, 0, 0, &r);
		report(false, "SYSTEM_RESET returned %ld", (long)r.a0);
		return;
	}
	*round = 0;
	report(true, "%lu rounds of %lu blocks mapped, split and reset", (unsigned long)rounds,
	       (unsigned long)blocks - 1);
}
