// SPDX-License-Identifier: MIT
/*
 * HVC round-trip benchmark: counter ticks around N PSCI_VERSION calls and around
 * the same loop with the call replaced by a nop. Under QEMU -icount shift=0 the
 * ticks convert to instructions (bench/run.py does that).
 */
#include "libguest.h"

#define N 100000U

static uint64_t empty_loop(void)
{
	uint64_t t0 = read_vcounter();

	for (unsigned int i = 0; i < N; i++) {
		register uint64_t x0 __asm__("x0") = PSCI_VERSION;

		__asm__ volatile("nop" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	}
	return read_vcounter() - t0;
}

void main_test(void)
{
	uint64_t hvc = bench_hvc_loop(N);
	uint64_t empty = empty_loop();

	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: hvc_roundtrip ticks=%lu iterations=%u\n", (unsigned long)hvc, N);
	printf("bench: empty_loop ticks=%lu iterations=%u\n", (unsigned long)empty, N);
	report(hvc > empty, "an HVC round trip costs more than a nop");
}
