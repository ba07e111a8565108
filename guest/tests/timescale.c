// SPDX-License-Identifier: MIT
/*
 * A VM with a counter frequency of its own (docs/time.md). The system test sets
 * counter-frequency and passes "hz=GUEST host=HOST" in bootargs. Checked: the
 * frequency the guest sees (CNTFRQ_EL0, the device tree), the physical and
 * virtual counters' rates against the host's clock (the backdoor's GETTIMEFULL;
 * the virtual counter is scaled too with "ecv=1", a CPU with FEAT_ECV),
 * monotonic reads, and the emulated physical timer: CVAL and TVAL semantics,
 * ISTATUS, IMASK, a CVAL that never comes, timers in the past, the interrupt
 * never early, and WFI woken by it.
 */
#include <libfdt.h>

#include "libguest.h"
#include "regpattern.h"

#define INTID_PTIMER 30
#define CTL_ENABLE   1UL
#define CTL_IMASK    2UL
#define CTL_ISTATUS  4UL

static volatile unsigned int irqs;
static volatile uint64_t irq_count, irq_cval;

static uint64_t pct(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static void irq_handler(struct pt_regs *regs)
{
	unsigned int intid = gic_ack();

	(void)regs;
	if (intid == INTID_PTIMER) {
		irq_count = pct();
		irq_cval = read_sysreg(cntp_cval_el0);
		irqs++;
		write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK); /* seen: mask it */
	}
	if (intid < 1020)
		gic_eoi(intid);
}

static uint32_t dt_clock_frequency(void)
{
	const void *fdt = (const void *)boot_x0;
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	const fdt32_t *f = node < 0 ? NULL : fdt_getprop(fdt, node, "clock-frequency", NULL);

	return f ? fdt32_to_cpu(*f) : 0;
}

/* The host's wall clock in microseconds, through the backdoor (GETTIMEFULL). */
static uint64_t host_us(void)
{
	struct bdoor_regs r = { .ax = BDOOR_MAGIC, .cx = 46, .dx = 0x5658 };

	bdoor_lb(&r);
	return (((r.si << 32) | (r.dx & 0xffffffffUL)) * 1000000UL) + r.bx;
}

/*
 * A counter read (@read) paired with the host's clock: the tightest of a few
 * brackets (host, counter, host), so a trap that happened to wait for the host
 * does not skew the pairing.
 */
static void sample(uint64_t (*read)(void), uint64_t *c, uint64_t *us)
{
	uint64_t best = ~0UL;

	for (unsigned int i = 0; i < 8; i++) {
		uint64_t a = host_us(), v = read(), b = host_us();

		if (b - a < best) {
			best = b - a;
			*c = v;
			*us = a + (b - a) / 2;
		}
	}
}

/* @read's rate against the host clock over 300 ms, in parts per million of @hz. */
static uint64_t rate_ppm(uint64_t (*read)(void), uint64_t hz)
{
	uint64_t c0 = 0, u0 = 0, c1 = 0, u1 = 0;

	sample(read, &c0, &u0);
	while (host_us() - u0 < 300000)
		;
	sample(read, &c1, &u1);
	return (uint64_t)(((unsigned __int128)(c1 - c0) * 1000000 * 1000000) /
			  ((unsigned __int128)(u1 - u0) * hz));
}

static uint64_t vct(void)
{
	return read_vcounter();
}

static void check_frequency_and_rate(uint64_t hz, uint64_t host_hz, bool ecv)
{
	uint64_t ppm, last = 0;
	unsigned int backwards = 0;

	report(read_sysreg(cntfrq_el0) == hz, "CNTFRQ_EL0 reads the VM's %lu Hz (%lu)",
	       (unsigned long)hz, (unsigned long)read_sysreg(cntfrq_el0));
	report(dt_clock_frequency() == hz, "the timer node says clock-frequency = %u",
	       dt_clock_frequency());
	ppm = rate_ppm(pct, hz);
	report(ppm > 995000 && ppm < 1005000,
	       "the physical counter runs at the VM's rate (%lu ppm of it)", (unsigned long)ppm);
	/* With FEAT_ECV the virtual counter is scaled too; without, it is the host's. */
	ppm = rate_ppm(vct, ecv ? hz : host_hz);
	report(ppm > 995000 && ppm < 1005000, "the virtual counter runs at the %s rate (%lu ppm)",
	       ecv ? "VM's (FEAT_ECV: trapped)" : "host's (no FEAT_ECV)", (unsigned long)ppm);
	for (unsigned int i = 0; i < 10000; i++) {
		uint64_t c = pct();

		backwards += c < last;
		last = c;
	}
	report(backwards == 0, "10000 reads never go backwards");
}

static void check_registers(uint64_t hz)
{
	uint64_t now, cval, tval;

	write_sysreg(cntp_ctl_el0, 0);
	now = pct();
	write_sysreg(cntp_tval_el0, hz / 10);
	cval = read_sysreg(cntp_cval_el0);
	tval = read_sysreg(cntp_tval_el0);
	report(cval >= now + hz / 10 && cval < now + hz / 10 + hz / 100,
	       "TVAL sets CVAL to count + TVAL");
	report(tval <= hz / 10 && tval > 0, "TVAL counts down (%lu)", (unsigned long)tval);
	write_sysreg(cntp_tval_el0, (uint32_t)-5);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	report(read_sysreg(cntp_ctl_el0) & CTL_ISTATUS, "TVAL -5: in the past, ISTATUS at once");
	report((int32_t)read_sysreg(cntp_tval_el0) < 0, "and TVAL reads negative");
	write_sysreg(cntp_cval_el0, ~0UL);
	report(!(read_sysreg(cntp_ctl_el0) & CTL_ISTATUS), "CVAL at its maximum: no ISTATUS");
	write_sysreg(cntp_cval_el0, 0);
	report(read_sysreg(cntp_ctl_el0) & CTL_ISTATUS, "CVAL 0: ISTATUS");
	write_sysreg(cntp_ctl_el0, 0);
	report(!(read_sysreg(cntp_ctl_el0) & CTL_ISTATUS), "disabled: no ISTATUS");
}

