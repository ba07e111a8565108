// SPDX-License-Identifier: MIT
/*
 * Accesses the hypervisor traps but does not emulate arrive in the guest as UNDEF
 * (EC 0), at the faulting instruction, as they would on a CPU without the feature;
 * so does an HVC with an immediate other than 0 (the fuzzer found its UNDEF
 * returning past the HVC, whose trap reports the next instruction).
 * (The debug registers Skiff does emulate are checked by the debug guest.)
 */
#include "libguest.h"

static volatile unsigned int undefs;
static volatile uint64_t last_elr;

static void on_undef(struct pt_regs *regs)
{
	undefs++;
	last_elr = regs->elr;
	regs->elr += 4; /* skip the instruction */
}

/* Runs @insn (one instruction at label 1) and reports whether it gave one UNDEF there. */
#define EXPECT_UNDEF(insn, what)                                                             \
	do {                                                                                 \
		uint64_t at;                                                                 \
		unsigned int before = undefs;                                                \
		__asm__ volatile("adr %0, 1f\n" insn "\n1:" : "=&r"(at) : : "x0", "memory"); \
		report(undefs == before + 1 && last_elr == at - 4,                           \
		       "%s gives UNDEF at the "                                              \
		       "instruction",                                                        \
		       what);                                                                \
	} while (0)

void main_test(void)
{
	report_info("test: undef");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_undef);
	EXPECT_UNDEF("mrs x0, dbgclaimclr_el1",
		     "DBGCLAIMCLR_EL1 read (debug, trapped by MDCR_EL2.TDA)");
	EXPECT_UNDEF("mrs x0, dbgclaimclr_el1", "a second DBGCLAIMCLR_EL1 read");
	EXPECT_UNDEF("mrs x0, dbgclaimset_el1", "DBGCLAIMSET_EL1 read (debug, trapped)");
	EXPECT_UNDEF("mrs x0, mdrar_el1", "MDRAR_EL1 read (trapped by MDCR_EL2.TDRA)");
	/* IMPLEMENTATION DEFINED space (op0 3, CRn 15): trapped by HCR_EL2.TIDCP. */
	EXPECT_UNDEF("mrs x0, S3_0_C15_C15_7", "an IMPLEMENTATION DEFINED register");
	EXPECT_UNDEF("smc #0", "SMC (trapped by HCR_EL2.TSC, no secure firmware for guests)");
	/* SMCCC calls are HVC #0; an HVC trapped past itself must still fault at itself. */
	EXPECT_UNDEF("hvc #1", "HVC #1 (only HVC #0 is a call)");
	EXPECT_UNDEF("hvc #0xffff", "HVC #0xffff");
	report(psci_version() >= 0x10000, "the guest still runs normally afterwards");
}
