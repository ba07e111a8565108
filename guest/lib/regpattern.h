/* SPDX-License-Identifier: MIT */
/*
 * Register patterns for tests that check a trap leaves registers alone: before
 * the trapping instruction xN is set to N; after it, each "xN - N" is ORed into
 * an accumulator, which is 0 when every register was kept. Strings to splice
 * into an asm statement; the statement must list the registers as clobbers.
 */
#ifndef SKIFF_GUEST_REGPATTERN_H
#define SKIFF_GUEST_REGPATTERN_H

#define REGPAT_SET(n)	    "mov x" #n ", #" #n "\n"
#define REGPAT_FOLD(acc, n) "sub x" #n ", x" #n ", #" #n "\n orr x" #acc ", x" #acc ", x" #n "\n"

/* Kept as written: the formatter would reflow these lists one macro a line. */
/* clang-format off */

/* x1-x7, and their fold into x1. */
#define REGPAT_SET_X1_X7 \
	REGPAT_SET(1) REGPAT_SET(2) REGPAT_SET(3) REGPAT_SET(4) REGPAT_SET(5) REGPAT_SET(6) \
	REGPAT_SET(7)
#define REGPAT_FOLD_X1_X7 \
	"sub x1, x1, #1\n" REGPAT_FOLD(1, 2) REGPAT_FOLD(1, 3) REGPAT_FOLD(1, 4) \
	REGPAT_FOLD(1, 5) REGPAT_FOLD(1, 6) REGPAT_FOLD(1, 7)

/* x8-x28 and x30 (x29, the frame pointer, is the caller's to save), and their fold into x8. */
#define REGPAT_SET_X8_X30 \
	REGPAT_SET(8) REGPAT_SET(9) REGPAT_SET(10) REGPAT_SET(11) REGPAT_SET(12) \
	REGPAT_SET(13) REGPAT_SET(14) REGPAT_SET(15) REGPAT_SET(16) REGPAT_SET(17) \
	REGPAT_SET(18) REGPAT_SET(19) REGPAT_SET(20) REGPAT_SET(21) REGPAT_SET(22) \
	REGPAT_SET(23) REGPAT_SET(24) REGPAT_SET(25) REGPAT_SET(26) REGPAT_SET(27) \
	REGPAT_SET(28) REGPAT_SET(30)
#define REGPAT_FOLD_X8_X30 \
	"sub x8, x8, #8\n" REGPAT_FOLD(8, 9) REGPAT_FOLD(8, 10) REGPAT_FOLD(8, 11) \
	REGPAT_FOLD(8, 12) REGPAT_FOLD(8, 13) REGPAT_FOLD(8, 14) REGPAT_FOLD(8, 15) \
	REGPAT_FOLD(8, 16) REGPAT_FOLD(8, 17) REGPAT_FOLD(8, 18) REGPAT_FOLD(8, 19) \
	REGPAT_FOLD(8, 20) REGPAT_FOLD(8, 21) REGPAT_FOLD(8, 22) REGPAT_FOLD(8, 23) \
	REGPAT_FOLD(8, 24) REGPAT_FOLD(8, 25) REGPAT_FOLD(8, 26) REGPAT_FOLD(8, 27) \
	REGPAT_FOLD(8, 28) REGPAT_FOLD(8, 30)

/* clang-format on */

#endif
