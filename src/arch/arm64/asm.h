/* SPDX-License-Identifier: MIT */
/* Assembler helpers and constants shared between .S and C. */
#ifndef SKIFF_ARCH_ARM64_ASM_H
#define SKIFF_ARCH_ARM64_ASM_H

#define STACK_SIZE 16384

#ifdef __ASSEMBLY__
// clang-format off
/* Load the address of a symbol PC-relatively (works before relocation). */
.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm
// clang-format on
#endif

#endif
