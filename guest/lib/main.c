// SPDX-License-Identifier: MIT
/* Framework start-up: run the test, print the TAP plan, power off. */
#include "libguest.h"

void guest_main(void);

uint64_t boot_x0 __attribute__((section(".data")));

void guest_main(void)
{
	main_test();
	report_summary();
	psci_system_off();
}
