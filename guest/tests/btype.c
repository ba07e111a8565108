// SPDX-License-Identifier: MIT
/*
 * PSTATE.BTYPE after an instruction the hypervisor performs for the guest
 * (FEAT_BTI). An indirect branch sets BTYPE and the instruction at its target
 * clears it by executing; one that traps to EL2 and is emulated and stepped
 * over must leave it clear too, or the instruction after it runs with the
 * branch's BTYPE (in a guarded page: a Branch Target exception from nowhere).
 * Seen here through SPSR_EL1 of an UNDEF taken at the next instruction, before
 * it executes. A BR to x16 sets BTYPE 1 from any page, guarded or not (the MMU
 * is off here). Without FEAT_BTI, BTYPE is RES0 and there is nothing to check.
 * An instruction whose fetch exits to the hypervisor (a stage-2 fault) has not
 * run yet, so it must keep its BTYPE: Skiff retries it, and in a guarded page
 * the branch-target check happens then.
 */
#include "libguest.h"

#define UARTFR 0x18 /* the PL011's flag register: a read Skiff emulates */

static volatile uint64_t undef_spsr;

static void on_undef(struct pt_regs *regs)
{
	undef_spsr = regs->spsr;
	regs->elr += 4;
}

/*
 * BR x16 to @insn, then UDF: SPSR_EL1.BTYPE at the UDF. x0 holds PSCI_VERSION
 * (for an HVC), x2 the UART's flag register.
 */
#define BTYPE_AFTER(insn)                                                        \
	({                                                                       \
		register uint64_t x0 __asm__("x0") = PSCI_VERSION;               \
		register uint64_t x2 __asm__("x2") = GUEST_UART_BASE + UARTFR;   \
		undef_spsr = ~0UL;                                               \
		__asm__ volatile("adr x16, 1f\n\tbr x16\n1:\t" insn "\n\tudf #0" \
				 : "+r"(x0), "+r"(x2)                            \
				 :                                               \
				 : "x1", "x3", "x16", "x17", "x20", "memory");   \
		(unsigned int)((undef_spsr >> 10) & 3);                          \
	})

/* A page of its own that is written, never run before: its first fetch faults at stage 2. */
static uint32_t fresh[1024] __attribute__((aligned(4096)));

/* BLR (BTYPE 2) to a UDF at the start of @code, followed by a RET; SPSR_EL1.BTYPE at the UDF. */
static unsigned int btype_at_udf(uint32_t *code)
{
	register uint64_t x16 __asm__("x16") = (uint64_t)code;

	undef_spsr = ~0UL;
	__asm__ volatile("blr x16" : "+r"(x16) : : "x30", "memory");
	return (unsigned int)((undef_spsr >> 10) & 3);
}

void main_test(void)
{
	uint64_t pfr1;

	report_info("test: btype");
	__asm__ volatile("mrs %0, S3_0_C0_C4_1" : "=r"(pfr1)); /* ID_AA64PFR1_EL1 */
	if (!(pfr1 & 0xf)) {
		report_skip("no FEAT_BTI", "BTYPE after an emulated instruction");
		return;
	}
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_undef);
	report(BTYPE_AFTER("nop") == 0, "a NOP at the branch target clears BTYPE (the baseline)");
	report(BTYPE_AFTER("") == 1, "BR x16 sets BTYPE 1 (what the checks below would see)");
	report(BTYPE_AFTER("ldr w1, [x2]") == 0,
	       "a device read through x1 (Skiff's fast path) leaves BTYPE 0");
	report(BTYPE_AFTER("ldr w20, [x2]") == 0,
	       "a device read through x20 (the full exit) leaves BTYPE 0");
	report(BTYPE_AFTER("mrs x1, mdccsr_el0") == 0,
	       "a trapped system register read (the DCC status) leaves BTYPE 0");
	/*
	 * An HVC is not stepped over by Skiff (ELR_EL2 is already past it): BTYPE
	 * is what the CPU saved in SPSR_EL2, 0 or the branch's (the Arm ARM leaves
	 * zeroing it CONSTRAINED UNPREDICTABLE for exceptions an instruction
	 * generates, as KVM leaves it too); never another value.
	 */
	report(BTYPE_AFTER("hvc #0") <= 1, "an HVC (PSCI_VERSION) leaves BTYPE 0 or 1");
	fresh[0] = INSN_UDF0;
	fresh[1] = INSN_RET;
	isb();
	report(btype_at_udf(fresh) == 2,
	       "BLR to a UDF whose fetch faulted to Skiff first: BTYPE 2 at the UDF");
	report(btype_at_udf(fresh) == 2, "the same once the page runs without a fault");
}
