// SPDX-License-Identifier: MIT
/*
 * Prints "bytes=N" bytes (bootargs, default 1 MiB; 0: forever) of numbered
 * 64-byte lines as fast as its UART takes them, then "flood: done" and waits,
 * or with "off=1" powers off. For the console tests and benchmarks.
 */
#include "libguest.h"

void main_test(void)
{
	uint64_t bytes = bootarg_u64("bytes", 1 << 20);

	for (uint64_t i = 0; !bytes || i < bytes / 64; i++)
		printf("flood %08lu abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL\n",
		       (unsigned long)i);
	printf("flood: done\n");
	if (bootarg_u64("off", 0))
		psci_system_off();
	for (;;)
		__asm__ volatile("wfi");
}
