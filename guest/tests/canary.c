// SPDX-License-Identifier: MIT
/*
 * A canary beside a hostile VM: it fills its general registers, its FP/SIMD
 * registers, every EL1/EL0 system register a vCPU owns that this CPU has, and
 * "kib=N" KiB of its RAM with a pattern of its own ("seed=N"), then checks
 * them again and again, giving its host CPU away (WFI) in between, for
 * "seconds=N" seconds of guest time (0: until the host stops). Whatever another
 * VM left in a register or in memory shows up as a mismatch, printed with the
 * value found. One line a second says it is alive.
 */
#include "libguest.h"

#define MAX_SHOWN  20
#define MEM_BASE   (GUEST_RAM_BASE + 0x100000) /* past the image, below the device tree */
#define CPACR_FPEN ((3UL << 20) | (3UL << 16)) /* FP/SIMD, and SVE where there is one */

static uint64_t seed;
static unsigned int mismatches, shown;
static volatile unsigned int undefs;

static uint64_t pattern(uint64_t i)
{
	uint64_t z = (seed << 40) ^ (i * 0x9e3779b97f4a7c15UL) ^ 0xca7a1e55ca7a1e55UL;

	return z ^ (z >> 29);
}

static void mismatch(const char *what, unsigned int index, uint64_t want, uint64_t found)
{
	mismatches++;
	if (shown++ < MAX_SHOWN)
		report_info("canary: MISMATCH %s %u: 0x%lx, not 0x%lx", what, index,
			    (unsigned long)found, (unsigned long)want);
}

static void on_undef(struct pt_regs *regs)
{
	undefs++;
	regs->elr += 4;
}

/* --- system registers: written once, read back for what the CPU keeps, checked after --- */

#define SYSREG(name, mask)                     \
	static uint64_t rd_##name(void)        \
	{                                      \
		return read_sysreg(name);      \
	}                                      \
	static void wr_##name(uint64_t v)      \
	{                                      \
		write_sysreg(name, v &(mask)); \
	}

/* Registers whose value the canary may choose without upsetting itself (MMU off, no timer). */
SYSREG(tpidr_el0, ~0UL)
SYSREG(tpidrro_el0, ~0UL)
SYSREG(tpidr_el1, ~0UL)
SYSREG(contextidr_el1, 0xffffffffUL)
SYSREG(par_el1, ~1UL)
SYSREG(far_el1, ~0UL)
SYSREG(afsr0_el1, 0xffffffffUL)
SYSREG(afsr1_el1, 0xffffffffUL)
SYSREG(mair_el1, ~0UL)
SYSREG(amair_el1, ~0UL)
SYSREG(ttbr0_el1, 0x0000fffffffff000UL)
SYSREG(ttbr1_el1, 0x0000fffffffff000UL)
SYSREG(sp_el0, ~0xfUL)
SYSREG(cntkctl_el1, 0x3UL)	    /* EL0PCTEN, EL0VCTEN */
SYSREG(cntp_cval_el0, ~0UL)	    /* emulated per vCPU */
SYSREG(mdscr_el1, 1UL << 12)	    /* TDCC (emulated) */
SYSREG(S3_0_C2_C1_0, ~0UL)	    /* APIAKeyLo_EL1 */
SYSREG(S3_0_C2_C2_1, ~0UL)	    /* APDAKeyHi_EL1 */
SYSREG(S3_0_C2_C3_0, ~0UL)	    /* APGAKeyLo_EL1 */
SYSREG(S3_3_C13_C0_5, ~0UL)	    /* TPIDR2_EL0 (SME) */
SYSREG(S3_3_C13_C0_7, ~0UL)	    /* SCXTNUM_EL0 */
SYSREG(S3_0_C13_C0_7, ~0UL)	    /* SCXTNUM_EL1 */
SYSREG(S3_0_C1_C2_0, 0xfUL)	    /* ZCR_EL1 (SVE) */
SYSREG(S3_0_C10_C4_1, 0xffffffffUL) /* LOREA_EL1: UNDEF if absent */
SYSREG(S3_0_C12_C1_1, 0x1ffffffUL)  /* DISR_EL1 (RAS) */
SYSREG(S3_0_C12_C12_3, 7UL)	    /* ICC_BPR1_EL1 (GICv3's, virtual) */
SYSREG(csselr_el1, 0xfUL)
/* Last: the UNDEFs of absent registers above write these. */
SYSREG(esr_el1, 0x1ffffffUL)
SYSREG(elr_el1, ~3UL)
SYSREG(spsr_el1, 0xf0000000UL)

