/* SPDX-License-Identifier: MIT */
/*
 * Bit counting in general-purpose registers. GCC compiles __builtin_popcount*
 * for AArch64 into a call to libgcc's __popcountdi2, which counts in SIMD
 * register v0 even under -mgeneral-regs-only: at EL2 that is the guest's v0
 * while its vCPU is loaded (scripts/check-el2-fp.sh refuses such code).
 */
#ifndef SKIFF_LIB_BITS_H
#define SKIFF_LIB_BITS_H

#include <stdint.h>

/* The number of bits set in @x. */
static inline unsigned int popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555UL;
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (unsigned int)((x * 0x0101010101010101UL) >> 56);
}

#endif
