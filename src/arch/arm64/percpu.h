/* SPDX-License-Identifier: MIT */
/* Per-CPU data reached through TPIDR_EL2. */
#ifndef SKIFF_ARCH_ARM64_PERCPU_H
#define SKIFF_ARCH_ARM64_PERCPU_H

#include <stdbool.h>

#include "arch/arm64/context.h"

struct arch_percpu {
	struct cpu_context *guest_ctx; /* first: vectors.S saves the guest here */
	unsigned int index;
	unsigned int gicv2_mask; /* this CPU's GICv2 CPU-interface bit */
	/*
	 * The registers of this CPU's SGIs and PPIs (enables, priorities): its
	 * redistributor's SGI frame (GICv3) or the distributor, which banks them
	 * per CPU (GICv2); both lay them out alike. 0 when it has none.
	 */
	uintptr_t gic_private;
	uint64_t hcr_guest; /* HCR_EL2 while a guest runs (traps for this CPU's features) */
	/*
	 * Cortex-A57 r0p0-r1p2, erratum 834220: a stage-1 fault may be reported to
	 * EL2 as a stage-2 translation fault, HPFAR_EL2 then meaningless.
	 */
	bool s2_translation_unreliable;
};

extern struct arch_percpu arch_percpu[];

#endif