struct sysreg {
	const char *name;
	uint64_t (*rd)(void);
	void (*wr)(uint64_t v);
	bool present;
	uint64_t want;
};

#define R(name, label)                                \
	{                                             \
		label, rd_##name, wr_##name, false, 0 \
	}

static struct sysreg sysregs[] = {
	R(tpidr_el0, "TPIDR_EL0"),
	R(tpidrro_el0, "TPIDRRO_EL0"),
	R(tpidr_el1, "TPIDR_EL1"),
	R(contextidr_el1, "CONTEXTIDR_EL1"),
	R(par_el1, "PAR_EL1"),
	R(far_el1, "FAR_EL1"),
	R(afsr0_el1, "AFSR0_EL1"),
	R(afsr1_el1, "AFSR1_EL1"),
	R(mair_el1, "MAIR_EL1"),
	R(amair_el1, "AMAIR_EL1"),
	R(ttbr0_el1, "TTBR0_EL1"),
	R(ttbr1_el1, "TTBR1_EL1"),
	R(sp_el0, "SP_EL0"),
	R(cntkctl_el1, "CNTKCTL_EL1"),
	R(cntp_cval_el0, "CNTP_CVAL_EL0"),
	R(mdscr_el1, "MDSCR_EL1"),
	R(S3_0_C2_C1_0, "APIAKeyLo_EL1"),
	R(S3_0_C2_C2_1, "APDAKeyHi_EL1"),
	R(S3_0_C2_C3_0, "APGAKeyLo_EL1"),
	R(S3_3_C13_C0_5, "TPIDR2_EL0"),
	R(S3_3_C13_C0_7, "SCXTNUM_EL0"),
	R(S3_0_C13_C0_7, "SCXTNUM_EL1"),
	R(S3_0_C1_C2_0, "ZCR_EL1"),
	R(S3_0_C10_C4_1, "LOREA_EL1"),
	R(S3_0_C12_C1_1, "DISR_EL1"),
	R(S3_0_C12_C12_3, "ICC_BPR1_EL1"),
	R(csselr_el1, "CSSELR_EL1"),
	R(esr_el1, "ESR_EL1"),
	R(elr_el1, "ELR_EL1"),
	R(spsr_el1, "SPSR_EL1"),
};

#define NSYSREGS (sizeof(sysregs) / sizeof(sysregs[0]))

static unsigned int fill_sysregs(void)
{
	unsigned int present = 0;

	for (unsigned int i = 0; i < NSYSREGS; i++) {
		struct sysreg *s = &sysregs[i];
		unsigned int before = undefs;

		s->wr(pattern(1000 + i));
		s->want = s->rd();
		s->present = undefs == before;
		present += s->present;
	}
	return present;
}

static void check_sysregs(void)
{
	for (unsigned int i = 0; i < NSYSREGS; i++) {
		const struct sysreg *s = &sysregs[i];
		uint64_t v;

		if (!s->present)
			continue;
		v = s->rd();
		if (v != s->want)
			mismatch(s->name, 0, s->want, v);
	}
}

/* --- general and FP/SIMD registers, kept across a WFI --- */

#define SX(n) "mov x" #n ", %[p]\n add %[p], %[p], #1\n"
#define CX(n) "cmp x" #n ", %[p]\n cinc %[bad], %[bad], ne\n add %[p], %[p], #1\n"
#define SQ(n) "fmov d" #n ", %[p]\n fmov v" #n ".d[1], %[p]\n add %[p], %[p], #1\n"
#define CQ(n)                                                                      \
	"fmov x0, d" #n "\n cmp x0, %[p]\n cinc %[bad], %[bad], ne\n mov x0, v" #n \
	".d[1]\n cmp x0, %[p]\n cinc %[bad], %[bad], ne\n add %[p], %[p], #1\n"
