// SPDX-License-Identifier: MIT
/* Secondary vCPUs through PSCI CPU_ON. */
#include "libguest.h"

#define MAX_VCPUS 8

void secondary_start(void);
void secondary_main(unsigned int index);

static void (*volatile entry_fn[MAX_VCPUS])(unsigned int index);

int64_t smp_start_vcpu(unsigned int index, void (*fn)(unsigned int index))
{
	struct smccc_res r;

	if (index >= MAX_VCPUS)
		return -2; /* INVALID_PARAMETERS */
	entry_fn[index] = fn;
	smccc_hvc(PSCI_CPU_ON_64, index, (uint64_t)secondary_start, index, &r);
	return (int64_t)r.a0;
}

void secondary_main(unsigned int index)
{
	struct smccc_res r;

	if (index < MAX_VCPUS && entry_fn[index])
		entry_fn[index](index);
	smccc_hvc(PSCI_CPU_OFF, 0, 0, 0, &r);
	printf("# vCPU %u: CPU_OFF returned %ld\n", index, (long)r.a0);
	for (;;)
		__asm__ volatile("wfi");
}

void yield_cpu(void)
{
	static unsigned int gic = ~0U;
	uint64_t ticks = read_sysreg(cntfrq_el0) / 20000; /* 50 us */
	if (gic == ~0U) {
		gic = gic_init();
		if (gic)
			gic_enable_irq(INTID_VTIMER);
	}
	/* The timer's interrupt ends the WFI; PSTATE.I stays masked, so it is not taken. */
	write_sysreg(cntv_tval_el0, ticks);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	while (!(read_sysreg(cntv_ctl_el0) & 4))
		__asm__ volatile("wfi");
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	/* Acknowledge what arrived, so the next WFI waits again. */
	gic_drain();
}
