// SPDX-License-Identifier: MIT
/*
 * More traps from a Thumb program at AArch32 EL0 than aarch32_el0's: a 16-bit
 * load from the emulated UART inside an IT block (stepped over, the block goes
 * on), a read of the trapped physical counter with MRRC (CNTKCTL_EL1.EL0PCTEN
 * set: emulated like CNTPCT_EL0), and a debug register access Skiff refuses
 * (UNDEF at the instruction, through VBAR_EL1 + 0x600). Found by the fuzz guest
 * (seed 1). (A WFI inside an IT block is left out: QEMU 7.2 saves the IT state of
 * the instruction after it when it traps.)
 */
#include "libguest.h"

#define EL0PCTEN       1UL
#define T16_SVC0       0xdf00
#define T16_MOVS(r, i) (0x2000 | ((r) << 8) | (i))
#define T16_ADDS(r, i) (0x3000 | ((r) << 8) | (i))
#define T16_LDR(t, n)  (0x6800 | ((n) << 3) | (t)) /* ldr rt, [rn] */
#define T16_ITE_NE     0xbf14			   /* the next two: NE, then EQ */

static uint16_t code[32] __attribute__((aligned(64)));
static volatile unsigned int undefs, wrong_vector;
static volatile uint64_t undef_elr, undef_esr;

static void on_a32_undef(struct pt_regs *regs)
{
	uint16_t first = *(const uint16_t *)regs->elr;

	undefs++;
	undef_elr = regs->elr;
	undef_esr = regs->esr;
	regs->elr += (first >> 11) >= 0x1d ? 4 : 2; /* ESR.IL is 1 for any UNDEF */
}

static void on_a64_vector(struct pt_regs *regs)
{
	wrong_vector++;
	regs->elr += 4;
}

/* Writes the program (terminated by svc #0) and runs it with r0 = @r0. */
static uint64_t run(const uint16_t *prog, unsigned int n, uint64_t r0)
{
	for (unsigned int i = 0; i < n; i++)
		code[i] = prog[i];
	dsb(sy);
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(sy);
	isb();
	return run_at_el0_a32((uint64_t)code, r0);
}

#define T16_MOVS_R2_R0 0x0002 /* lsls r2, r0, #0: the UART address run() passes in r0 */

static void test_mmio(void)
{
	/* r0 = 1 + 2 + (UARTFR & TXFE, 0x80). */
	static const uint16_t plain[] = { T16_MOVS_R2_R0, T16_MOVS(0, 0),
					  T16_LDR(1, 2),  T16_ADDS(0, 1),
					  T16_ADDS(0, 2), 0x2380, /* movs r3, #0x80 */
					  0x4019,		  /* ands r1, r3 */
					  0x1840,		  /* adds r0, r0, r1 */
					  T16_SVC0 };
	/* ITE NE with Z clear: the load runs, the MOVS (EQ) does not, the ADDS after the block
	 * does. */
	static const uint16_t in_it[] = { T16_MOVS_R2_R0, T16_MOVS(0, 1), T16_ITE_NE,
					  T16_LDR(1, 2),  T16_MOVS(0, 5), T16_ADDS(0, 2),
					  T16_SVC0,	  T16_ADDS(0, 8), T16_SVC0 };
	uint64_t uartfr = GUEST_UART_BASE + 0x18;
	uint64_t r = run(plain, sizeof(plain) / 2, uartfr);

	report(r == 0x83,
	       "a 16-bit load from the UART is stepped over by 2 bytes and reads UARTFR "
	       "(r0 0x%lx, want 0x83)",
	       (unsigned long)r);
	r = run(in_it, sizeof(in_it) / 2, uartfr);
	report(r == 3, "the same load in an IT block: the block goes on after it (r0 %lu, want 3)",
	       (unsigned long)r);
}

static void test_counter(void)
{
	/* mrrc p15, 0, r0, r1, c14 (CNTPCT), then svc #0: r0 is the count's low half. */
	static const uint16_t prog[] = { 0xec51, 0x0f0e, T16_SVC0 };
	uint32_t before, after, got;

	undefs = 0;
	write_sysreg(cntkctl_el1, read_sysreg(cntkctl_el1) | EL0PCTEN);
	isb();
	before = (uint32_t)read_vcounter();
	got = (uint32_t)run(prog, sizeof(prog) / 2, 0);
	after = (uint32_t)read_vcounter();
	report(got - before <= after - before && undefs == 0,
	       "MRRC of CNTPCT reads the VM's counter (0x%x, between 0x%x and 0x%x; %u UNDEFs)",
	       got, before, after, undefs);
}

static void test_undef(void)
{
	/* mrc p14, 0, r0, c0, c1, 0 (DBGDSCRint): a debug register Skiff does not offer. */
	static const uint16_t prog[] = { T16_MOVS(0, 7), 0xee10, 0x0e11, T16_SVC0 };
	uint64_t r;

	undefs = 0;
	r = run(prog, sizeof(prog) / 2, 0);
	report(undefs == 1 && !wrong_vector && undef_elr == (uint64_t)&code[1] &&
		       ((undef_esr >> 25) & 1) && (undef_esr >> 26) == 0 && r == 7,
	       "DBGDSCRint from AArch32 EL0: UNDEF at the instruction, through VBAR_EL1 + 0x600 "
	       "(%u UNDEFs, %u through the AArch64 vector, ELR 0x%lx, ESR 0x%lx)",
	       undefs, wrong_vector, (unsigned long)undef_elr, (unsigned long)undef_esr);
}

void main_test(void)
{
	report_info("test: aarch32_traps");
	if ((read_sysreg(id_aa64pfr0_el1) & 0xf) != 2) {
		report_skip("no AArch32 at EL0", "a Thumb program at EL0");
		return;
	}
	install_exception_handler(VEC_LOWER_A32_SYNC, EC_UNKNOWN, on_a32_undef);
	install_exception_handler(VEC_LOWER_SYNC, EC_ANY, on_a64_vector);
	test_mmio();
	test_counter();
	test_undef();
}
