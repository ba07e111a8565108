/* SPDX-License-Identifier: MIT */
/* Test-guest entry, EL1 exception vectors and the EL0 trampoline. */

#define FRAME_SIZE (36 * 8)	/* struct pt_regs */

	.section .text.boot, "ax"
	.globl	_start
/*
 * An arm64 Linux Image header (Documentation/arch/arm64/booting.rst), so that loaders
 * other than Skiff (Xen, kvmtool, QEMU's -kernel) place the guest at the start of RAM
 * (text_offset 0) and keep its whole footprint (image_size, .bss and stacks included)
 * clear of the device tree. Entered at its first byte: a branch over the header.
 */
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_size		/* image_size */
	.quad	0x2			/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */
	.globl	entry
entry:
	mov	x19, x0			/* the device tree the loader passes */
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:	adrp	x0, boot_x0
	str	x19, [x0, :lo12:boot_x0]
	adrp	x0, el1_vectors
	add	x0, x0, :lo12:el1_vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	guest_main
3:	b	3b

/*
 * Secondary vCPUs started by PSCI CPU_ON (smp_start_vcpu): x0 = their index, used
 * to pick a stack; then secondary_main(index).
 */
	.globl	secondary_start
secondary_start:
	adrp	x1, secondary_stacks
	add	x1, x1, :lo12:secondary_stacks
	add	x2, x0, #1
	lsl	x2, x2, #13		/* 8 KiB per vCPU */
	add	x1, x1, x2
	mov	sp, x1
	adrp	x1, el1_vectors
	add	x1, x1, :lo12:el1_vectors
	msr	vbar_el1, x1
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	secondary_main
1:	b	1b

	.bss
	.balign	16
	.globl	secondary_stacks
secondary_stacks:
	.skip	8192 * 8

/* Saves a struct pt_regs on the stack, calls handle_exception(vector, regs). */
.macro entry vec
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #\vec
	b	exception_common
.endm

	.text
	.balign	0x800
	.globl	el1_vectors
el1_vectors:
	entry	0	/* current EL, SP_EL0: sync */
	entry	1
	entry	2
	entry	3
	entry	4	/* current EL, SP_ELx: sync */
	entry	5
	entry	6
	entry	7
	entry	8	/* lower EL, AArch64: sync */
	entry	9
	entry	10
	entry	11
	entry	12	/* lower EL, AArch32 */
	entry	13
	entry	14
	entry	15

exception_common:
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
	mrs	x1, sp_el0
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #256]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #272]
	mov	x1, sp
	bl	handle_exception
	/* The handler may have changed any of these. */
	ldp	x1, x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x30, x1, [sp, #240]
	msr	sp_el0, x1
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * Keeps the EL1 caller's callee-saved registers and stack in el0_ctx, for
 * el0_return(); leaves the EL0 stack's top in x10.
 */
.macro save_el1_context
	adrp	x9, el0_ctx
	add	x9, x9, :lo12:el0_ctx
	stp	x19, x20, [x9]
	stp	x21, x22, [x9, #16]
	stp	x23, x24, [x9, #32]
	stp	x25, x26, [x9, #48]
	stp	x27, x28, [x9, #64]
	stp	x29, x30, [x9, #80]
	mov	x10, sp
	str	x10, [x9, #96]
	adrp	x10, __el0_stack_top
	add	x10, x10, :lo12:__el0_stack_top
.endm

/*
 * uint64_t run_at_el0(uint64_t (*fn)(uint64_t), uint64_t arg): runs fn(arg) at EL0
 * and returns what EL0 passes to svc #0 (el0_exit). The EL1 context is kept in
 * el0_ctx, and el0_return() resumes it from the svc handler.
 */
	.globl	run_at_el0
run_at_el0:
	save_el1_context
	msr	sp_el0, x10
	msr	elr_el1, x0
	mov	x10, #0x3c0		/* EL0t, DAIF masked */
	msr	spsr_el1, x10
	mov	x0, x1
	adrp	x30, el0_fell_off
	add	x30, x30, :lo12:el0_fell_off
	eret

/*
 * uint64_t run_at_el0_a32(uint64_t thumb_entry, uint64_t r0): runs Thumb code at
 * AArch32 EL0 (where the CPU has it) from @thumb_entry with r0 = @r0 until it
 * calls svc #0; returns its r0. Same context saving as run_at_el0.
 */
	.globl	run_at_el0_a32
run_at_el0_a32:
	save_el1_context
	mov	x13, x10		/* AArch32 SP_usr is X13 */
	msr	elr_el1, x0
	mov	x10, #0x1f0		/* AArch32 User, Thumb, A/I/F masked */
	msr	spsr_el1, x10
	mov	x0, x1
	eret

/* An EL0 function that returns instead of calling svc #0 ends up here. */
el0_fell_off:
	svc	#0

	.globl	el0_return
el0_return:
	adrp	x9, el0_ctx
	add	x9, x9, :lo12:el0_ctx
	ldp	x19, x20, [x9]
	ldp	x21, x22, [x9, #16]
	ldp	x23, x24, [x9, #32]
	ldp	x25, x26, [x9, #48]
	ldp	x27, x28, [x9, #64]
	ldp	x29, x30, [x9, #80]
	ldr	x10, [x9, #96]
	mov	sp, x10
	ret

	.bss
	.balign	16
el0_ctx:
	.skip	112
