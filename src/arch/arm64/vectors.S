/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors, guest entry and guest exit.
 *
 * A guest runs between guest_enter, which saves the host's callee-saved
 * registers on the EL2 stack and erets, and an exception from a lower EL, which
 * saves every guest register into the vCPU's context (found through
 * TPIDR_EL2 -> struct percpu, first field) and returns from guest_enter with the
 * exit kind. A synchronous exit first asks C whether it can be served on the
 * spot (guest_sync_exit) and re-enters the guest from here if so.
 */
#include "arch/arm64/asm.h"
#include "arch/arm64/exit.h"

#define CTX_PC 248

/* x2-x17 of a struct cpu_context at \ctx (x[2] at offset 16). */
.macro save_x2_x17 ctx
	stp	x2, x3, [\ctx, #16]
	stp	x4, x5, [\ctx, #32]
	stp	x6, x7, [\ctx, #48]
	stp	x8, x9, [\ctx, #64]
	stp	x10, x11, [\ctx, #80]
	stp	x12, x13, [\ctx, #96]
	stp	x14, x15, [\ctx, #112]
	stp	x16, x17, [\ctx, #128]
.endm

.macro load_x2_x17 ctx
	ldp	x2, x3, [\ctx, #16]
	ldp	x4, x5, [\ctx, #32]
	ldp	x6, x7, [\ctx, #48]
	ldp	x8, x9, [\ctx, #64]
	ldp	x10, x11, [\ctx, #80]
	ldp	x12, x13, [\ctx, #96]
	ldp	x14, x15, [\ctx, #112]
	ldp	x16, x17, [\ctx, #128]
.endm

/* x19-x28, which a C call keeps: saved after it when the exit goes on. */
.macro save_x19_x28 ctx
	str	x19, [\ctx, #152]
	stp	x20, x21, [\ctx, #160]
	stp	x22, x23, [\ctx, #176]
	stp	x24, x25, [\ctx, #192]
	stp	x26, x27, [\ctx, #208]
	str	x28, [\ctx, #224]
.endm

.macro save_guest_and_exit kind
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0]
	save_x2_x17 x0
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #CTX_PC]
	mov	x0, #\kind
	b	guest_exit
.endm

/* An exception taken from EL2 itself: build a struct el2_frame and panic. */
.macro el2_fault kind
	sub	sp, sp, #(34 * 8)
	stp	x0, x1, [sp]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #(34 * 8)
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el2
	mrs	x2, spsr_el2
	stp	x1, x2, [sp, #256]
	mov	x0, sp
	mov	x1, #\kind
	bl	el2_exception
	b	.
.endm

.macro vector label
	.balign	0x80
	b	\label
.endm

	.text
	.balign	0x800
	.globl	el2_vectors
el2_vectors:
	vector	el2_sp0_any		/* current EL, SP_EL0 */
	vector	el2_sp0_any
	vector	el2_sp0_any
	vector	el2_sp0_any
	vector	el2_sync		/* current EL, SP_ELx */
	vector	el2_irq
	vector	el2_fiq
	vector	el2_serror
	vector	guest_sync		/* lower EL, AArch64 */
	vector	guest_irq
	vector	guest_fiq
	vector	guest_serror
	/*
	 * Lower EL, AArch32: never taken, since EL1 is AArch64 (traps from AArch32
	 * EL0 arrive at the AArch64 entries above: ARM ARM D1.10.2); kept sane.
	 */
	vector	guest_sync
	vector	guest_irq
	vector	guest_fiq
	vector	guest_serror

/*
 * The same table for CPUs whose firmware says their branch predictors need
 * invalidating (mitigations.c installs it): each entry from a guest first calls
 * the firmware's workaround (bp_harden_fid: SMCCC_ARCH_WORKAROUND_1 or _3), so
 * what the guest trained cannot steer EL2's indirect branches. SMCCC 1.1 keeps
 * x4-x17; x0-x3 are saved around the call. As KVM's hardened vectors do.
 */
.macro vector_harden label
	.balign	0x80
	stp	x0, x1, [sp, #-32]!
	stp	x2, x3, [sp, #16]
	adr_l	x0, bp_harden_fid
	ldr	w0, [x0]
	smc	#0
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp], #32
	b	\label
.endm

	.balign	0x800
	.globl	el2_vectors_harden
el2_vectors_harden:
	vector	el2_sp0_any
	vector	el2_sp0_any
	vector	el2_sp0_any
	vector	el2_sp0_any
	vector	el2_sync
	vector	el2_irq
	vector	el2_fiq
	vector	el2_serror
	vector_harden guest_sync
	vector_harden guest_irq
	vector_harden guest_fiq
	vector_harden guest_serror
	vector_harden guest_sync
	vector_harden guest_irq
	vector_harden guest_fiq
	vector_harden guest_serror

el2_sp0_any:
	el2_fault EL2_FAULT_SP0
/*
 * A synchronous exception at EL2 is fatal, unless a stage-1 walk of a guest's
 * tables took it (at.S): that walk then returns failure.
 */
el2_sync:
	stp	x0, x1, [sp, #-16]!
	mrs	x0, elr_el2
	adr_l	x1, at_walk
	cmp	x0, x1
	b.lo	1f
	adr_l	x1, at_walk_failed
	cmp	x0, x1
	b.hs	1f
	msr	elr_el2, x1
	ldp	x0, x1, [sp], #16
	eret
	dsb	nsh
	isb
1:	ldp	x0, x1, [sp], #16
	el2_fault EL2_FAULT_SYNC
el2_irq:
	el2_fault EL2_FAULT_IRQ
el2_fiq:
	el2_fault EL2_FAULT_FIQ
el2_serror:
	el2_fault EL2_FAULT_SERROR

/*
 * A synchronous exception from the guest. x0-x18, x29, x30, PC and PSTATE are
 * saved first: all the fast paths of the backdoor, of SMCCC queries, of
 * counter reads and of device accesses need.
 * Any other exception saves the rest and asks guest_sync_exit() to serve it on
 * the spot; the guest is re-entered from here when it did and the scheduler
 * has nothing to do first.
 */
guest_sync:
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0]
	save_x2_x17 x0
	str	x18, [x0, #144]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #CTX_PC]
	stp	x29, x30, [x0, #232]
	mov	x29, sp			/* a frame record of the host's, for backtraces */
	mrs	x1, esr_el2
	/* By class, the most frequent first: device accesses, system registers. */
	ubfx	x2, x1, #ESR_EC_POS, #6	/* EC alone: bits 36:32 may hold ISS2 */
	cmp	x2, #ESR_EC_DABT_LOW
	b.eq	dabt_fast
	cmp	x2, #ESR_EC_SYSREG64
	b.eq	sysreg_class
	mov	x2, #ESR_HVC64_IMM0
	cmp	x1, x2
	b.eq	hvc_fast
sync_exit:				/* x0: the context, x1: ESR_EL2 */
	save_x19_x28 x0
	bl	guest_sync_exit
	cbnz	x0, guest_exit
	mrs	x0, tpidr_el2
	ldr	x0, [x0]
	b	guest_resume

/* A trapped system-register access: the backdoor's own instruction, or another. */
sysreg_class:
	movz	x2, #(ESR_MRS_XZR_MDCCSR & 0xffff)
	movk	x2, #(ESR_MRS_XZR_MDCCSR >> 16), lsl #16
	cmp	x1, x2
	b.ne	sysreg_fast

/*
 * "mrs xzr, mdccsr_el0", the backdoor's instruction: guest_backdoor_fast()
 * serves it on the spot if it can. If it did, step over the instruction and
 * resume the guest; if not, the exit goes on as any other.
 */
backdoor_fast:
	bl	guest_backdoor_fast	/* x0: the context; x19-x28 are kept by the call */
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	tst	w0, #0xff		/* a bool: AAPCS64 leaves the bits above it unspecified */
	b.ne	step_resume_fast
	b	fast_declined

/*
 * "hvc #0": guest_hvc_fast() answers an SMCCC query on the spot if it is one
 * (ELR_EL2 already points past the HVC). If not, the exit goes on as any other.
 */
hvc_fast:
	bl	guest_hvc_fast		/* x0: the context; x19-x28 are kept by the call */
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	tst	w0, #0xff
	b.ne	resume_fast
	b	fast_declined

/*
 * A trapped system-register access: guest_sysreg_fast() serves a counter read on
 * the spot. If it did, step over the instruction and resume the guest; if not,
 * the exit goes on as any other.
 */
sysreg_fast:
	bl	guest_sysreg_fast	/* x0: the context, x1: ESR_EL2; x19-x28 are kept */
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	cbnz	w0, step_resume_fast	/* an int */
	b	fast_declined

/*
 * A data abort: guest_dabt_fast() serves an access to an emulated device
 * through a register saved so far. 0: it did; step over the access and resume
 * the guest. EXIT_SERVED: it did, and the scheduler has work first: the
 * context's PC goes past the access, the rest is saved and guest_enter()
 * returns. Else the exit goes on as any other.
 */
dabt_fast:
	bl	guest_dabt_fast		/* x0: the context, x1: ESR_EL2; x19-x28 are kept */
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	cbz	x0, step_resume_fast
	cmp	x0, #EXIT_SERVED
	b.ne	fast_declined
	ldp	x2, x3, [x1, #CTX_PC]
	add	x2, x2, #4
	and	x3, x3, #~PSR_BTYPE_MASK	/* as step_resume_fast does */
	stp	x2, x3, [x1, #CTX_PC]
	save_x19_x28 x1
	b	guest_exit

/* A fast path declined the exit of the context at x1: it goes on as any other. */
fast_declined:
	mov	x0, x1
	mrs	x1, esr_el2
	b	sync_exit

/*
 * Back into the guest whose context is at x1, of which only x0-x18, x29 and x30
 * were saved: past the trapped instruction (step_resume_fast) or where ELR_EL2
 * points (resume_fast). The fast paths step over AArch64 instructions only. One
 * that Skiff performs and steps over leaves PSTATE.BTYPE 0, as executing it
 * would have (arch_vcpu_skip_instr() does the same on the full path); an
 * instruction retried after an exit (a stage-2 fault) keeps the BTYPE it
 * faulted with, so its branch-target check still happens.
 */
step_resume_fast:
	mrs	x2, elr_el2
	add	x2, x2, #4
	msr	elr_el2, x2
	mrs	x2, spsr_el2
	and	x2, x2, #~PSR_BTYPE_MASK
	msr	spsr_el2, x2
resume_fast:
	load_x2_x17 x1
	ldr	x18, [x1, #144]
	ldp	x29, x30, [x1, #232]
	ldp	x0, x1, [x1]
	eret
	dsb	nsh
	isb

guest_irq:
	save_guest_and_exit EXIT_IRQ
guest_fiq:
	save_guest_and_exit EXIT_FIQ
guest_serror:
	save_guest_and_exit EXIT_SERROR

/*
 * uint64_t guest_enter(struct cpu_context *ctx): runs the guest until it exits,
 * returns the exit kind (EXIT_*).
 */
	.globl	guest_enter
guest_enter:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x1, tpidr_el2
	str	x0, [x1]
guest_resume:				/* x0: the context */
	ldp	x2, x3, [x0, #CTX_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	load_x2_x17 x0
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh
	isb

guest_exit:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
