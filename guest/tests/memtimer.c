// SPDX-License-Identifier: MIT
/*
 * The memory-mapped generic timer of a VM with a counter frequency of its own
 * and counter-mode "mmio" (or "auto" without FEAT_ECV): docs/time.md. The
 * system test passes "hz=GUEST" in bootargs and gives the VM 2 vCPUs.
 * Checked: the device tree (the frames, the SPI, no system-register timer),
 * CNTCTLBase (CNTFRQ, CNTTIDR, CNTACR0), the frame's counters (the VM's rate
 * against the host's clock, CNTVCT = CNTPCT = the scaled CNTPCT_EL0, the
 * halves, monotonic), access control, CNTP_TVAL/CVAL/CTL semantics, the
 * interrupt (not early, IMASK, a CVAL that never comes, WFI woken at the
 * deadline), the emulated CNTP_EL0 timer armed at the same time, and the
 * interrupt routed to another vCPU, which waits blocked in WFI.
 */
#include <libfdt.h>

#include "libguest.h"

#define INTID_PTIMER 30
#define CTL_ENABLE   1U
#define CTL_IMASK    2U
#define CTL_ISTATUS  4U
#define SPIN_LIMIT   200000000UL

/* CNTCTLBase and CNTBase offsets. */
#define CNTCTL_FRQ  0x000
#define CNTCTL_TIDR 0x008
#define CNTCTL_ACR0 0x040
#define CNT_PCT	    0x000
#define CNT_VCT	    0x008
#define CNT_FRQ	    0x010
#define CNT_P_CVAL  0x020
#define CNT_P_TVAL  0x028
#define CNT_P_CTL   0x02c
#define CNTACR_FULL 0x3fU
#define CNTACR_KEPT 0x27U /* RPCT, RVCT, RFRQ, RWPT: no virtual timer */

static uint64_t ctlbase, frame;
static unsigned int spi;

struct seen {
	unsigned int irqs;
	uint64_t count, cval; /* the frame's count and CVAL when taken */
	unsigned int vcpu;
};
static volatile struct seen mem, phys;
static volatile unsigned int spurious, ready, stop;

static uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static void wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static uint64_t rd64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}

static void wr64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

static uint64_t count(void)
{
	return rd64(frame + CNT_PCT);
}

