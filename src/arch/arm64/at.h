/* SPDX-License-Identifier: MIT */
/* A stage-1 walk of a guest's tables (AT) that survives an exception at EL2 (at.S). */
#ifndef SKIFF_ARCH_ARM64_AT_H
#define SKIFF_ARCH_ARM64_AT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"

/*
 * AT with @access's permissions (S1E1R, S1E1W, S1E0R, S1E0W in enum va_access's
 * order, which at.S follows) on @va: true with PAR_EL1 written, false if the walk
 * took a synchronous exception at EL2 (el2_sync resumed it at at_walk_failed).
 */
bool at_walk(uint64_t va, enum va_access access);

#endif
