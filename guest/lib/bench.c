// SPDX-License-Identifier: MIT
/* Loops shared by the benchmark guests (bench/run.py reads what they print). */
#include "libguest.h"

/*
 * Every timed loop is this one: x0 loaded with PSCI_VERSION, the measured instruction,
 * a count down to zero. Only @insn differs between a loop and its baseline, so the
 * difference of their counts is the cost of that one instruction (@n > 0). x1 holds
 * @addr for the loads; x0-x3 are what an HVC may change.
 */
#define TIMED_LOOP(insn, n, addr)                                     \
	({                                                            \
		uint64_t __left = (n), __t0 = read_vcounter();        \
		register uint64_t __x1 __asm__("x1") = (addr);        \
		__asm__ volatile("1:	mov	x0, #0x84000000\n"           \
				 "	" insn "\n"                   \
				 "	subs	%[left], %[left], #1\n"       \
				 "	b.ne	1b"                           \
				 : [left] "+r"(__left), "+r"(__x1)    \
				 :                                    \
				 : "x0", "x2", "x3", "cc", "memory"); \
		read_vcounter() - __t0;                               \
	})

uint64_t bench_hvc_loop(unsigned int n)
{
	return TIMED_LOOP("hvc	#0", n, 0);
}

uint64_t bench_nop_loop(unsigned int n)
{
	return TIMED_LOOP("nop", n, 0);
}

uint64_t bench_read_loop(unsigned int n, uint64_t addr)
{
	return TIMED_LOOP("ldr	w2, [x1]", n, addr);
}
