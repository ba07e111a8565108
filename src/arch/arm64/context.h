/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's register state. The layout of struct cpu_context is used by
 * vectors.S (x0 at 0, pc at 248, pstate at 256): keep them in step.
 */
#ifndef SKIFF_ARCH_ARM64_CONTEXT_H
#define SKIFF_ARCH_ARM64_CONTEXT_H

#include <stdint.h>

struct cpu_context {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
};

_Static_assert(__builtin_offsetof(struct cpu_context, pc) == 248, "vectors.S CTX_PC");

/* EL1 system registers, saved while the vCPU is not loaded on a CPU. */
struct el1_sysregs {
	uint64_t sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, mair, amair, vbar;
	uint64_t esr, far, afsr0, afsr1, par, contextidr, tpidr, tpidr_el0, tpidrro_el0;
	uint64_t sp_el0, sp_el1, elr, spsr, cntkctl, csselr, mdscr;
	uint64_t tpidr2_el0;	 /* FEAT_SME CPUs */
	uint64_t pauth_keys[10]; /* APIA, APIB, APDA, APDB, APGA: lo, hi */
	uint64_t disr;		 /* DISR_EL1 as the guest sees it: VDISR_EL2 (FEAT_RAS) */
};

/* FP/SIMD registers (layout used by fpsimd.S). */
struct fpsimd_state {
	uint64_t q[32][2];
	uint64_t fpsr;
	uint64_t fpcr;
	/*
	 * SVE, on CPUs that have it: guests run with a 128-bit vector length
	 * (ZCR_EL2.LEN = 0), so z0-z31 are q0-q31 and what is left is p0-p15 and
	 * FFR (16 bits each, sve.S) and ZCR_EL1.
	 */
	uint16_t p[17]; /* p0-p15, then FFR */
	uint64_t zcr;
} __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct fpsimd_state, fpsr) == 512, "fpsimd.S layout");

/* Why the guest last stopped running, as the hardware reported it. */
struct exit_info {
	unsigned int kind; /* EXIT_* from exit.h */
	uint64_t esr;
	uint64_t far;
	uint64_t hpfar; /* of a stage-2 abort: valid, or EXIT_HPFAR_UNKNOWN */
};

/* exit_info.hpfar of an abort whose IPA could not be found: the guest retries the access. */
#define EXIT_HPFAR_UNKNOWN UINT64_MAX

#endif
