// SPDX-License-Identifier: MIT
/*
 * Registers of features newer than ARMv8.0 that Skiff does not switch between
 * vCPUs must not be shared between VMs: where the CPU has the feature, the
 * guest's access gives it UNDEF (it sees a CPU without it). Features the CPU
 * lacks are skipped. Also: the speculation workarounds are offered with an
 * answer SMCCC allows.
 */
#include "libguest.h"

#define SMCCC_WA1 0x80008000U
#define SMCCC_WA2 0x80007fffU
#define SMCCC_WA3 0x80003fffU

static volatile unsigned int undefs;

static void on_undef(struct pt_regs *regs)
{
	undefs++;
	regs->elr += 4;
}

/* Reads system register @enc (an "S3_..." name) and says whether that gave UNDEF. */
#define READ_UNDEFS(enc)                                                  \
	({                                                                \
		unsigned int before = undefs;                             \
		uint64_t v;                                               \
		__asm__ volatile("mrs %0, " #enc : "=r"(v) : : "memory"); \
		(void)v;                                                  \
		undefs == before + 1;                                     \
	})

static uint64_t id_field(uint64_t reg, unsigned int lo)
{
	return (reg >> lo) & 0xf;
}

static void check(bool present, const char *feature, bool undef, const char *reg)
{
	if (!present) {
		report_skip("the CPU lacks it", "%s (%s) gives UNDEF", reg, feature);
		return;
	}
	report(undef, "%s (%s) gives UNDEF", reg, feature);
}

/*
 * TPIDR2_EL0 (FEAT_SME) may trap (fine-grained traps) or be switched with the
 * vCPU: either way no other VM sees or changes it. The system test runs two of
 * these VMs, with their own seeds, on one CPU.
 */
static void check_tpidr2(bool present, uint64_t seed)
{
	unsigned int lost = 0;

	if (!present) {
		report_skip("the CPU lacks it", "TPIDR2_EL0 (FEAT_SME) is this VM's own");
		return;
	}
	if (READ_UNDEFS(S3_3_C13_C0_5)) {
		report(true, "TPIDR2_EL0 (FEAT_SME) gives UNDEF");
		return;
	}
	for (unsigned int i = 0; i < 100; i++) {
		uint64_t want = (seed << 32) | i;

		write_sysreg(S3_3_C13_C0_5, want);
		yield_cpu();
		lost += read_sysreg(S3_3_C13_C0_5) != want;
	}
	report(lost == 0, "TPIDR2_EL0 (FEAT_SME) is this VM's own across 100 yields (%u lost)",
	       lost);
}

static bool smccc_answer_allowed(uint32_t fid, bool minus_two)
{
	struct smccc_res r;
	int64_t v;

	smccc_hvc(SMCCC_ARCH_FEATURES, fid, 0, 0, &r);
	v = (int64_t)r.a0;
	return v == 0 || v == 1 || v == -1 || (minus_two && v == -2);
}

void main_test(void)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), dfr0 = read_sysreg(id_aa64dfr0_el1);
	uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);

	report_info("test: newer_regs");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_undef);
	check(id_field(mmfr1, 16), "FEAT_LOR", READ_UNDEFS(S3_0_C10_C4_3), "LORC_EL1");
	check(id_field(pfr0, 28), "FEAT_RAS", READ_UNDEFS(S3_0_C5_C3_1), "ERRSELR_EL1");
	check(id_field(pfr0, 44), "FEAT_AMU", READ_UNDEFS(S3_3_C13_C2_0), "AMCR_EL0");
	check(id_field(dfr0, 40), "FEAT_TRF", READ_UNDEFS(S3_0_C1_C2_1), "TRFCR_EL1");
	check(id_field(dfr0, 32), "FEAT_SPE", READ_UNDEFS(S3_0_C9_C9_0), "PMSCR_EL1");
	check(id_field(pfr0, 56) >= 2, "FEAT_CSV2_2", READ_UNDEFS(S3_0_C13_C0_7), "SCXTNUM_EL1");
	check_tpidr2(id_field(pfr1, 24), bootarg_u64("seed", 1));
	report(smccc_answer_allowed(SMCCC_WA1, false) && smccc_answer_allowed(SMCCC_WA3, false) &&
		       smccc_answer_allowed(SMCCC_WA2, true),
	       "SMCCC_ARCH_FEATURES answers for the speculation workarounds are SMCCC's");
}
