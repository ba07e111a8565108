// SPDX-License-Identifier: MIT
/* Debian's libfdt.a is built with the stack protector: give it a canary and a hook. */
#include "libguest.h"

unsigned long __stack_chk_guard = 0x600df00dcafe1234UL;

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	report(false, "stack protector: stack corruption detected in libfdt");
	report_summary();
	psci_system_off();
}
