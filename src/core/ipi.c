// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/ipi.h"
#include "core/irq.h"
#include "core/panic.h"
#include "core/sched.h"

void ipi_send(unsigned int cpu, enum ipi ipi)
{
	arch_irq_send_sgi(cpu, (unsigned int)ipi);
}

static void ipi_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)loaded;
	switch (intid) {
	case IPI_STOP:
		panic_stop_this_cpu();
	case IPI_RESCHED:
		sched_yield();
		break;
	case IPI_TIMER:
		sched_timers_moved();
		break;
	case IPI_KICK:
	default:
		/* The interrupt itself made the CPU leave the guest: nothing else to do. */
		break;
	}
}

void ipi_init(void)
{
	irq_reserve(IPI_KICK, ipi_irq, "IPI kick");
	irq_reserve(IPI_STOP, ipi_irq, "IPI stop");
	irq_reserve(IPI_RESCHED, ipi_irq, "IPI resched");
	irq_reserve(IPI_TIMER, ipi_irq, "IPI timer");
}
