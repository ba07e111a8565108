// SPDX-License-Identifier: MIT
/*
 * Prints the guest's time in whole seconds each time it passes one, read from
 * the physical counter with "phys=1" in bootargs (a VM with a counter
 * frequency of its own, where every read is emulated) or else the virtual
 * counter. The host-clock test pauses the host and checks that the guest's
 * seconds still follow the wall clock afterwards (docs/time.md). Runs forever:
 * reading the counter all the time, or with "idle=1" waiting in WFI for its
 * virtual timer between seconds (a VM that keeps running but leaves its host
 * CPU alone: the link tests' two hosts share the machine).
 */
#include "libguest.h"

static uint64_t count(bool phys)
{
	isb();
	return phys ? read_sysreg(cntpct_el0) : read_sysreg(cntvct_el0);
}

/* Waits in WFI until the virtual counter reaches @when (its interrupt ends the WFI). */
static void sleep_until(uint64_t when)
{
	static bool gic;

	if (!gic) {
		gic = gic_init() != 0;
		gic_enable_irq(INTID_VTIMER);
	}
	write_sysreg(cntv_cval_el0, when);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	while (!(read_sysreg(cntv_ctl_el0) & 4))
		__asm__ volatile("wfi");
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	gic_drain();
}

void main_test(void)
{
	bool idle = bootarg_u64("idle", 0) != 0;
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
		if (idle && !phys)
			sleep_until((secs + 1) * hz);
	}
}
