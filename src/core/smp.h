/* SPDX-License-Identifier: MIT */
/* Bringing up the host CPUs through PSCI. */
#ifndef SKIFF_CORE_SMP_H
#define SKIFF_CORE_SMP_H

#include "platform/platform.h"

/* Finds the boot CPU in the platform's CPU list and sets it up; returns its index. */
unsigned int smp_boot_cpu_init(const struct platform *plat);

/* Starts every other CPU with PSCI CPU_ON and waits (bounded) for each to come online. */
void smp_start_secondaries(const struct platform *plat);

#endif
