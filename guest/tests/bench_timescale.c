// SPDX-License-Identifier: MIT
/*
 * Time-scaling benchmarks (bench/run.py converts ticks to instructions under
 * -icount shift=0, with the host-rate virtual counter as the clock): N reads of
 * the trapped, scaled physical counter and N timer reprogrammings (TVAL
 * writes), beside the same loop reading the virtual counter (not trapped).
 */
#include "libguest.h"

#define N 20000U

void main_test(void)
{
	uint64_t t0, pct_loop, tval_loop, base_loop, sink = 0;

	t0 = read_vcounter();
	for (unsigned int i = 0; i < N; i++)
		sink += read_sysreg(cntpct_el0);
	pct_loop = read_vcounter() - t0;
	t0 = read_vcounter();
	for (unsigned int i = 0; i < N; i++)
		write_sysreg(cntp_tval_el0, 1000000 + i);
	tval_loop = read_vcounter() - t0;
	write_sysreg(cntp_ctl_el0, 0);
	t0 = read_vcounter();
	for (unsigned int i = 0; i < N; i++)
		sink += read_sysreg(cntvct_el0);
	base_loop = read_vcounter() - t0;
	/* The host's frequency: the virtual counter runs at it (CNTFRQ is the VM's). */
	printf("bench: cntfrq hz=%lu\n", (unsigned long)bootarg_u64("host", 0));
	printf("bench: scaled_counter_read ticks=%lu iterations=%u\n", (unsigned long)pct_loop, N);
	printf("bench: timer_reprogram ticks=%lu iterations=%u\n", (unsigned long)tval_loop, N);
	printf("bench: virtual_counter_read ticks=%lu iterations=%u\n", (unsigned long)base_loop,
	       N);
	report(sink != 0 && pct_loop > base_loop, "a trapped read costs more than a plain one");
}
