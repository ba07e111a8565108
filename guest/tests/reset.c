// SPDX-License-Identifier: MIT
/*
 * PSCI SYSTEM_RESET: the first boot leaves a mark in RAM beyond the image and
 * resets; Skiff reloads the image and restarts vCPU 0 at the entry point, RAM
 * otherwise kept (as a warm reset keeps DRAM), so the second boot finds the mark.
 */
#include "libguest.h"

#define MARK_ADDR (GUEST_RAM_BASE + 0x300000) /* well past the image, stack and .bss */
#define MARK	  0x5e5e7e57UL

void main_test(void)
{
	volatile uint64_t *mark = (volatile uint64_t *)MARK_ADDR;
	struct smccc_res r;

	report_info("test: reset");
	if (*mark != MARK) {
		report_info("first boot: leaving a mark and calling SYSTEM_RESET");
		*mark = MARK;
		smccc_hvc(PSCI_SYSTEM_RESET, 0, 0, 0, &r);
		report(false, "SYSTEM_RESET returned %ld", (long)r.a0);
		return;
	}
	*mark = 0;
	report(true, "came back through the entry point after SYSTEM_RESET");
	report(((read_sysreg(CurrentEL) >> 2) & 3) == 1 && !(read_sysreg(sctlr_el1) & 1),
	       "restarted at EL1 with the MMU off");
}
