// SPDX-License-Identifier: MIT
/*
 * HVC round-trip benchmark: counter ticks around N PSCI_VERSION calls and around
 * the same loop with the call replaced by a nop (the same instructions otherwise).
 * Under QEMU -icount shift=0 the ticks convert to instructions (bench/run.py does that).
 */
#include "libguest.h"

#define N 100000U

void main_test(void)
{
	uint64_t hvc = bench_hvc_loop(N);
	uint64_t empty = bench_nop_loop(N);

	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: hvc_roundtrip ticks=%lu iterations=%u\n", (unsigned long)hvc, N);
	printf("bench: empty_loop ticks=%lu iterations=%u\n", (unsigned long)empty, N);
	report(hvc > empty, "an HVC round trip costs more than a nop");
}
