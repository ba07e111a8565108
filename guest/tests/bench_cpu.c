// SPDX-License-Identifier: MIT
/*
 * CPU-bound benchmark: a loop of integer work that never traps, timed with the
 * virtual counter (which follows the host's clock when QEMU runs without
 * -icount). bench/run.py runs it under Skiff and on bare QEMU and compares.
 */
#include "libguest.h"

#define N 400000000U

void main_test(void)
{
	uint64_t t0, t1, x = 0x9e3779b97f4a7c15UL;

	t0 = read_vcounter();
	for (unsigned int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	t1 = read_vcounter();
	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: cpu_loop ticks=%lu iterations=%u\n", (unsigned long)(t1 - t0), N);
	report(x != 0, "xorshift state 0x%lx", (unsigned long)x);
}
