/* SPDX-License-Identifier: MIT */
/* A stage-1 walk of a guest's tables (AT) that survives an exception at EL2 (at.S). */
#ifndef SKIFF_ARCH_ARM64_AT_H
#define SKIFF_ARCH_ARM64_AT_H

#include <stdbool.h>
#include <stdint.h>

/* AT kinds, in at.S's order. */
enum at_kind { AT_S1E1R, AT_S1E1W, AT_S1E0R, AT_S1E0W };

/*
 * AT of kind @kind on @va: true with PAR_EL1 written, false if the walk took a
 * synchronous exception at EL2 (el2_sync resumed it at at_walk_failed).
 */
bool at_walk(uint64_t va, enum at_kind kind);

#endif
