/* SPDX-License-Identifier: MIT */
/* Inter-processor interrupts between host CPUs (GIC SGIs). */
#ifndef SKIFF_CORE_IPI_H
#define SKIFF_CORE_IPI_H

enum ipi {
	IPI_KICK = 0,	 /* re-run the scheduler */
	IPI_STOP = 1,	 /* another CPU panicked: stop */
	IPI_RESCHED = 2, /* a vCPU placed on the CPU was woken: pick again */
	IPI_TIMER = 3,	 /* a blocked vCPU's deadline moved: arm the EL2 timer again */
};

void ipi_send(unsigned int cpu, enum ipi ipi);
/* Takes the IPIs' interrupts (boot, before interrupts are taken). */
void ipi_init(void);

#endif
