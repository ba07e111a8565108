// SPDX-License-Identifier: MIT
/*
 * FP/SIMD registers belong to the vCPU: the guest fills d0-d31 with its own
 * pattern, gives the CPU away many times (yield_cpu(): a WFI that Skiff traps,
 * running the other vCPUs on this host CPU meanwhile) and checks that every register kept
 * its value. The system test runs two of these on one host CPU. Then it runs code it
 * wrote into a 2 MiB block it had only written so far: Skiff splits the block to
 * make one page executable, allocating a page table at EL2 while this vCPU's
 * registers are live in the CPU, and they must come back unchanged from that too.
 */
#include "libguest.h"

#define YIELDS 2000
/* In the VM's second 2 MiB block (4 MiB of RAM), below its device tree at the end. */
#define FRESH_CODE (GUEST_RAM_BASE + (2UL << 20) + (64UL << 10))

#define SET(n) "fmov d" #n ", %0\n add %0, %0, #1\n"
#define GET(n) "fmov x9, d" #n "\n cmp x9, %1\n cinc %0, %0, ne\n add %1, %1, #1\n"

static void fill(uint64_t seed)
{
	__asm__ volatile(SET(0) SET(1) SET(2) SET(3) SET(4) SET(5) SET(6) SET(7) SET(8) SET(9)
				 SET(10) SET(11) SET(12) SET(13) SET(14) SET(15) SET(16) SET(17)
					 SET(18) SET(19) SET(20) SET(21) SET(22) SET(23) SET(24)
						 SET(25) SET(26) SET(27) SET(28) SET(29) SET(30)
							 SET(31)
			 : "+r"(seed));
}

static unsigned int mismatches(uint64_t seed)
{
	uint64_t bad = 0;

	__asm__ volatile(GET(0) GET(1) GET(2) GET(3) GET(4) GET(5) GET(6) GET(7) GET(8) GET(9)
				 GET(10) GET(11) GET(12) GET(13) GET(14) GET(15) GET(16) GET(17)
					 GET(18) GET(19) GET(20) GET(21) GET(22) GET(23) GET(24)
						 GET(25) GET(26) GET(27) GET(28) GET(29) GET(30)
							 GET(31)
			 : "+r"(bad), "+r"(seed)
			 :
			 : "x9", "cc");
	return (unsigned int)bad;
}

/* Writes and runs "mov w0, #0x5a; ret" at FRESH_CODE (MMU off: fetches need no mapping). */
static unsigned int run_fresh_code(void)
{
	volatile uint32_t *insn = (volatile uint32_t *)FRESH_CODE;

	insn[0] = INSN_MOV_W0(0x5a);
	insn[1] = INSN_RET;
	isb();
	return ((unsigned int (*)(void))FRESH_CODE)();
}

void main_test(void)
{
	uint64_t seed;
	unsigned int bad;

	report_info("test: fpu");
	write_sysreg(cpacr_el1, 3UL << 20); /* FPEN: no FP/SIMD traps at EL1/EL0 */
	isb();
	seed = bootarg_u64("seed", 0) << 8; /* the system test gives each VM its own */
	fill(seed);
	report(mismatches(seed) == 0, "d0-d31 hold the pattern just written");
	for (unsigned int i = 0; i < YIELDS; i++)
		yield_cpu();
	bad = mismatches(seed);
	report(bad == 0, "d0-d31 unchanged after %u yields to other vCPUs (%u differ)", YIELDS,
	       bad);
	report(run_fresh_code() == 0x5a, "code written into a fresh block runs");
	bad = mismatches(seed);
	report(bad == 0, "d0-d31 unchanged after Skiff split a block to run it (%u differ)", bad);
}
