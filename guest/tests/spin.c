// SPDX-License-Identifier: MIT
/* Spins forever without ever trapping: for scheduler and panic tests. */
#include "libguest.h"

void main_test(void)
{
	report_info("spinning");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
