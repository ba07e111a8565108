// SPDX-License-Identifier: MIT
#include "libguest.h"

void el0_exit(uint64_t value)
{
	register uint64_t x0 __asm__("x0") = value;

	__asm__ volatile("svc #0" : : "r"(x0) : "memory");
	__builtin_unreachable();
}
