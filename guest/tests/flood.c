// SPDX-License-Identifier: MIT
/*
 * Prints "bytes=N" bytes (bootargs, default 1 MiB) of numbered 64-byte lines
 * as fast as its UART takes them, then "flood: done" and spins. For the
 * console test that the shell still answers while a guest floods.
 */
#include "libguest.h"

void main_test(void)
{
	uint64_t bytes = bootarg_u64("bytes", 1 << 20);

	for (uint64_t i = 0; i < bytes / 64; i++)
		printf("flood %08lu abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL\n",
		       (unsigned long)i);
	printf("flood: done\n");
	for (;;)
		__asm__ volatile("wfi");
}
