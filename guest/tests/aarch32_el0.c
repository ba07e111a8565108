// SPDX-License-Identifier: MIT
/*
 * Traps from AArch32 EL0 (a 32-bit process in a Linux guest): Thumb code at
 * EL0 reads the emulated UART with a 16-bit and a 32-bit load and waits in a
 * 16-bit WFI; Skiff must step over each by its own length (ESR_EL2.IL), not 4
 * bytes. A load from an address with nothing behind it gets an external
 * abort, which must arrive at the vector for a lower EL in AArch32 (VBAR_EL1 +
 * 0x600), not the AArch64 one. Skipped on CPUs without AArch32 at EL0.
 */
#include "libguest.h"

#define SCTLR_NTWI (1UL << 16)

/* Thumb, little-endian halfwords; r0 = UART base on entry, result in r0 for svc #0. */
static const uint16_t mmio_and_wfi[] __attribute__((aligned(4))) = {
	0x4601,		/* mov   r1, r0 */
	0x2300,		/* movs  r3, #0 */
	0x6988,		/* ldr   r0, [r1, #24]   16-bit load from UARTFR: emulated */
	0x3301,		/* adds  r3, #1          runs only if the load was stepped over by 2 */
	0xbf30,		/* wfi                   16-bit, trapped (HCR_EL2.TWI) */
	0x3302,		/* adds  r3, #2 */
	0xf8d1, 0x2018, /* ldr.w r2, [r1, #24]   32-bit load from UARTFR: emulated */
	0x3304,		/* adds  r3, #4 */
	0x4618,		/* mov   r0, r3 */
	0xdf00,		/* svc   #0 */
};

static const uint16_t load_from_nothing[] __attribute__((aligned(4))) = {
	0x217f, /* movs  r1, #0x7f */
	0x0609, /* lsls  r1, r1, #24     0x7f000000: below RAM, no device */
	0x6808, /* ldr   r0, [r1] */
	0xdf00, /* svc   #0              not reached: the abort ends the run */
};

static volatile uint64_t abort_esr, abort_elr, abort_spsr;

static void on_a32_abort(struct pt_regs *regs)
{
	abort_esr = regs->esr;
	abort_elr = regs->elr;
	abort_spsr = regs->spsr;
	el0_return(0xab);
}

/* Arms the virtual timer so that the trapped WFI has something to wake it. */
static void arm_wakeup(void)
{
	gic_init();
	gic_enable_irq(INTID_VTIMER);
	write_sysreg(cntv_tval_el0, read_sysreg(cntfrq_el0) / 1000);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
}

void main_test(void)
{
	uint64_t el0 = (read_sysreg(id_aa64pfr0_el1) >> 0) & 0xf;
	uint64_t r;

	report_info("test: aarch32_el0");
	if (el0 != 2) {
		report_skip("no AArch32 at EL0",
			    "Thumb code at AArch32 EL0 (ID_AA64PFR0_EL1.EL0 %lu)",
			    (unsigned long)el0);
		return;
	}
	arm_wakeup();
	/* SCTLR_EL1.nTWI: EL0's WFI is not the guest kernel's to trap, so EL2 sees it. */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_NTWI);
	isb();
	r = run_at_el0_a32((uint64_t)mmio_and_wfi, GUEST_UART_BASE);
	write_sysreg(cntv_ctl_el0, 0);
	gic_drain();
	report(r == 7,
	       "16-bit and 32-bit Thumb instructions trapped at EL0 are stepped over by "
	       "their own length (r3 = %lu, want 7)",
	       (unsigned long)r);
	install_exception_handler(VEC_LOWER_A32_SYNC, EC_DABT_LOW, on_a32_abort);
	r = run_at_el0_a32((uint64_t)load_from_nothing, 0);
	report(r == 0xab, "an abort Skiff injects into AArch32 EL0 arrives at VBAR_EL1 + 0x600");
	report(ESR_EC(abort_esr) == EC_DABT_LOW && abort_elr == (uint64_t)&load_from_nothing[2],
	       "as a data abort from a lower EL at the load (ESR 0x%lx, ELR 0x%lx)",
	       (unsigned long)abort_esr, (unsigned long)abort_elr);
	report((abort_spsr & 0x1f) == 0x10 && (abort_spsr & 0x20),
	       "SPSR_EL1 says AArch32 User mode, Thumb (0x%lx)", (unsigned long)abort_spsr);
}