static void check_interrupts(uint64_t hz)
{
	uint64_t cval, start;

	gic_enable_irq(INTID_PTIMER);
	__asm__ volatile("msr daifclr, #2");
	/* IMASK: the condition holds but no interrupt comes. */
	write_sysreg(cntp_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	start = read_vcounter();
	while (read_vcounter() - start < read_sysreg(cntfrq_el0) / 1000)
		;
	report(irqs == 0, "masked (IMASK): no interrupt");
	/* 2 ms of the VM's time ahead: the interrupt comes, not early. */
	cval = pct() + hz / 500;
	write_sysreg(cntp_cval_el0, cval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	start = pct();
	while (!irqs && pct() - start < hz)
		;
	report(irqs == 1, "the timer's interrupt (INTID 30) arrives");
	report(irq_count >= cval && irq_cval == cval, "not early (count %lu, CVAL %lu)",
	       (unsigned long)irq_count, (unsigned long)cval);
	/* A CVAL that never comes: no interrupt. */
	write_sysreg(cntp_cval_el0, ~0UL);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	start = pct();
	while (pct() - start < hz / 100)
		;
	report(irqs == 1, "CVAL at its maximum: no interrupt");
	/* WFI with interrupts masked ends when the timer's deadline comes. */
	__asm__ volatile("msr daifset, #2");
	cval = pct() + hz / 50;
	write_sysreg(cntp_cval_el0, cval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	__asm__ volatile("wfi");
	report(pct() >= cval, "WFI ends at the timer's deadline, in the VM's time");
	__asm__ volatile("msr daifclr, #2");
	isb();
	__asm__ volatile("msr daifset, #2");
	report(irqs == 2, "and the pending interrupt is taken once unmasked");
	write_sysreg(cntp_ctl_el0, 0);
}

/*
 * A read of a counter into a register (x5, x18, x29, x30: Skiff serves it where
 * the exception is taken; x20: a register that path does not save, so the full
 * exit; xzr) with x1-x30 holding patterns (regpattern.h): returns the count
 * read (0 for xzr). The count moves to x0 and the register gets its pattern
 * back before the fold.
 */
#define READ_INTO(n, counter) "mrs x" #n ", " counter "\n mov x0, x" #n "\n" REGPAT_SET(n)

REGPAT_KEEPING(counter_into_x5, READ_INTO(5, "cntpct_el0"))
REGPAT_KEEPING(counter_into_x18, READ_INTO(18, "cntpct_el0"))
REGPAT_KEEPING(counter_into_x20, READ_INTO(20, "cntpct_el0"))
REGPAT_KEEPING(counter_into_x29, READ_INTO(29, "cntpct_el0"))
REGPAT_KEEPING(counter_into_x30, READ_INTO(30, "cntpct_el0"))
REGPAT_KEEPING(counter_into_xzr, "mrs xzr, cntpct_el0\n")
/* Trapped and scaled with FEAT_ECV ("ecv=1"); read from the hardware otherwise. */
REGPAT_KEEPING(virtual_counter_into_x5, READ_INTO(5, "cntvct_el0"))

static void check_counter_reads_keep_registers(void)
{
	uint64_t (*const in_order[])(uint64_t, uint64_t *) = { counter_into_x5, counter_into_x18,
							       counter_into_x20, counter_into_x29,
							       counter_into_x30 };
	static const char *const names[] = { "x5", "x18", "x20 (full exit)", "x29", "x30" };
	uint64_t t1, prev, d;

	prev = pct();
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t v = in_order[i](0, &d);

		report(d == 0 && prev <= v, "a counter read into %s keeps x1-x30 (0x%lx), in order",
		       names[i], (unsigned long)d);
		prev = v;
	}
	t1 = pct();
	report(prev <= t1, "the reads come before the next one (%lu <= %lu)", (unsigned long)prev,
	       (unsigned long)t1);
	(void)counter_into_xzr(0, &d);
	report(d == 0, "a counter read into xzr keeps x1-x30 (0x%lx)", (unsigned long)d);
	(void)virtual_counter_into_x5(0, &d);
	report(d == 0, "a virtual counter read into x5 keeps x1-x30 (0x%lx)", (unsigned long)d);
}

void main_test(void)
{
	uint64_t hz = bootarg_u64("hz", 0), host_hz = bootarg_u64("host", 0);

	report_info("test: timescale (VM %lu Hz, host %lu Hz)", (unsigned long)hz,
		    (unsigned long)host_hz);
	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, irq_handler);
	if (!gic_init()) {
		report_skip("no interrupt controller", "timescale");
		return;
	}
	check_frequency_and_rate(hz, host_hz, bootarg_u64("ecv", 0));
	check_counter_reads_keep_registers();
	check_registers(hz);
	check_interrupts(hz);
}
