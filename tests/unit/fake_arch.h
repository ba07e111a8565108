/* SPDX-License-Identifier: MIT */
#ifndef SKIFF_TEST_FAKE_ARCH_H
#define SKIFF_TEST_FAKE_ARCH_H

#include "core/vm.h"

#define FAKE_LOGS 8

struct fake_record {
	unsigned int undefs, dabts, crashes, power_offs, resets, eois, ipis, nlogs;
	unsigned int pending_irq, last_eoi, last_ipi;
	uint64_t dabt_far;
	char crash[256];
	char log[FAKE_LOGS][256];
};

extern struct fake_record fake;
void fake_reset(void);

#endif