static uint64_t sysreg_count(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static void irq_handler(struct pt_regs *regs)
{
	unsigned int intid = gic_ack();
	unsigned int vcpu = read_sysreg(mpidr_el1) & 0xff;

	(void)regs;
	if (intid == spi) {
		mem.count = count();
		mem.cval = rd64(frame + CNT_P_CVAL);
		mem.vcpu = vcpu;
		mem.irqs++;
		wr32(frame + CNT_P_CTL, CTL_ENABLE | CTL_IMASK); /* seen: mask it */
	} else if (intid == INTID_PTIMER) {
		phys.count = count();
		phys.cval = read_sysreg(cntp_cval_el0);
		phys.irqs++;
		write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	} else if (intid < 1020) {
		spurious++;
	} else {
		return;
	}
	gic_eoi(intid);
}

#define irqs_on()  __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irqs_off() __asm__ volatile("msr daifset, #2" ::: "memory")

/* The timer-mem node and its frame 0: addresses and the SPI, from the device tree. */
static bool find_frames(void)
{
	const void *fdt = (const void *)boot_x0;
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer-mem");
	int child = node < 0 ? node : fdt_first_subnode(fdt, node);
	const fdt64_t *reg;
	const fdt32_t *irq, *num;
	int len;

	report(fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer") < 0,
	       "the device tree has no system-register timer");
	if (node < 0 || child < 0) {
		report(false, "an arm,armv7-timer-mem node with a frame");
		return false;
	}
	reg = fdt_getprop(fdt, node, "reg", &len);
	ctlbase = reg && len == 16 ? fdt64_to_cpu(reg[0]) : 0;
	reg = fdt_getprop(fdt, child, "reg", &len);
	frame = reg && len == 16 ? fdt64_to_cpu(reg[0]) : 0;
	num = fdt_getprop(fdt, child, "frame-number", NULL);
	irq = fdt_getprop(fdt, child, "interrupts", &len);
	spi = irq && len == 12 && fdt32_to_cpu(irq[0]) == 0 ? 32 + fdt32_to_cpu(irq[1]) : 0;
	report(ctlbase && frame && num && fdt32_to_cpu(*num) == 0 && spi,
	       "arm,armv7-timer-mem: CNTCTLBase 0x%lx, frame 0 at 0x%lx, SPI INTID %u",
	       (unsigned long)ctlbase, (unsigned long)frame, spi);
	return ctlbase && frame && spi;
}

static void check_control_frame(uint64_t hz)
{
	report(rd32(ctlbase + CNTCTL_FRQ) == hz, "CNTCTLBase.CNTFRQ is the VM's %lu Hz",
	       (unsigned long)hz);
	report((rd32(ctlbase + CNTCTL_TIDR) & 0xf) == 1,
	       "CNTTIDR: frame 0 implemented, no virtual timer, no EL0 view (0x%x)",
	       rd32(ctlbase + CNTCTL_TIDR));
	wr32(ctlbase + CNTCTL_ACR0, CNTACR_FULL);
	report(rd32(ctlbase + CNTCTL_ACR0) == CNTACR_KEPT,
	       "CNTACR0 keeps RPCT, RVCT, RFRQ, RWPT (0x%x)", rd32(ctlbase + CNTCTL_ACR0));
}

/* The host's wall clock in microseconds, through the backdoor (GETTIMEFULL). */
static uint64_t host_us(void)
{
	struct bdoor_regs r = { .ax = BDOOR_MAGIC, .cx = 46, .dx = 0x5658 };

	bdoor_lb(&r);
	return (((r.si << 32) | (r.dx & 0xffffffffUL)) * 1000000UL) + r.bx;
}

/* The frame counter's rate against the host's clock over 300 ms, in ppm of @hz. */
static uint64_t rate_ppm(uint64_t hz)
{
	uint64_t best0 = ~0UL, best1 = ~0UL, c0 = 0, u0 = 0, c1 = 0, u1 = 0;

	/* The tightest bracket (host, counter, host) of a few at each end. */
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t a = host_us(), v = count(), b = host_us();

		if (b - a < best0) {
			best0 = b - a;
			c0 = v;
			u0 = a + (b - a) / 2;
		}
	}
	while (host_us() - u0 < 300000)
		;
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t a = host_us(), v = count(), b = host_us();

		if (b - a < best1) {
			best1 = b - a;
			c1 = v;
			u1 = a + (b - a) / 2;
		}
	}
	return (uint64_t)(((unsigned __int128)(c1 - c0) * 1000000 * 1000000) /
			  ((unsigned __int128)(u1 - u0) * hz));
}

static void check_counters(uint64_t hz)
{
	uint64_t ppm, a, v, b, last = 0;
	uint32_t hi, lo, hi2;
	unsigned int backwards = 0;

	report(rd32(frame + CNT_FRQ) == hz, "CNTBase0.CNTFRQ is the VM's %lu Hz",
	       (unsigned long)hz);
	ppm = rate_ppm(hz);
	report(ppm > 990000 && ppm < 1010000,
	       "the frame's counter runs at the VM's rate (%lu ppm of it)", (unsigned long)ppm);
	a = sysreg_count();
	v = count();
	b = sysreg_count();
	report(a <= v && v <= b, "it is the VM's counter: CNTPCT_EL0 %lu <= %lu <= %lu",
	       (unsigned long)a, (unsigned long)v, (unsigned long)b);
	a = count();
	v = rd64(frame + CNT_VCT);
	b = count();
	report(a <= v && v <= b, "CNTVCT reads CNTPCT (CNTVOFF 0)");
	do {
		hi = rd32(frame + CNT_VCT + 4);
		lo = rd32(frame + CNT_VCT);
		hi2 = rd32(frame + CNT_VCT + 4);
	} while (hi != hi2);
	v = ((uint64_t)hi << 32) | lo;
	report(v >= b && v <= count(), "and its 32-bit halves (hi, lo, hi) make it up");
	for (unsigned int i = 0; i < 10000; i++) {
		uint64_t c = count();

		backwards += c < last;
		last = c;
	}
	report(backwards == 0, "10000 reads never go backwards");
	wr64(frame + CNT_PCT, 0);
	report(count() >= last, "the counter ignores writes");
}

