/* SPDX-License-Identifier: MIT */
/*
 * Saving and restoring a vCPU's SVE predicate registers and FFR (the p[] array
 * of struct fpsimd_state). Only called on CPUs with SVE. Guests run with a
 * 128-bit vector length, so each predicate is 2 bytes and "#n, mul vl" steps
 * by one register. FFR goes through p0, which is therefore saved first and
 * restored last.
 */
	.arch_extension sve

	.text
	.globl	sve_pregs_save
sve_pregs_save:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	str	p\n, [x0, #\n, mul vl]
	.endr
	rdffr	p0.b
	str	p0, [x0, #16, mul vl]
	ret

	.globl	sve_pregs_restore
sve_pregs_restore:
	ldr	p0, [x0, #16, mul vl]
	wrffr	p0.b
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ldr	p\n, [x0, #\n, mul vl]
	.endr
	ret
