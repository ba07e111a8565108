// SPDX-License-Identifier: MIT
/*
 * The benchmark guest Skiff shares with its peers (bench/peers.py): the same image runs
 * under Skiff, Xen (dom0less), KVM (kvmtool, linked for its RAM at 0x80000000) and on
 * bare QEMU. It needs only what all of them give: an arm64 Image loader, a device tree
 * at x0 naming the UART and a GICv3, PSCI through HVC, the virtual timer on INTID 27.
 * Counter ticks, converted to instructions by bench/peers.py under -icount shift=0
 * (bootargs n=N and k=K change the counts, for the traced runs of the profiles):
 *   hvc_roundtrip / empty_loop   N PSCI_VERSION calls, and the same loop with a nop
 *   gicd_typer / ram_read        N reads of GICD_TYPER (the hypervisor emulates the
 *                                distributor), and the same loop reading RAM
 *   vtimer_spin / vtimer_wfi     from the virtual timer's deadline to the first
 *                                instruction of the guest's IRQ vector, summed over K
 *                                interrupts, the guest spinning or in WFI
 */
#include "libguest.h"

#define N	   20000U
#define K	   64U
#define GICD_TYPER 0x0004
/* The timer's deadline, this many ticks ahead: time to reach the wait (and WFI's trap). */
#define AHEAD_TICKS 2000U

/*
 * IRQ vector for the timer measurements: reads the virtual counter first, acknowledges
 * the interrupt at the GICv3 CPU interface (ICC_IAR1_EL1), turns the timer off, ends
 * the interrupt (ICC_EOIR1_EL1), and leaves the time and the INTID in irq_seen. It uses
 * only x16 and x17, which the wait loops (the only code that runs with IRQs unmasked
 * here) give up, and finds irq_seen in x18. Every other vector goes to the framework's.
 */
static struct {
	uint64_t ticks, intid;
} irq_seen;

__asm__(".macro peer_forward vec\n"
	"	.balign	0x80\n"
	"	b	el1_vectors + \\vec * 0x80\n"
	".endm\n"
	"	.text\n"
	"	.balign	0x800\n"
	"	.globl	peer_vectors\n"
	"peer_vectors:\n"
	"	peer_forward 0\n"
	"	peer_forward 1\n"
	"	peer_forward 2\n"
	"	peer_forward 3\n"
	"	peer_forward 4\n"
	"	.balign	0x80\n" /* current EL, SP_ELx: IRQ */
	"	isb\n"
	"	mrs	x16, cntvct_el0\n"
	"	mrs	x17, S3_0_C12_C12_0\n"
	"	msr	cntv_ctl_el0, xzr\n"
	"	msr	S3_0_C12_C12_1, x17\n"
	"	isb\n"
	"	stp	x16, x17, [x18]\n" /* x18: &irq_seen, set by the wait loop */
	"	eret\n"
	"	peer_forward 6\n"
	"	peer_forward 7\n"
	"	peer_forward 8\n"
	"	peer_forward 9\n"
	"	peer_forward 10\n"
	"	peer_forward 11\n"
	"	peer_forward 12\n"
	"	peer_forward 13\n"
	"	peer_forward 14\n"
	"	peer_forward 15\n"
	".purgem peer_forward\n");

extern const char peer_vectors[], el1_vectors[];

/*
 * Unmask IRQs, wait until the IRQ vector has run (spinning or in WFI), mask them again.
 * Two functions, not inlined: the profiles (bench/peers.py) tell the two waits apart by
 * the function the guest is in.
 */
__attribute__((noinline)) static void wait_spinning(void)
{
	register void *seen __asm__("x18") = &irq_seen;

	__asm__ volatile("	msr	daifclr, #2\n"
			 "1:	ldr	x17, [x18]\n"
			 "	cbz	x17, 1b\n"
			 "	msr	daifset, #2"
			 :
			 : "r"(seen)
			 : "x16", "x17", "memory");
}

__attribute__((noinline)) static void wait_in_wfi(void)
{
	register void *seen __asm__("x18") = &irq_seen;

	__asm__ volatile("	msr	daifclr, #2\n"
			 "1:	wfi\n"
			 "	ldr	x17, [x18]\n"
			 "	cbz	x17, 1b\n"
			 "	msr	daifset, #2"
			 :
			 : "r"(seen)
			 : "x16", "x17", "memory");
}

/* The sum over @k interrupts of the ticks from the deadline to the vector; false if an
 * interrupt other than the virtual timer's came. */
__attribute__((noinline)) static bool timer_latency(bool wfi, unsigned int k, uint64_t *sum)
{
	bool ok = true;

	*sum = 0;
	for (unsigned int i = 0; i < k; i++) {
		uint64_t deadline = read_vcounter() + AHEAD_TICKS;

		irq_seen.ticks = 0;
		irq_seen.intid = 0;
		write_sysreg(cntv_cval_el0, deadline);
		write_sysreg(cntv_ctl_el0, 1); /* enabled, not masked */
		isb();
		if (wfi)
			wait_in_wfi();
		else
			wait_spinning();
		ok = ok && (irq_seen.intid & 0xffffff) == INTID_VTIMER;
		*sum += irq_seen.ticks - deadline;
	}
	return ok;
}

void main_test(void)
{
	static volatile uint32_t ram_word = 1;
	uint64_t hvc, empty, gicd, ram, spin = 0, wfi = 0;
	unsigned int gic = gic_init();
	bool spin_ok = false, wfi_ok = false;
	unsigned int n = (unsigned int)bootarg_u64("n", N), k = (unsigned int)bootarg_u64("k", K);

	hvc = bench_hvc_loop(n);
	empty = bench_nop_loop(n);
	(void)bench_read_loop(1, (uint64_t)&ram_word); /* map the page before timing */
	ram = bench_read_loop(n, (uint64_t)&ram_word);
	gicd = gic == 3 ? bench_read_loop(n, gic_dist_base() + GICD_TYPER) : 0;
	if (gic == 3) {
		gic_enable_irq(INTID_VTIMER);
		write_sysreg(vbar_el1, (uint64_t)peer_vectors);
		isb();
		spin_ok = timer_latency(false, k, &spin);
		wfi_ok = timer_latency(true, k, &wfi);
		write_sysreg(vbar_el1, (uint64_t)el1_vectors);
		isb();
	}

	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: hvc_roundtrip ticks=%lu iterations=%u\n", (unsigned long)hvc, n);
	printf("bench: empty_loop ticks=%lu iterations=%u\n", (unsigned long)empty, n);
	printf("bench: ram_read ticks=%lu iterations=%u\n", (unsigned long)ram, n);
	if (gic == 3) {
		printf("bench: gicd_typer ticks=%lu iterations=%u\n", (unsigned long)gicd, n);
		printf("bench: vtimer_spin ticks=%lu iterations=%u\n", (unsigned long)spin, k);
		printf("bench: vtimer_wfi ticks=%lu iterations=%u\n", (unsigned long)wfi, k);
	}
	report(hvc > empty, "an HVC round trip costs more than a nop");
	report(gic == 3, "the device tree describes a GICv3");
	report(spin_ok && wfi_ok, "every interrupt taken was the virtual timer's");
}
