// SPDX-License-Identifier: MIT
/*
 * Interrupts through the virtual GIC and waiting in WFI: the VM's own counter
 * (CNTVOFF), the virtual timer's interrupt, WFI that blocks until the timer's
 * deadline, and an SGI that wakes a vCPU blocked in WFI. Runs with 2 vCPUs.
 */
#include "libguest.h"

#define SGI_WAKE   3
#define SPIN_LIMIT 200000000UL

#define SGI_BURST_FIRST 4
#define SGI_BURST	8 /* more than the list registers QEMU's GICs have (4) */

static volatile unsigned int timer_irqs, sgis, burst, spurious;
static volatile unsigned int ready, stop;

static void irq_handler(struct pt_regs *regs)
{
	unsigned int intid = gic_ack();

	(void)regs;
	if (intid == INTID_VTIMER) {
		timer_irqs++;
		write_sysreg(cntv_ctl_el0, 3); /* enabled, masked: the tick was seen */
	} else if (intid == SGI_WAKE) {
		sgis++;
	} else if (intid >= SGI_BURST_FIRST && intid < SGI_BURST_FIRST + SGI_BURST) {
		burst |= 1U << (intid - SGI_BURST_FIRST);
	} else if (intid < 1020) {
		spurious++;
	} else {
		return; /* no interrupt after all: nothing to end */
	}
	gic_eoi(intid);
}

#define irqs_on()  __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irqs_off() __asm__ volatile("msr daifset, #2" ::: "memory")

static uint64_t ms(unsigned int n)
{
	return read_sysreg(cntfrq_el0) / 1000 * n;
}

static void check_counter(void)
{
	uint64_t virt = read_sysreg(cntvct_el0);
	uint64_t phys = read_sysreg(cntpct_el0);

	report(virt < phys,
	       "the VM's counter runs behind the host's (virtual 0x%lx, physical 0x%lx)",
	       (unsigned long)virt, (unsigned long)phys);
	report(virt < read_sysreg(cntfrq_el0) * 10, "and started near zero (%lu ms ago)",
	       (unsigned long)(virt / ms(1)));
}

static void check_timer_irq(void)
{
	unsigned long n = 0;
	uint64_t cval;

	gic_enable_irq(INTID_VTIMER);
	cval = read_sysreg(cntvct_el0) + ms(2);
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	irqs_on();
	while (!timer_irqs && ++n < SPIN_LIMIT)
		__asm__ volatile("wfi");
	irqs_off();
	report(timer_irqs == 1, "the virtual timer's interrupt (INTID 27) arrives");
	report(read_sysreg(cntvct_el0) >= cval, "not before its deadline");
}

/* With interrupts masked at PSTATE the wait must still end when one is pending. */
static void check_wfi_blocks_until_deadline(void)
{
	uint64_t cval = read_sysreg(cntvct_el0) + ms(20), woke;

	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
	__asm__ volatile("wfi");
	woke = read_sysreg(cntvct_el0);
	report(woke >= cval, "WFI with the timer 20 ms ahead returns at the deadline (%ld us late)",
	       (long)((int64_t)(woke - cval) * 1000 / (int64_t)ms(1)));
	report(read_sysreg(cntv_ctl_el0) & 4, "the timer condition holds (ISTATUS)");
	irqs_on();
	isb();
	irqs_off();
	report(timer_irqs == 2, "the pending interrupt is taken once unmasked");
}

static void waiter(unsigned int index)
{
	(void)index;
	gic_init_cpu();
	gic_enable_irq(SGI_WAKE);
	irqs_on();
	ready = 1;
	while (!stop)
		__asm__ volatile("wfi");
	irqs_off();
}

static void check_sgi_wakes_waiter(void)
{
	report(smp_start_vcpu(1, waiter) == 0 && WAIT_FOR(ready, SPIN_LIMIT),
	       "vCPU 1 waits in WFI");
	gic_send_sgi(1, SGI_WAKE);
	report(WAIT_FOR(sgis == 1, SPIN_LIMIT), "an SGI from vCPU 0 wakes it and is taken");
	stop = 1;
	gic_send_sgi(1, SGI_WAKE);
	report(WAIT_FOR(sgis == 2, SPIN_LIMIT), "a second SGI too");
	report(spurious == 0, "no unexpected interrupts");
}

/*
 * More interrupts pending at once than there are list registers: the rest go in
 * when the guest has finished with the first ones (the maintenance interrupt;
 * the system test checks Skiff's count of those).
 */
static void check_more_irqs_than_list_registers(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < SGI_BURST; i++)
		gic_enable_irq(SGI_BURST_FIRST + i);
	for (i = 0; i < SGI_BURST; i++)
		gic_send_sgi(0, SGI_BURST_FIRST + i);
	irqs_on();
	while (burst != (1U << SGI_BURST) - 1 && ++n < SPIN_LIMIT)
		__asm__ volatile("" ::: "memory"); /* no trap: nothing but the GIC ends this */
	irqs_off();
	report(burst == (1U << SGI_BURST) - 1, "%u SGIs sent at once all arrive (mask 0x%x)",
	       SGI_BURST, burst);
}

void main_test(void)
{
	unsigned int v;

	report_info("test: irq");
	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, irq_handler);
	check_counter();
	v = gic_init();
	if (!v) {
		report_skip("no interrupt controller in the VM", "interrupt tests");
		return;
	}
	report_info("GICv%u", v);
	check_timer_irq();
	check_wfi_blocks_until_deadline();
	check_more_irqs_than_list_registers();
	check_sgi_wakes_waiter();
}
