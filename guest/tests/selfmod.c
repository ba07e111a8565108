// SPDX-License-Identifier: MIT
/*
 * Self-modifying code without the guest's own cache maintenance: the guest
 * writes a function, runs it, rewrites it and runs it again, and must see the new
 * code each time. Skiff's W^X stage-2 handling makes that hold: the write takes
 * execute away from the page, the next fetch faults and Skiff cleans the D-cache
 * to PoU and invalidates the I-cache before mapping it executable again. The
 * system test checks Skiff's W^X counters for these transitions.
 */
#include "libguest.h"

#define ROUNDS 4

/* A page of its own, so no other code or data shares its W^X state. */
static uint32_t code[1024] __attribute__((aligned(4096)));

static unsigned int write_and_run(unsigned int value)
{
	volatile uint32_t *insn = code;

	insn[0] = INSN_MOV_W0(value);
	insn[1] = INSN_RET;
	/* Only what any program must do before running new code: a context synchronisation. */
	isb();
	return ((unsigned int (*)(void))code)();
}

static void rounds(const char *how)
{
	for (unsigned int i = 1; i <= ROUNDS; i++) {
		unsigned int v = 0x100 * i + 7;
		unsigned int got = write_and_run(v);

		report(got == v, "%s: round %u runs the code just written (0x%x, got 0x%x)", how, i,
		       v, got);
	}
}

void main_test(void)
{
	report_info("test: selfmod");
	rounds("MMU off");
	mmu_enable_identity();
	rounds("MMU and caches on");
}
