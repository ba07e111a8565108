// SPDX-License-Identifier: MIT
/* Loops shared by the benchmark guests (bench/run.py reads what they print). */
#include "libguest.h"

uint64_t bench_hvc_loop(unsigned int n)
{
	uint64_t t0 = read_vcounter();

	for (unsigned int i = 0; i < n; i++) {
		register uint64_t x0 __asm__("x0") = PSCI_VERSION;

		__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	}
	return read_vcounter() - t0;
}