static void check_access_control(void)
{
	wr64(frame + CNT_P_CVAL, 12345);
	wr32(ctlbase + CNTCTL_ACR0, 0);
	report(rd64(frame + CNT_PCT) == 0 && rd64(frame + CNT_VCT) == 0 &&
		       rd32(frame + CNT_FRQ) == 0 && rd64(frame + CNT_P_CVAL) == 0,
	       "CNTACR0 = 0: the frame's counters, CNTFRQ and timer read 0");
	wr64(frame + CNT_P_CVAL, 777);
	wr32(ctlbase + CNTCTL_ACR0, 0x20); /* RWPT alone */
	report(rd64(frame + CNT_P_CVAL) == 12345 && rd64(frame + CNT_PCT) == 0,
	       "a timer write was ignored; RWPT alone opens the timer, not the counter");
	wr32(ctlbase + CNTCTL_ACR0, CNTACR_FULL);
}

static void check_registers(uint64_t hz)
{
	uint64_t now, cval;
	uint32_t tval;

	wr32(frame + CNT_P_CTL, 0);
	now = count();
	wr32(frame + CNT_P_TVAL, (uint32_t)(hz / 10));
	cval = rd64(frame + CNT_P_CVAL);
	tval = rd32(frame + CNT_P_TVAL);
	report(cval >= now + hz / 10 && cval < now + hz / 10 + hz / 100,
	       "TVAL sets CVAL to count + TVAL");
	report(tval <= hz / 10 && tval > 0, "TVAL counts down (%u)", tval);
	wr32(frame + CNT_P_TVAL, (uint32_t)-5);
	wr32(frame + CNT_P_CTL, CTL_ENABLE | CTL_IMASK);
	report(rd32(frame + CNT_P_CTL) == (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS),
	       "TVAL -5: in the past, ISTATUS at once");
	report((int32_t)rd32(frame + CNT_P_TVAL) < 0, "and TVAL reads negative");
	wr64(frame + CNT_P_CVAL, ~0UL);
	report(!(rd32(frame + CNT_P_CTL) & CTL_ISTATUS), "CVAL at its maximum: no ISTATUS");
	wr32(frame + CNT_P_CVAL, 0);
	wr32(frame + CNT_P_CVAL + 4, 0);
	report(rd64(frame + CNT_P_CVAL) == 0 && (rd32(frame + CNT_P_CTL) & CTL_ISTATUS),
	       "CVAL written as two halves: 0, ISTATUS");
	wr32(frame + CNT_P_CTL, 0);
	report(rd32(frame + CNT_P_CTL) == 0, "disabled: no ISTATUS");
}

static bool wait_irqs(const volatile unsigned int *n, unsigned int want, uint64_t hz)
{
	uint64_t start = count();

	while (*n < want && count() - start < hz)
		;
	return *n == want;
}

