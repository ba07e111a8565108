// SPDX-License-Identifier: MIT
/*
 * The CPU a VM is shown (docs/migration.md, "CPU profiles"). Prints every ID
 * register the guest can read, one "id NAME 0xVALUE" line each, which the
 * system test compares with the profile it configured (and across hosts);
 * then checks that what the registers say is what the CPU does: a feature
 * they deny that Skiff can take away (PAuth, SVE, DC ZVA) gives UNDEF, one
 * they offer works. Bootargs: profile=1 (a named or explicit profile, not
 * "host": no EL2, EL3, SME or MTE shown, reserved encodings zero), midr=N
 * (the MIDR_EL1 it must see).
 */
#include "libguest.h"

static volatile unsigned int undefs;
static volatile uint64_t last_ec;

/* What a DC ZVA zeroes: one block of it and nothing else. */
static uint8_t zva_area[4096] __attribute__((aligned(4096)));

static void on_undef(struct pt_regs *regs)
{
	undefs++;
	last_ec = ESR_EC(regs->esr);
	regs->elr += 4;
}

/* Runs @insn (one instruction, may use x9); true if it gave an UNDEF (EC 0) at EL1. */
#define GIVES_UNDEF(insn)                                        \
	({                                                       \
		unsigned int __before = undefs;                  \
		last_ec = 0xff;                                  \
		__asm__ volatile(insn ::: "x9", "memory");       \
		undefs == __before + 1 && last_ec == EC_UNKNOWN; \
	})

/* Every register of the ID space the guest reads, by encoding (older assemblers lack names). */
#define ID_REGS(X)                        \
	X(MIDR_EL1, S3_0_C0_C0_0)         \
	X(REVIDR_EL1, S3_0_C0_C0_6)       \
	X(AIDR_EL1, S3_1_C0_C0_7)         \
	X(ID_PFR0_EL1, S3_0_C0_C1_0)      \
	X(ID_PFR1_EL1, S3_0_C0_C1_1)      \
	X(ID_DFR0_EL1, S3_0_C0_C1_2)      \
	X(ID_AFR0_EL1, S3_0_C0_C1_3)      \
	X(ID_MMFR0_EL1, S3_0_C0_C1_4)     \
	X(ID_MMFR1_EL1, S3_0_C0_C1_5)     \
	X(ID_MMFR2_EL1, S3_0_C0_C1_6)     \
	X(ID_MMFR3_EL1, S3_0_C0_C1_7)     \
	X(ID_ISAR0_EL1, S3_0_C0_C2_0)     \
	X(ID_ISAR1_EL1, S3_0_C0_C2_1)     \
	X(ID_ISAR2_EL1, S3_0_C0_C2_2)     \
	X(ID_ISAR3_EL1, S3_0_C0_C2_3)     \
	X(ID_ISAR4_EL1, S3_0_C0_C2_4)     \
	X(ID_ISAR5_EL1, S3_0_C0_C2_5)     \
	X(ID_MMFR4_EL1, S3_0_C0_C2_6)     \
	X(ID_ISAR6_EL1, S3_0_C0_C2_7)     \
	X(MVFR0_EL1, S3_0_C0_C3_0)        \
	X(MVFR1_EL1, S3_0_C0_C3_1)        \
	X(MVFR2_EL1, S3_0_C0_C3_2)        \
	X(ID_PFR2_EL1, S3_0_C0_C3_4)      \
	X(ID_DFR1_EL1, S3_0_C0_C3_5)      \
	X(ID_MMFR5_EL1, S3_0_C0_C3_6)     \
	X(ID_AA64PFR0_EL1, S3_0_C0_C4_0)  \
	X(ID_AA64PFR1_EL1, S3_0_C0_C4_1)  \
	X(ID_AA64PFR2_EL1, S3_0_C0_C4_2)  \
	X(ID_AA64ZFR0_EL1, S3_0_C0_C4_4)  \
	X(ID_AA64SMFR0_EL1, S3_0_C0_C4_5) \
	X(ID_AA64FPFR0_EL1, S3_0_C0_C4_7) \
	X(ID_AA64DFR0_EL1, S3_0_C0_C5_0)  \
	X(ID_AA64DFR1_EL1, S3_0_C0_C5_1)  \
	X(ID_AA64AFR0_EL1, S3_0_C0_C5_4)  \
	X(ID_AA64AFR1_EL1, S3_0_C0_C5_5)  \
	X(ID_AA64ISAR0_EL1, S3_0_C0_C6_0) \
	X(ID_AA64ISAR1_EL1, S3_0_C0_C6_1) \
	X(ID_AA64ISAR2_EL1, S3_0_C0_C6_2) \
	X(ID_AA64ISAR3_EL1, S3_0_C0_C6_3) \
	X(ID_AA64MMFR0_EL1, S3_0_C0_C7_0) \
	X(ID_AA64MMFR1_EL1, S3_0_C0_C7_1) \
	X(ID_AA64MMFR2_EL1, S3_0_C0_C7_2) \
	X(ID_AA64MMFR3_EL1, S3_0_C0_C7_3) \
	X(ID_AA64MMFR4_EL1, S3_0_C0_C7_4) \
	X(RESERVED_C3_3, S3_0_C0_C3_3)    \
	X(RESERVED_C7_7, S3_0_C0_C7_7)    \
	X(CTR_EL0, S3_3_C0_C0_1)          \
	X(CLIDR_EL1, S3_1_C0_C0_1)        \
	X(DCZID_EL0, S3_3_C0_C0_7)

