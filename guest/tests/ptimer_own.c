// SPDX-License-Identifier: MIT
/*
 * The EL1 physical timer is this VM's own, whatever runs on the same host CPU:
 * two of these VMs share one CPU, each writes a pattern of its own
 * ("seed=N") into CNTP_CVAL and CNTP_CTL, gives the CPU away, and finds its
 * pattern again every time; then its physical timer's interrupt (INTID 30)
 * arrives, not before its deadline. Before, the registers were shared between
 * VMs and INTID 30 never reached a VM without a counter frequency of its own.
 */
#include "libguest.h"

#define INTID_PTIMER 30
#define ROUNDS	     200
#define SPIN_LIMIT   200000000UL
#define CTL_ENABLE   1UL
#define CTL_IMASK    2UL

static volatile unsigned int ptimer_irqs, others;

static void irq_handler(struct pt_regs *regs)
{
	unsigned int intid = gic_ack();

	(void)regs;
	if (intid >= 1020)
		return;
	if (intid == INTID_PTIMER) {
		ptimer_irqs++;
		write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK); /* seen: mask it */
		isb();
	} else {
		others++;
	}
	gic_eoi(intid);
}

static void check_registers_survive(uint64_t seed)
{
	unsigned int lost = 0;
	uint64_t cval = 0, ctl = 0;

	for (unsigned int i = 0; i < ROUNDS; i++) {
		/* Far in the future, distinct per VM and per round; masked: no interrupt. */
		uint64_t want = (seed << 40) + ((uint64_t)i << 8) + 0xabc;

		write_sysreg(cntp_cval_el0, want);
		write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
		isb();
		yield_cpu();
		cval = read_sysreg(cntp_cval_el0);
		ctl = read_sysreg(cntp_ctl_el0) & (CTL_ENABLE | CTL_IMASK);
		if (cval != want || ctl != (CTL_ENABLE | CTL_IMASK))
			lost++;
	}
	report(lost == 0,
	       "CNTP_CVAL and CNTP_CTL kept across %u yields of the CPU (%u lost; "
	       "last CVAL 0x%lx, CTL 0x%lx)",
	       ROUNDS, lost, (unsigned long)cval, (unsigned long)ctl);
}

static void check_interrupt_arrives(void)
{
	uint64_t deadline = read_sysreg(cntpct_el0) + read_sysreg(cntfrq_el0) / 500; /* 2 ms */
	unsigned long n = 0;

	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, irq_handler);
	gic_enable_irq(INTID_PTIMER);
	write_sysreg(cntp_cval_el0, deadline);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (!ptimer_irqs && ++n < SPIN_LIMIT)
		__asm__ volatile("wfi");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	report(ptimer_irqs == 1, "the physical timer's interrupt (INTID 30) arrives");
	report(read_sysreg(cntpct_el0) >= deadline, "not before its deadline");
	write_sysreg(cntp_ctl_el0, 0);
}

void main_test(void)
{
	uint64_t seed = bootarg_u64("seed", 1);

	report_info("test: ptimer_own");
	gic_init();
	check_registers_survive(seed);
	check_interrupt_arrives();
}
