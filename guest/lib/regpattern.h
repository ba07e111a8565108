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

/*
 * static uint64_t NAME(uint64_t in, uint64_t *diff): runs the asm string @body
 * with x0 = @in and x1-x30 holding their patterns (x29 and x30 kept around it),
 * then folds them: returns what @body left in x0, and in *diff the OR of every
 * register's difference (0: all kept). @body must give its registers their
 * patterns back (REGPAT_SET) before it ends.
 */
#define REGPAT_KEEPING(name, body)                                                   \
	static uint64_t name(uint64_t in, uint64_t *diff)                            \
	{                                                                            \
		register uint64_t x0 __asm__("x0") = in;                             \
		uint64_t d;                                                          \
		__asm__ volatile("stp x29, x30, [sp, #-16]!\n"                       \
				 REGPAT_SET_X1_X7 REGPAT_SET_X8_X30 REGPAT_SET(29)   \
				 "isb\n" body                                        \
				 REGPAT_FOLD_X1_X7 REGPAT_FOLD(1, 29) REGPAT_FOLD_X8_X30 \
				 "orr x1, x1, x8\n"                                  \
				 "ldp x29, x30, [sp], #16\n"                         \
				 "mov %1, x1\n"                                      \
				 : "+r"(x0), "=r"(d)                                 \
				 :                                                   \
				 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", \
				   "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", \
				   "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", \
				   "x26", "x27", "x28", "memory");                   \
		*diff = d;                                                           \
		return x0;                                                           \
	}

/* clang-format on */

#endif
