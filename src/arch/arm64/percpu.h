/* SPDX-License-Identifier: MIT */
/* Per-CPU data reached through TPIDR_EL2. */
#ifndef SKIFF_ARCH_ARM64_PERCPU_H
#define SKIFF_ARCH_ARM64_PERCPU_H

#include "arch/arm64/context.h"

struct arch_percpu {
	struct cpu_context *guest_ctx; /* first: vectors.S saves the guest here */
	unsigned int index;
	unsigned int gicv2_mask; /* this CPU's GICv2 CPU-interface bit */
	uint64_t hcr_guest;	 /* HCR_EL2 while a guest runs (traps for this CPU's features) */
};

extern struct arch_percpu arch_percpu[];

#endif
