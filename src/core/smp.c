// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/log.h"
#include "core/main.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/smp.h"
#include "lib/bits.h"

#define MPIDR_AFF_MASK	   0xff00ffffffUL
#define PSCI_CPU_ON_64	   0xc4000003UL
#define ONLINE_TIMEOUT_DIV 2 /* wait at most half a second per CPU */

unsigned int smp_boot_cpu_init(const struct platform *plat)
{
	uint64_t me = arch_cpu_mpidr() & MPIDR_AFF_MASK;
	unsigned int i;

	for (i = 0; i < plat->ncpus; i++)
		if ((plat->cpu_mpidr[i] & MPIDR_AFF_MASK) == me)
			break;
	if (i == plat->ncpus)
		panic("boot CPU (MPIDR 0x%lx) is not listed under /cpus", (unsigned long)me);
	arch_cpu_init(i);
	arch_irq_init_cpu();
	sched_cpu_online(i);
	return i;
}

static void wait_online(unsigned int cpu, uint64_t timeout)
{
	uint64_t start = arch_counter();

	while (!(sched_cpus_online() & (1U << cpu)))
		if (arch_counter() - start > timeout) {
			log_warn("cpu %u did not come online; continuing without it", cpu);
			return;
		}
}

void smp_start_secondaries(const struct platform *plat)
{
	unsigned int me = arch_cpu_index();
	struct cpu_features f;
	unsigned int i;

	arch_cpu_features(&f);
	for (i = 0; i < plat->ncpus; i++) {
		struct smccc_result res;

		if (i == me)
			continue;
		arch_smccc(plat->psci, PSCI_CPU_ON_64, plat->cpu_mpidr[i], arch_secondary_entry(),
			   i, &res);
		if (res.a0) {
			log_warn("cpu %u (MPIDR 0x%lx): PSCI CPU_ON failed with %ld", i,
				 (unsigned long)plat->cpu_mpidr[i], (long)res.a0);
			continue;
		}
		wait_online(i, f.counter_hz / ONLINE_TIMEOUT_DIV);
	}
	log_info("%u of %u CPUs online", popcount64(sched_cpus_online()), plat->ncpus);
}

void skiff_secondary_main(unsigned int cpu)
{
	arch_irq_init_cpu();
	sched_cpu_online(cpu);
	sched_run();
}