static void check_interrupts(uint64_t hz)
{
	uint64_t cval, start;

	gic_enable_irq(spi);
	irqs_on();
	/* IMASK: the condition holds but no interrupt comes. */
	wr64(frame + CNT_P_CVAL, 0);
	wr32(frame + CNT_P_CTL, CTL_ENABLE | CTL_IMASK);
	start = count();
	while (count() - start < hz / 1000)
		;
	report(mem.irqs == 0, "masked (IMASK): no interrupt");
	/* 2 ms of the VM's time ahead: the interrupt comes, not early. */
	cval = count() + hz / 500;
	wr64(frame + CNT_P_CVAL, cval);
	wr32(frame + CNT_P_CTL, CTL_ENABLE);
	report(wait_irqs(&mem.irqs, 1, hz), "the timer's interrupt (SPI, INTID %u) arrives", spi);
	report(mem.count >= cval && mem.cval == cval, "not early (count %lu, CVAL %lu)",
	       (unsigned long)mem.count, (unsigned long)cval);
	/* A CVAL that never comes: no interrupt. */
	wr64(frame + CNT_P_CVAL, ~0UL);
	wr32(frame + CNT_P_CTL, CTL_ENABLE);
	start = count();
	while (count() - start < hz / 100)
		;
	report(mem.irqs == 1, "CVAL at its maximum: no interrupt");
	/* WFI with interrupts masked: the vCPU blocks until the deadline. */
	irqs_off();
	cval = count() + hz / 50;
	wr64(frame + CNT_P_CVAL, cval);
	__asm__ volatile("wfi");
	report(count() >= cval, "WFI ends at the timer's deadline, in the VM's time");
	irqs_on();
	isb();
	irqs_off();
	report(mem.irqs == 2, "and the pending interrupt is taken once unmasked");
	wr32(frame + CNT_P_CTL, 0);
}

/* One hardware timer stands in for both: each interrupt comes, neither early. */
static void check_beside_the_physical_timer(uint64_t hz)
{
	uint64_t mcval = count() + hz / 200, pcval = mcval + hz / 1000;

	gic_enable_irq(INTID_PTIMER);
	write_sysreg(cntp_cval_el0, pcval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	wr64(frame + CNT_P_CVAL, mcval);
	wr32(frame + CNT_P_CTL, CTL_ENABLE);
	irqs_on();
	report(wait_irqs(&mem.irqs, 3, hz) && wait_irqs(&phys.irqs, 1, hz),
	       "the memory-mapped timer 5 ms ahead and CNTP_EL0 6 ms ahead: both interrupts");
	irqs_off();
	report(mem.count >= mcval && phys.count >= pcval, "neither early");
	write_sysreg(cntp_ctl_el0, 0);
	wr32(frame + CNT_P_CTL, 0);
}

static void waiter(unsigned int index)
{
	(void)index;
	gic_init_cpu();
	irqs_on();
	ready = 1;
	while (!stop)
		__asm__ volatile("wfi");
	irqs_off();
}

/* Programmed by vCPU 0, routed to vCPU 1 blocked in WFI: it wakes at the deadline. */
static void check_routed_to_another_vcpu(uint64_t hz)
{
	uint64_t cval;

	report(smp_start_vcpu(1, waiter) == 0 && WAIT_FOR(ready, SPIN_LIMIT),
	       "vCPU 1 waits in WFI");
	gic_route_spi(spi, 1);
	cval = count() + hz / 100;
	wr64(frame + CNT_P_CVAL, cval);
	wr32(frame + CNT_P_CTL, CTL_ENABLE);
	report(wait_irqs(&mem.irqs, 4, hz), "the interrupt routed to vCPU 1 arrives");
	report(mem.vcpu == 1 && mem.count >= cval, "on vCPU 1, not early");
	stop = 1;
	wr32(frame + CNT_P_CTL, 0);
	report(spurious == 0, "no unexpected interrupts");
}

void main_test(void)
{
	uint64_t hz = bootarg_u64("hz", 0);

	report_info("test: memtimer (VM %lu Hz)", (unsigned long)hz);
	install_exception_handler(VEC_CUR_SPX_IRQ, EC_ANY, irq_handler);
	if (!gic_init()) {
		report_skip("no interrupt controller", "memtimer");
		return;
	}
	if (!find_frames())
		return;
	check_control_frame(hz);
	check_counters(hz);
	check_access_control();
	check_registers(hz);
	check_interrupts(hz);
	check_beside_the_physical_timer(hz);
	check_routed_to_another_vcpu(hz);
}