#define DECLARE_ID(name, enc) static uint64_t name;
ID_REGS(DECLARE_ID)

static void read_all(void)
{
#define READ_ID(name, enc) name = read_sysreg(enc);
	ID_REGS(READ_ID)
}

static void print_all(void)
{
#define PRINT_ID(name, enc) printf("id %s 0x%lx\n", #name, (unsigned long)name);
	ID_REGS(PRINT_ID)
}

static uint64_t field(uint64_t reg, unsigned int lo)
{
	return (reg >> lo) & 0xf;
}

#define CSSELR_EL1 S3_2_C0_C0_0
#define CCSIDR_EL1 S3_1_C0_C0_0

/* CCSIDR_EL1 of cache @level (1-7), data/unified or instruction, through CSSELR_EL1. */
static uint64_t ccsidr(unsigned int level, bool icache, bool *csselr_ok)
{
	uint64_t sel = ((uint64_t)(level - 1) << 1) | (icache ? 1 : 0);

	write_sysreg(CSSELR_EL1, sel);
	isb();
	*csselr_ok = read_sysreg(CSSELR_EL1) == sel;
	return read_sysreg(CCSIDR_EL1);
}

/* The cache geometry: CLIDR's levels each have a CCSIDR with a sane line size. */
static void check_caches(void)
{
	unsigned int levels = 0, bad = 0, csselr_bad = 0;
	uint64_t dline = 4UL << field(CTR_EL0, 16), smallest = ~0UL;

	report(CTR_EL0 & (1UL << 31), "CTR_EL0 0x%lx has bit 31 (RES1) set",
	       (unsigned long)CTR_EL0);
	report(field(CTR_EL0, 0) >= 3 && field(CTR_EL0, 16) >= 3,
	       "CTR_EL0 line sizes of at least 32 bytes (I %lu, D %lu)", 4UL << field(CTR_EL0, 0),
	       dline);
	for (unsigned int level = 1; level <= 7; level++) {
		uint64_t type = (CLIDR_EL1 >> (3 * (level - 1))) & 7;
		bool ok;

		if (!type)
			break;
		levels++;
		if (type != 1) { /* a data or unified cache */
			uint64_t c = ccsidr(level, false, &ok);
			uint64_t line = 16UL << (c & 7);

			csselr_bad += !ok;
			bad += !c;
			if (line < smallest)
				smallest = line;
			printf("id CCSIDR_L%u_D 0x%lx\n", level, (unsigned long)c);
		}
		if (type == 1 || type == 3) { /* an instruction cache */
			uint64_t c = ccsidr(level, true, &ok);

			csselr_bad += !ok;
			bad += !c;
			printf("id CCSIDR_L%u_I 0x%lx\n", level, (unsigned long)c);
		}
	}
	report(levels >= 1, "CLIDR_EL1 0x%lx names %u cache level(s)", (unsigned long)CLIDR_EL1,
	       levels);
	report(((CLIDR_EL1 >> 24) & 7) >= 1, "CLIDR_EL1.LoC is at least 1");
	report(!bad && !csselr_bad,
	       "every cache level has a CCSIDR_EL1, CSSELR_EL1 reads back "
	       "(%u empty, %u CSSELR mismatches)",
	       bad, csselr_bad);
	report(smallest >= dline,
	       "CTR_EL0.DminLine (%lu bytes) is no larger than any data line (%lu)", dline,
	       smallest);
}

