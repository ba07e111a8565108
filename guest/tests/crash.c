// SPDX-License-Identifier: MIT
/*
 * Used by the system tests to check that a faulting VM is stopped cleanly: it
 * jumps to an IPA that is neither RAM nor a device, with its vectors there too, so
 * it cannot recover. It never reaches SYSTEM_OFF.
 */
#include "libguest.h"

#define NOWHERE 0x7f000000UL

void main_test(void)
{
	report_info("test: crash");
	report_info("about to jump to an unmapped address");
	write_sysreg(vbar_el1, NOWHERE);
	isb();
	((void (*)(void))NOWHERE)();
	report(false, "survived a jump to nowhere");
}