/* In groups short enough for one line each. */
#define SX_A SX(1) SX(2) SX(3) SX(4) SX(5) SX(6) SX(7) SX(8)
#define SX_B SX(9) SX(10) SX(11) SX(12) SX(13) SX(14) SX(15)
#define SX_C SX(19) SX(20) SX(21) SX(22) SX(23) SX(24) SX(25) SX(26) SX(27) SX(28)
#define CX_A CX(1) CX(2) CX(3) CX(4) CX(5) CX(6) CX(7) CX(8)
#define CX_B CX(9) CX(10) CX(11) CX(12) CX(13) CX(14) CX(15)
#define CX_C CX(19) CX(20) CX(21) CX(22) CX(23) CX(24) CX(25) CX(26) CX(27) CX(28)
#define SQ_A SQ(0) SQ(1) SQ(2) SQ(3) SQ(4) SQ(5) SQ(6) SQ(7) SQ(8) SQ(9) SQ(10)
#define SQ_B SQ(11) SQ(12) SQ(13) SQ(14) SQ(15) SQ(16) SQ(17) SQ(18) SQ(19) SQ(20)
#define SQ_C SQ(21) SQ(22) SQ(23) SQ(24) SQ(25) SQ(26) SQ(27) SQ(28) SQ(29) SQ(30) SQ(31)
#define CQ_A CQ(0) CQ(1) CQ(2) CQ(3) CQ(4) CQ(5) CQ(6) CQ(7) CQ(8) CQ(9) CQ(10)
#define CQ_B CQ(11) CQ(12) CQ(13) CQ(14) CQ(15) CQ(16) CQ(17) CQ(18) CQ(19) CQ(20)
#define CQ_C CQ(21) CQ(22) CQ(23) CQ(24) CQ(25) CQ(26) CQ(27) CQ(28) CQ(29) CQ(30) CQ(31)

/*
 * x1-x15, x19-x28 and q0-q31 hold consecutive values from @base across a WFI that
 * ends when the virtual timer fires (armed by the caller); returns how many
 * registers (halves of q registers counted apart) lost theirs. x16-x18 carry the
 * asm's own operands, x29/x30 the frame.
 */
static uint64_t registers_kept_across_wfi(uint64_t base)
{
	uint64_t p = base, bad = 0;

	__asm__ volatile(SX_A SX_B SX_C SQ_A SQ_B SQ_C
			 "1: wfi\n"
			 " mrs x0, cntv_ctl_el0\n"
			 " tbz x0, #2, 1b\n"
			 " mov %[p], %[b]\n" CX_A CX_B CX_C CQ_A CQ_B CQ_C
			 : [p] "+&r"(p), [bad] "+&r"(bad)
			 : [b] "r"(base)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x19", "x20", "x21", "x22", "x23", "x24",
			   "x25", "x26", "x27", "x28", "v0", "v1", "v2", "v3", "v4", "v5", "v6",
			   "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17",
			   "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
			   "v28", "v29", "v30", "v31", "cc", "memory");
	return bad;
}

/* --- memory --- */

static void fill_memory(volatile uint64_t *m, uint64_t words)
{
	for (uint64_t i = 0; i < words; i++)
		m[i] = pattern(i);
}

static void check_memory(const volatile uint64_t *m, uint64_t words)
{
	for (uint64_t i = 0; i < words; i++) {
		uint64_t v = m[i];

		if (v != pattern(i))
			mismatch("RAM word", (unsigned int)i, pattern(i), v);
	}
}

static void arm_timer(uint64_t ticks)
{
	write_sysreg(cntv_tval_el0, ticks);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
}

void main_test(void)
{
	uint64_t hz = read_sysreg(cntfrq_el0), seconds, words, checks = 0, start, next_line;
	volatile uint64_t *mem = (volatile uint64_t *)MEM_BASE;
	unsigned int nsys, bad_regs = 0;

	seed = bootarg_u64("seed", 1);
	seconds = bootarg_u64("seconds", 2);
	words = bootarg_u64("kib", 1024) * 1024 / 8;
	report_info("test: canary");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_ANY, on_undef);
	write_sysreg(cpacr_el1, CPACR_FPEN);
	isb();
	gic_init();
	gic_enable_irq(INTID_VTIMER);
	nsys = fill_sysregs();
	fill_memory(mem, words);
	start = next_line = read_vcounter();
	while (!seconds || read_vcounter() - start < seconds * hz) {
		arm_timer(hz / 20000); /* 50 us */
		bad_regs += (unsigned int)registers_kept_across_wfi(pattern(checks) & ~0xffffUL);
		write_sysreg(cntv_ctl_el0, 0);
		gic_drain();
		check_sysregs();
		check_memory(mem, words);
		checks++;
		if (read_vcounter() >= next_line) {
			report_info("canary: %lu checks, %u mismatches", (unsigned long)checks,
				    mismatches + bad_regs);
			next_line += hz;
		}
	}
	report(bad_regs == 0,
	       "x1-x15, x19-x28 and q0-q31 kept across %lu WFIs (%u lost their value)",
	       (unsigned long)checks, bad_regs);
	report(mismatches == 0,
	       "%u system registers and %lu KiB of RAM kept their pattern (%u "
	       "mismatches)",
	       nsys, (unsigned long)(words * 8 / 1024), mismatches);
}