/*
 * CSSELR_EL1 is the vCPU's own: it keeps its value, and selects the same
 * CCSIDR_EL1, after the vCPU left the CPU and came back.
 */
static void check_csselr_kept(void)
{
	uint64_t before, after, sel;

	write_sysreg(CSSELR_EL1, 1); /* level 1, instruction */
	isb();
	before = read_sysreg(CCSIDR_EL1);
	for (unsigned int i = 0; i < 20; i++)
		yield_cpu();
	sel = read_sysreg(CSSELR_EL1);
	after = read_sysreg(CCSIDR_EL1);
	report(sel == 1 && after == before,
	       "CSSELR_EL1 kept across 20 yields (0x%lx), CCSIDR_EL1 0x%lx then 0x%lx",
	       (unsigned long)sel, (unsigned long)before, (unsigned long)after);
	write_sysreg(CSSELR_EL1, 0);
	isb();
}

static uint64_t ctr_at_el0(uint64_t arg)
{
	(void)arg;
	el0_exit(read_sysreg(S3_3_C0_C0_1));
}

/* EL0 reads CTR_EL0 (SCTLR_EL1.UCT set): the same value as EL1. */
static void check_ctr_at_el0(void)
{
	uint64_t sctlr = read_sysreg(sctlr_el1), v;

	write_sysreg(sctlr_el1, sctlr | (1UL << 15));
	isb();
	v = run_at_el0(ctr_at_el0, 0);
	write_sysreg(sctlr_el1, sctlr);
	isb();
	report(v == CTR_EL0, "CTR_EL0 read at EL0 0x%lx is EL1's 0x%lx", (unsigned long)v,
	       (unsigned long)CTR_EL0);
}

/* PAuth: ID_AA64ISAR1_EL1 APA, API, GPA, GPI; ID_AA64ISAR2_EL1 APA3, GPA3. */
static void check_pauth(void)
{
	bool address = field(ID_AA64ISAR1_EL1, 4) || field(ID_AA64ISAR1_EL1, 8) ||
		       field(ID_AA64ISAR2_EL1, 12);
	bool generic = field(ID_AA64ISAR1_EL1, 24) || field(ID_AA64ISAR1_EL1, 28) ||
		       field(ID_AA64ISAR2_EL1, 8);
	/* pacga x9, x9, x9: not in the HINT space, UNDEF without generic PAuth. */
	bool pacga_undef = GIVES_UNDEF(".inst 0x9ac93129");
	bool key_undef = GIVES_UNDEF("mrs x9, S3_0_C2_C1_0"); /* APIAKeyLo_EL1 */

	if (generic)
		report(!pacga_undef, "PAuth shown (generic): PACGA runs");
	else
		report(pacga_undef, "no generic PAuth shown: PACGA gives UNDEF");
	if (address || generic)
		report(!key_undef, "PAuth shown: APIAKeyLo_EL1 is readable");
	else
		report(key_undef, "no PAuth shown: APIAKeyLo_EL1 gives UNDEF");
}

