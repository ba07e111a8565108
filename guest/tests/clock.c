// SPDX-License-Identifier: MIT
/*
 * Prints the guest's time in whole seconds each time it passes one, read from
 * the physical counter with "phys=1" in bootargs (a VM with a counter
 * frequency of its own, where every read is emulated) or else the virtual
 * counter. The host-clock test pauses the host and checks that the guest's
 * seconds still follow the wall clock afterwards (docs/time.md). Runs forever.
 */
#include "libguest.h"

static uint64_t count(bool phys)
{
	isb();
	return phys ? read_sysreg(cntpct_el0) : read_sysreg(cntvct_el0);
}

void main_test(void)
{
	bool phys = bootarg_u64("phys", 0) != 0;
	uint64_t hz = read_sysreg(cntfrq_el0), last = UINT64_MAX, previous = 0;

	report_info("clock: %s counter at %lu Hz", phys ? "physical" : "virtual",
		    (unsigned long)hz);
	for (;;) {
		uint64_t now = count(phys), secs = now / hz;

		if (now < previous)
			report(false, "the counter went back from %lu to %lu",
			       (unsigned long)previous, (unsigned long)now);
		previous = now;
		if (secs != last)
			printf("clock: %lu s\n", (unsigned long)secs);
		last = secs;
	}
}
