// SPDX-License-Identifier: MIT
/*
 * The virtual timer's interrupt is a level, as on hardware: INTID 27 stays
 * pending while the timer's output is up, whatever the guest does to the GIC's
 * pending and active state meanwhile, and it goes away when the guest masks or
 * reprograms the timer. The guest's CNTV_CTL_EL0 is its own: the hypervisor
 * does not mask the timer behind its back. Also: GICD/GICR_ICACTIVER ends an
 * interrupt the hypervisor has handed to the hardware (a list register), on
 * this vCPU and (GICv3) on another one. Runs with 2 vCPUs.
 */
#include "libguest.h"

#define CTL_ENABLE  1U
#define CTL_IMASK   2U
#define CTL_ISTATUS 4U
#define SPURIOUS    1020U
#define TICKS	    5

static volatile unsigned int ticks, held, other_acks;
static volatile uint64_t late_max; /* the latest a tick came after its deadline, in ticks */
static volatile unsigned int other_done;

#define irqs_on()  __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irqs_off() __asm__ volatile("msr daifset, #2" ::: "memory")

static uint64_t ms(unsigned int n)
{
	return read_sysreg(cntfrq_el0) / 1000 * n;
}

static void spin_ms(unsigned int n)
{
	uint64_t end = read_sysreg(cntvct_el0) + ms(n);

	while (read_sysreg(cntvct_el0) < end)
		;
}

/* The timer's condition met at once: its output is up until the guest says otherwise. */
static void timer_fire_now(void)
{
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
}

static void timer_mask(void)
{
	write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
}

/* Acknowledges what is pending within @n ms (PSTATE.I masked): an INTID, or >= SPURIOUS. */
static unsigned int ack_within(unsigned int n)
{
	uint64_t end = read_sysreg(cntvct_el0) + ms(n);
	unsigned int intid;

	do {
		intid = gic_ack();
		if (intid < SPURIOUS)
			return intid;
	} while (read_sysreg(cntvct_el0) < end);
	return intid;
}

static void check_line_outlives_icpendr(void)
{
	unsigned int intid;
	uint64_t ctl;

	gic_disable_irq(INTID_VTIMER);
	timer_fire_now();
	spin_ms(5); /* the hypervisor sees the timer fire meanwhile */
	ctl = read_sysreg(cntv_ctl_el0);
	report((ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS),
	       "CNTV_CTL_EL0 reads as the guest wrote it once the timer fired (0x%lx)",
	       (unsigned long)ctl);
	gic_clear_pending(INTID_VTIMER);
	gic_enable_irq(INTID_VTIMER);
	intid = ack_within(100);
	report(intid == INTID_VTIMER,
	       "INTID 27 is pending after GICD/GICR_ICPENDR while the timer's output is up (%u)",
	       intid);
	timer_mask();
	if (intid < SPURIOUS)
		gic_eoi(intid);
	intid = ack_within(20);
	report(intid >= SPURIOUS, "masked by the guest, the timer interrupts no more (%u)", intid);
	if (intid < SPURIOUS)
		gic_eoi(intid);
}

static void check_icactiver_ends_it(void)
{
	unsigned int first, again;

	gic_split_eoi(true);
	timer_fire_now();
	first = ack_within(100);
	if (first < SPURIOUS)
		gic_eoi(first); /* the priority drops; INTID 27 stays active */
	again = ack_within(10);
	report(first == INTID_VTIMER && again >= SPURIOUS,
	       "acknowledged and not deactivated, INTID 27 is not taken again (%u, %u)", first,
	       again);
	gic_clear_active(INTID_VTIMER);
	again = ack_within(100);
	report(again == INTID_VTIMER,
	       "GICD/GICR_ICACTIVER deactivates it: the timer still up, it is pending again (%u)",
	       again);
	timer_mask();
	if (again < SPURIOUS)
		gic_eoi(again);
	gic_clear_active(INTID_VTIMER);
	gic_split_eoi(false);
	gic_drain();
}

static void tick_handler(struct pt_regs *regs)
{
	unsigned int intid = gic_ack();

	(void)regs;
	if (intid >= SPURIOUS)
		return;
	if (intid == INTID_VTIMER) {
		uint64_t late = read_sysreg(cntvct_el0) - read_sysreg(cntv_cval_el0);

		if (late > late_max)
			late_max = late;
		/* A periodic tick: the next deadline, the timer left unmasked (as Linux does). */
		if (++ticks < TICKS)
			write_sysreg(cntv_cval_el0, read_sysreg(cntv_cval_el0) + ms(1));
		else
			write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
		isb();
	}
	gic_eoi(intid);
}

static void check_reprogrammed_ticks(void)
{
	unsigned long n = 0;

	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, tick_handler);
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + ms(1));
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	irqs_on();
	/* A busy loop, no trap: the hypervisor sees each tick's end only as the GIC tells it. */
	while (ticks < TICKS && ++n < 400000000UL)
		__asm__ volatile("" ::: "memory");
	irqs_off();
	report(ticks == TICKS, "%u ticks, each reprogrammed in its handler, arrive (%u)", TICKS,
	       ticks);
	/* Not a test (timing is the benchmarks'): without the end-of-interrupt exit, ~10 ms. */
	report_info("latest tick: %lu us after its deadline",
		    (unsigned long)(late_max * 1000 / ms(1)));
}

/* vCPU 1: holds INTID 27 active until vCPU 0 deactivates it through its redistributor. */
static void holder(unsigned int index)
{
	unsigned int intid;

	(void)index;
	gic_init_cpu();
	gic_split_eoi(true);
	gic_enable_irq(INTID_VTIMER);
	timer_fire_now();
	intid = ack_within(100);
	if (intid < SPURIOUS)
		gic_eoi(intid);
	held = intid == INTID_VTIMER ? 1 : 2;
	/* No trap from here: only vCPU 0's write can make 27 pending again. */
	intid = ack_within(2000);
	other_acks = intid;
	timer_mask();
	if (intid < SPURIOUS)
		gic_eoi(intid);
	gic_clear_active(INTID_VTIMER);
	gic_split_eoi(false);
	other_done = 1;
}

static void check_icactiver_of_another_vcpu(unsigned int version)
{
	if (version != 3) {
		report_skip("GICv2 banks a vCPU's PPIs", "ICACTIVER of another vCPU's PPI");
		return;
	}
	report(smp_start_vcpu(1, holder) == 0 && WAIT_FOR(held, 200000000UL) && held == 1,
	       "vCPU 1 holds its INTID 27 active");
	gic_clear_active_of(1, INTID_VTIMER);
	report(WAIT_FOR(other_done, 400000000UL) && other_acks == INTID_VTIMER,
	       "vCPU 0's GICR_ICACTIVER0 write to vCPU 1's redistributor deactivates it (%u)",
	       other_acks);
}

void main_test(void)
{
	unsigned int v;

	report_info("test: vtimer_level");
	v = gic_init();
	if (!v) {
		report_skip("no interrupt controller in the VM", "virtual timer level tests");
		return;
	}
	report_info("GICv%u", v);
	check_line_outlives_icpendr();
	check_icactiver_ends_it();
	check_reprogrammed_ticks();
	check_icactiver_of_another_vcpu(v);
}