/* SVE, with CPACR_EL1.ZEN allowing it: RDVL gives 16 (128-bit vectors) or UNDEF. */
static void check_sve(void)
{
	uint64_t cpacr = read_sysreg(cpacr_el1);
	register uint64_t vl __asm__("x9") = 0;
	unsigned int before = undefs;

	write_sysreg(cpacr_el1, cpacr | (3UL << 20) | (3UL << 16)); /* FPEN, ZEN */
	isb();
	__asm__ volatile(".inst 0x04bf5029" : "+r"(vl)::"memory"); /* rdvl x9, #1 */
	write_sysreg(cpacr_el1, cpacr);
	isb();
	if (field(ID_AA64PFR0_EL1, 32))
		report(undefs == before && vl == 16, "SVE shown: RDVL gives %lu bytes",
		       (unsigned long)vl);
	else
		report(undefs == before + 1 && last_ec == EC_UNKNOWN,
		       "no SVE shown: RDVL gives UNDEF although CPACR_EL1.ZEN allows it");
}

/* DC ZVA: zeroes exactly the block DCZID_EL0.BS says, or, with DZP set, gives UNDEF. */
static void check_dc_zva(void)
{
	unsigned int before = undefs, nonzero = 0;
	unsigned int block = 4U << (DCZID_EL0 & 0xf);

	for (unsigned int i = 0; i < sizeof(zva_area); i++)
		zva_area[i] = 0xa5;
	__asm__ volatile("dc zva, %0" : : "r"(zva_area) : "memory");
	for (unsigned int i = 0; i < sizeof(zva_area); i++)
		nonzero += zva_area[i] != 0;
	if (DCZID_EL0 & (1UL << 4))
		report(undefs == before + 1 && last_ec == EC_UNKNOWN && nonzero == sizeof(zva_area),
		       "DCZID_EL0 0x%lx: DZP set, DC ZVA gives UNDEF and zeroes nothing",
		       (unsigned long)DCZID_EL0);
	else
		report(undefs == before && nonzero == sizeof(zva_area) - block,
		       "DCZID_EL0 0x%lx: DC ZVA zeroed one %u-byte block (%u bytes left nonzero)",
		       (unsigned long)DCZID_EL0, block, nonzero);
}

/* LSE atomics cannot be taken away (nothing traps them): checked only when shown. */
static void check_lse(void)
{
	uint64_t counter = 40, old = 0;

	if (field(ID_AA64ISAR0_EL1, 20) < 2) {
		report_skip("not shown; nothing traps them", "LSE atomics");
		return;
	}
	__asm__ volatile(".arch_extension lse\n\tldadd %2, %0, [%1]"
			 : "=&r"(old)
			 : "r"(&counter), "r"(2UL)
			 : "memory");
	report(old == 40 && counter == 42, "LSE shown: LDADD works (%lu, %lu)", (unsigned long)old,
	       (unsigned long)counter);
}

/* What a profile (anything but "host") never shows. */
static void check_profile_hides(void)
{
	report(field(ID_AA64PFR0_EL1, 8) == 0 && field(ID_AA64PFR0_EL1, 12) == 0,
	       "no EL2 or EL3 shown (ID_AA64PFR0_EL1 0x%lx)", (unsigned long)ID_AA64PFR0_EL1);
	report(field(ID_AA64PFR1_EL1, 24) == 0 && ID_AA64SMFR0_EL1 == 0, "no SME shown");
	report(field(ID_AA64PFR1_EL1, 8) == 0, "no MTE shown");
	report(RESERVED_C3_3 == 0 && RESERVED_C7_7 == 0 && ID_AA64ISAR3_EL1 == 0 &&
		       ID_AA64MMFR3_EL1 == 0 && ID_AA64PFR2_EL1 == 0,
	       "registers the profile does not hold read as zero");
}

void main_test(void)
{
	uint64_t midr = bootarg_u64("midr", 0);
	bool profile = bootarg_u64("profile", 0) != 0;

	report_info("test: cpuid (%s)", profile ? "a profile" : "the host's CPU");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_undef);
	read_all();
	print_all();
	check_caches();
	check_csselr_kept();
	check_ctr_at_el0();
	if (midr)
		report(MIDR_EL1 == midr, "MIDR_EL1 0x%lx is the profile's 0x%lx",
		       (unsigned long)MIDR_EL1, (unsigned long)midr);
	if (profile)
		check_profile_hides();
	check_pauth();
	check_sve();
	check_dc_zva();
	check_lse();
}
