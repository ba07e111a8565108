// SPDX-License-Identifier: MIT
/*
 * Virtual timer interrupt latency: the guest arms its virtual timer, then spins
 * with interrupts unmasked (or waits in WFI), and its handler records the
 * counter. Under QEMU -icount shift=0 with a 1 GHz counter (bench/run.py runs
 * it so) a tick is an instruction: handler counter - CNTV_CVAL is the number of
 * instructions from the deadline to the handler, everything between included
 * (Skiff's exit, the vGIC, the entry, the guest's own vector). Runs under Skiff
 * and on bare QEMU at EL1 alike (the baseline: the guest's vector alone).
 */
#include "libguest.h"
#include "lib/gic.h"

#define N	   1000U
#define SPIN_AHEAD 2000U  /* ticks: enough to reach the spin loop first */
#define WFI_AHEAD  20000U /* ticks: enough to reach WFI (a trap) first */

static volatile uint64_t taken_at;
static volatile unsigned int taken, other;
static unsigned int rounds;

static void irq_handler(struct pt_regs *regs)
{
	uint64_t now = read_vcounter();
	unsigned int intid = gic_ack();

	(void)regs;
	if (intid == INTID_VTIMER) {
		taken_at = now;
		taken = 1;
		write_sysreg(cntv_ctl_el0, 0); /* off until the next round arms it */
	} else if (intid < GIC_SPI_LIMIT) {
		other++;
	} else {
		return;
	}
	gic_eoi(intid);
}

/* Sum over the rounds of (handler's counter - deadline), or 0 if a round never fired. */
static uint64_t run(bool wfi)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < rounds; i++) {
		uint64_t cval = read_vcounter() + (wfi ? WFI_AHEAD : SPIN_AHEAD);
		unsigned long spins = 0;

		taken = 0;
		write_sysreg(cntv_cval_el0, cval);
		write_sysreg(cntv_ctl_el0, 1);
		isb();
		__asm__ volatile("msr daifclr, #2" ::: "memory");
		if (wfi)
			__asm__ volatile("wfi" ::: "memory");
		while (!taken && ++spins < 100000000UL)
			__asm__ volatile("" ::: "memory");
		__asm__ volatile("msr daifset, #2" ::: "memory");
		if (!taken)
			return 0;
		sum += taken_at - cval;
	}
	return sum;
}

void main_test(void)
{
	uint64_t spin, wfi;

	rounds = (unsigned int)bootarg_u64("n", N);
	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, irq_handler);
	if (!gic_init()) {
		report_skip("no interrupt controller in the VM", "timer interrupt latency");
		return;
	}
	gic_enable_irq(INTID_VTIMER);
	spin = run(false);
	wfi = run(true);
	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: timer_irq_spin ticks=%lu iterations=%u\n", (unsigned long)spin, rounds);
	printf("bench: timer_irq_wfi ticks=%lu iterations=%u\n", (unsigned long)wfi, rounds);
	report(spin && wfi, "every deadline was followed by its interrupt");
	report(other == 0, "no other interrupts (%u)", other);
}
