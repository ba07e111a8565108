// SPDX-License-Identifier: MIT
/*
 * The debug registers trap to Skiff (so no VM reaches the host's debug hardware);
 * those an unmodified Linux touches are emulated: MDSCR_EL1 as per-vCPU state,
 * the OS lock, and breakpoints/watchpoints as RAZ/WI.
 */
#include "libguest.h"

static volatile unsigned int undefs;

static void on_undef(struct pt_regs *regs)
{
	undefs++;
	regs->elr += 4;
}

void main_test(void)
{
	uint64_t v;

	report_info("test: debug");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_undef);
	write_sysreg(mdscr_el1, (1UL << 15) | (1UL << 13) | (1UL << 6));
	v = read_sysreg(mdscr_el1);
	report(v == ((1UL << 15) | (1UL << 13)),
	       "MDSCR_EL1 keeps MDE and KDE, drops bits an external debugger owns (0x%lx)",
	       (unsigned long)v);
	write_sysreg(mdscr_el1, 0);
	report(read_sysreg(mdscr_el1) == 0, "MDSCR_EL1 cleared");
	write_sysreg(oslar_el1, 1);
	v = read_sysreg(oslsr_el1);
	report(v == 0xa, "OSLAR_EL1=1 locks: OSLSR_EL1 is 0x%lx (OSLM 0b10, OSLK)",
	       (unsigned long)v);
	write_sysreg(oslar_el1, 0);
	report(read_sysreg(oslsr_el1) == 0x8, "OSLAR_EL1=0 unlocks");
	write_sysreg(osdlr_el1, 1);
	report(read_sysreg(osdlr_el1) == 0, "OSDLR_EL1 is RAZ/WI");
	write_sysreg(dbgbvr0_el1, 0x40001000);
	write_sysreg(dbgbcr0_el1, 0x1e7);
	write_sysreg(dbgwvr1_el1, 0x40002000);
	report(read_sysreg(dbgbvr0_el1) == 0 && read_sysreg(dbgbcr0_el1) == 0 &&
		       read_sysreg(dbgwvr1_el1) == 0 && read_sysreg(dbgwcr1_el1) == 0,
	       "breakpoint and watchpoint registers are RAZ/WI");
	write_sysreg(pmuserenr_el0, 0xf);
	report(read_sysreg(pmuserenr_el0) == 0, "PMUSERENR_EL0 is RAZ/WI (no PMU offered)");
	write_sysreg(pmcr_el0, 0x41);
	write_sysreg(pmcntenset_el0, 1UL << 31);
	write_sysreg(pmintenset_el1, 1);
	write_sysreg(pmevtyper3_el0, 0x11);
	report(read_sysreg(pmcr_el0) == 0 && read_sysreg(pmccntr_el0) == 0 &&
		       read_sysreg(pmceid0_el0) == 0 && read_sysreg(pmcntenset_el0) == 0 &&
		       read_sysreg(pmintenset_el1) == 0 && read_sysreg(pmevcntr3_el0) == 0 &&
		       read_sysreg(pmccfiltr_el0) == 0,
	       "the PMU has no counters: its registers are RAZ/WI (PMCR_EL0.N = 0)");
	report(undefs == 0, "none of these raised UNDEF");
}
