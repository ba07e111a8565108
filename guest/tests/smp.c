// SPDX-License-Identifier: MIT
/* PSCI for SMP guests: CPU_ON, CPU_OFF, AFFINITY_INFO, CPU_SUSPEND. */
#include "libguest.h"

#define ALREADY_ON	   (-4)
#define INVALID_PARAMETERS (-2)
#define INVALID_ADDRESS	   (-9)
#define AFF_ON		   0
#define AFF_OFF		   1
#define SPIN_LIMIT	   100000000UL

static volatile uint64_t seen_mpidr[4];
static volatile unsigned int runs[4];
static volatile unsigned int release;

static void secondary(unsigned int index)
{
	seen_mpidr[index] = read_sysreg(mpidr_el1);
	runs[index]++;
	while (!release) /* stay on until vCPU 0 has looked */
		__asm__ volatile("wfe");
}

static void quick(unsigned int index)
{
	runs[index]++;
}

static int64_t affinity(unsigned int index)
{
	struct smccc_res r;

	smccc_hvc(PSCI_AFFINITY_INFO, index, 0, 0, &r);
	return (int64_t)r.a0;
}

void main_test(void)
{
	struct smccc_res r;

	report_info("test: smp");
	report(smp_start_vcpu(1, secondary) == 0, "CPU_ON of vCPU 1 succeeds");
	report(smp_start_vcpu(2, secondary) == 0, "CPU_ON of vCPU 2 succeeds");
	report(WAIT_FOR(runs[1] == 1 && runs[2] == 1, SPIN_LIMIT), "both secondaries run");
	report((seen_mpidr[1] & 0xffffff) == 1 && (seen_mpidr[2] & 0xffffff) == 2,
	       "each sees its own MPIDR (0x%lx, 0x%lx)", (unsigned long)seen_mpidr[1],
	       (unsigned long)seen_mpidr[2]);
	report(affinity(1) == AFF_ON && affinity(2) == AFF_ON, "AFFINITY_INFO says ON");
	report(smp_start_vcpu(1, secondary) == ALREADY_ON, "CPU_ON of a running vCPU: ALREADY_ON");
	report(smp_start_vcpu(3, secondary) == INVALID_PARAMETERS,
	       "CPU_ON of a vCPU the VM does not have: INVALID_PARAMETERS");
	release = 1;
	report(WAIT_FOR(affinity(1) == AFF_OFF && affinity(2) == AFF_OFF, SPIN_LIMIT),
	       "after CPU_OFF, AFFINITY_INFO says OFF");
	smccc_hvc(PSCI_CPU_ON_64, 1, 0x7f000000, 0, &r);
	report((int64_t)r.a0 == INVALID_ADDRESS, "CPU_ON with an entry point outside RAM: "
						 "INVALID_ADDRESS");
	report(smp_start_vcpu(1, quick) == 0 && WAIT_FOR(runs[1] == 2, SPIN_LIMIT),
	       "vCPU 1 can be turned on again and runs its new entry point");
	report(WAIT_FOR(affinity(1) == AFF_OFF, SPIN_LIMIT), "and goes off again");
	/*
	 * Standby waits for a wake-up event, as WFI does: the virtual timer's
	 * interrupt, enabled at the GIC (PSTATE.I stays masked, it is not taken).
	 */
	gic_init();
	gic_enable_irq(INTID_VTIMER);
	write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 1000);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	smccc_hvc(PSCI_CPU_SUSPEND, 0, 0, 0, &r);
	write_sysreg(cntv_ctl_el0, 0);
	report(r.a0 == 0, "CPU_SUSPEND (standby) returns success at the timer's wake-up");
	gic_drain();
	report(affinity(0) == AFF_ON, "vCPU 0 itself is ON");
}
