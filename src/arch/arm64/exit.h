/* SPDX-License-Identifier: MIT */
/* Exit kinds returned by guest_enter, and EL2 fault kinds; shared with assembly. */
#ifndef SKIFF_ARCH_ARM64_EXIT_H
#define SKIFF_ARCH_ARM64_EXIT_H

/* 0 is no exit: guest_sync_exit() tells vectors.S to re-enter the guest. */
#define EXIT_SYNC   1
#define EXIT_IRQ    2
#define EXIT_FIQ    3
#define EXIT_SERROR 4
/* A synchronous exit already served where it was taken (core/sched.h, sched_serve_inline). */
#define EXIT_SERVED 5

/*
 * ESR_EL2 of a trapped "mrs xzr, mdccsr_el0" (EC 0x18, IL, op0 2, op1 3, CRn 0,
 * CRm 1, op2 0, Rt 31, read): the backdoor's instruction, which vectors.S
 * serves on a fast path (vcpu.c checks the value against esr.h).
 */
#define ESR_MRS_XZR_MDCCSR 0x6220c3e3

/*
 * ESR_EL2 of "hvc #0" from AArch64 EL1 (EC 0x16, IL, immediate 0): an SMCCC
 * call, whose queries vectors.S serves on the same kind of fast path.
 */
#define ESR_HVC64_IMM0 0x5a000000

/*
 * ESR_EL2.EC (bits 31:26) of a trapped AArch64 system-register access and of a
 * data abort from a lower EL: vectors.S offers those to fast paths as well (a
 * counter read, an access to an emulated device).
 */
#define ESR_EC_POS	26
#define ESR_EC_SYSREG64 0x18
#define ESR_EC_DABT_LOW 0x24

/*
 * PSTATE.BTYPE (FEAT_BTI; RES0 without it) in an AArch64 SPSR: cleared when Skiff
 * steps over an instruction it performed, in the vector and in vcpu.c.
 */
#define PSR_BTYPE_MASK (3 << 10)

#define EL2_FAULT_SP0	 0
#define EL2_FAULT_SYNC	 1
#define EL2_FAULT_IRQ	 2
#define EL2_FAULT_FIQ	 3
#define EL2_FAULT_SERROR 4

#endif
