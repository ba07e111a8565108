/* SPDX-License-Identifier: MIT */
/*
 * Entry points. The primary CPU arrives here from a Linux-style loader with the
 * MMU off and x0 = physical address of the device tree. Secondary CPUs arrive at
 * secondary_entry through PSCI CPU_ON with x0 = their CPU index.
 */
#include "arch/arm64/asm.h"

	.section .head.text, "ax"
	.globl _head
_head:
	/* arm64 Linux Image header (Documentation/arch/arm64/booting.rst). */
	b	primary_entry
	.long	0
	.quad	0			/* text_offset */
	.quad	_end - _head		/* image_size: includes .bss */
	.quad	(1 << 1) | (1 << 3)	/* LE, 4K pages, placed anywhere in RAM */
	.quad	0
	.quad	0
	.quad	0
	.ascii	"ARM\x64"
	.long	0

	.section .text.boot, "ax"
primary_entry:
	mov	x19, x0			/* device tree */
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	and	x20, x20, #3

	/* The boot stack is CPU 0's stack; nothing below runs before it is set. */
	adr_l	x0, cpu_stacks
	add	x0, x0, #STACK_SIZE
	mov	sp, x0

	bl	apply_relocations

	/*
	 * .bss is not part of the image the loader cleaned to the point of coherency:
	 * discard any stale cache lines before zeroing it with the caches off.
	 */
	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
	bl	dcache_inval_poc
	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
1:	stp	xzr, xzr, [x0]		/* 64 bytes a turn: .bss is page-aligned and -sized */
	stp	xzr, xzr, [x0, #16]
	stp	xzr, xzr, [x0, #32]
	stp	xzr, xzr, [x0, #48]
	add	x0, x0, #64
	cmp	x0, x1
	b.lo	1b

	cmp	x20, #2
	b.ne	2f
	adr_l	x0, el2_vectors
	msr	vbar_el2, x0
	isb
2:	mov	x0, x19
	mov	x1, x20
	mov	x29, xzr
	mov	x30, xzr
	bl	boot_primary
3:	wfi
	b	3b

/*
 * Apply R_AARCH64_RELATIVE relocations for the address we were loaded at.
 * Clobbers x0-x5.
 */
apply_relocations:
	adr_l	x0, _head
	ldr	x1, .Llink_base
	sub	x5, x0, x1		/* load offset */
	adr_l	x2, __rela_start
	adr_l	x3, __rela_end
1:	cmp	x2, x3
	b.hs	2f
	ldp	x0, x1, [x2], #24	/* r_offset, r_info */
	ldr	x4, [x2, #-8]		/* r_addend */
	cmp	w1, #1027		/* R_AARCH64_RELATIVE */
	b.ne	1b
	add	x0, x0, x5
	add	x4, x4, x5
	str	x4, [x0]
	b	1b
2:	ret
	.balign	8
.Llink_base:
	.quad	0x40000000		/* must match skiff.lds */

/* Invalidate [x0, x1) to the point of coherency. Clobbers x0, x2, x3. */
	.globl dcache_inval_poc
dcache_inval_poc:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3		/* minimum D-cache line size in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
	add	x3, x0, x2, lsl #2	/* four lines a turn while four are left */
1:	cmp	x3, x1
	b.hi	2f
	dc	ivac, x0
	add	x0, x0, x2
	dc	ivac, x0
	add	x0, x0, x2
	dc	ivac, x0
	add	x0, x0, x2
	dc	ivac, x0
	add	x0, x0, x2
	add	x3, x3, x2, lsl #2
	b	1b
2:	cmp	x0, x1
	b.hs	3f
	dc	ivac, x0
	add	x0, x0, x2
	b	2b
3:	dsb	sy
	ret

/*
 * Secondary CPUs: x0 = CPU index. Turn the MMU on with the primary's settings
 * (published, cleaned to PoC, in secondary_mmu) before touching any memory that
 * the primary uses with caches on.
 */
	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	adr_l	x0, el2_vectors
	msr	vbar_el2, x0
	adr_l	x1, secondary_mmu
	ldp	x2, x3, [x1]		/* mair, tcr */
	ldp	x4, x5, [x1, #16]	/* ttbr, sctlr */
	msr	mair_el2, x2
	msr	tcr_el2, x3
	msr	ttbr0_el2, x4
	isb
	tlbi	alle2
	dsb	nsh
	isb
	msr	sctlr_el2, x5
	isb
	ic	iallu
	dsb	nsh
	isb
	adr_l	x0, cpu_stacks
	mov	x1, #STACK_SIZE
	madd	x0, x19, x1, x0
	add	x0, x0, x1
	mov	sp, x0
	mov	x0, x19
	mov	x29, xzr
	mov	x30, xzr
	bl	boot_secondary
1:	wfi
	b	1b
