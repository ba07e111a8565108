// SPDX-License-Identifier: MIT
/*
 * SVE state belongs to the vCPU: on a CPU with SVE the guest sets p0-p15 and
 * FFR to patterns of its own, yields the CPU many times (yield_cpu(): WFI with a timer) and
 * checks them. The system test runs two of these on one host CPU. Guests get a
 * 128-bit vector length (docs/scheduling.md).
 */
#include "libguest.h"

#define YIELDS 2000

/* whilelo p<n>.b, xzr, <count>: the first count byte lanes active. */
#define SET(n)	 "add x9, %0, #" #n "\n and x9, x9, #15\n whilelo p" #n ".b, xzr, x9\n"
#define STORE(n) "str p" #n ", [%0, #" #n ", mul vl]\n"

static void fill(uint64_t seed)
{
	__asm__ volatile(".arch_extension sve\n" SET(0) SET(1) SET(2) SET(3) SET(4) SET(5) SET(6)
				 SET(7) SET(8) SET(9) SET(10) SET(11) SET(12) SET(13) SET(14)
					 SET(15) "wrffr p3.b\n"
			 :
			 : "r"(seed)
			 : "x9", "cc");
}

static void dump(uint16_t *p)
{
	__asm__ volatile(".arch_extension sve\n" STORE(0) STORE(1) STORE(2) STORE(3) STORE(4)
				 STORE(5) STORE(6) STORE(7) STORE(8) STORE(9) STORE(10) STORE(11)
					 STORE(12) STORE(13) STORE(14) STORE(15)
			 :
			 : "r"(p)
			 : "memory");
}

/* FFR, read through p0 (which is set again afterwards). */
static uint16_t ffr(uint64_t seed)
{
	uint16_t v;

	__asm__ volatile(".arch_extension sve\n rdffr p0.b\n str p0, [%1]\n" SET(0)
			 :
			 : "r"(seed), "r"(&v)
			 : "x9", "cc", "memory");
	return v;
}

static unsigned int mismatches(uint64_t seed)
{
	uint16_t p[16];
	unsigned int bad = 0;

	dump(p);
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int lanes = (unsigned int)((seed + i) & 15);

		bad += p[i] != (uint16_t)((1U << lanes) - 1);
	}
	/* FFR was written from p3's pattern. */
	bad += ffr(seed) != p[3];
	return bad;
}

static uint64_t vl_bytes(void)
{
	uint64_t vl;

	__asm__ volatile(".arch_extension sve\n rdvl %0, #1" : "=r"(vl));
	return vl;
}

void main_test(void)
{
	uint64_t seed;
	unsigned int bad;

	report_info("test: sve");
	if (!((read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf)) {
		report_skip("the CPU has no SVE", "SVE registers are per vCPU");
		return;
	}
	write_sysreg(cpacr_el1, (3UL << 20) | (3UL << 16)); /* FPEN, ZEN: no traps */
	isb();
	report(vl_bytes() == 16, "vector length 128 bits (%lu bytes)", (unsigned long)vl_bytes());
	seed = bootarg_u64("seed", 0); /* the system test gives each VM its own */
	write_sysreg(S3_0_C1_C2_0, 0); /* ZCR_EL1.LEN: 128 bits, as Skiff allows anyway */
	fill(seed);
	report(mismatches(seed) == 0, "p0-p15 and FFR hold the pattern just written");
	for (unsigned int i = 0; i < YIELDS; i++)
		yield_cpu();
	bad = mismatches(seed);
	report(bad == 0, "p0-p15 and FFR unchanged after %u yields to other vCPUs (%u differ)",
	       YIELDS, bad);
}
