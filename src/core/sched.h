/* SPDX-License-Identifier: MIT */
/*
 * Placement of vCPUs on host CPUs and each CPU's run loop. For now a vCPU runs
 * until it stops; time slicing comes with the timer (docs/scheduling.md).
 */
#ifndef SKIFF_CORE_SCHED_H
#define SKIFF_CORE_SCHED_H

#include <stddef.h>

#include "core/config.h"

void sched_init(unsigned int ncpus, unsigned int boot_cpu, enum when_idle when_idle, int conduit);
/* Lets every CPU's run loop start picking vCPUs (once the VMs exist). */
void sched_release(void);
void sched_cpu_online(unsigned int cpu);
unsigned int sched_cpus_online(void);

/* Picks the host CPU for a VM: @requested (-1 = any) or round robin. -1 with @err set. */
int sched_place(int requested, char *err, size_t errlen);

/* Called when a VM stops: the idle policy may apply. */
void sched_vm_stopped(void);

/* The CPU's scheduling loop. */
__attribute__((noreturn)) void sched_run(void);

#endif
