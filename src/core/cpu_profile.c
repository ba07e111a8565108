// SPDX-License-Identifier: MIT
/*
 * CPU profiles: the field table, the named baselines, the field arithmetic
 * and the check a host (or a migration destination) makes. Generic code: the
 * registers themselves are read by arch_cpu_id_regs() and emulated by
 * core/sysreg.c from a struct cpu_view.
 */
#include <string.h>

#include "core/cpu_profile.h"
#include "core/sysreg.h"
#include "lib/format.h"

struct id_reg_info {
	const char *name;
	uint32_t enc;
	/*
	 * Fields Skiff never offers a VM with a profile (always shown as 0): EL2 and
	 * EL3, features whose registers Skiff traps or does not switch (RAS, AMU,
	 * MPAM, SPE, trace, LORegions, SME, MTE, ...), and controls of stage 2.
	 */
	uint64_t hidden;
};

#define NIB(lo)		      (0xfUL << (lo))
#define ENC(o0, o1, n, m, o2) SYS_ENC(o0, o1, n, m, o2)

static const struct id_reg_info regs[CPU_ID_REG_COUNT] = {
	[CPU_ID_AA64ISAR0_EL1] = { "ID_AA64ISAR0_EL1", ENC(3, 0, 0, 6, 0), NIB(24) /* TME */ },
	[CPU_ID_AA64ISAR1_EL1] = { "ID_AA64ISAR1_EL1", ENC(3, 0, 0, 6, 1),
				   NIB(60) | NIB(56) /* LS64, XS */ },
	[CPU_ID_AA64ISAR2_EL1] = { "ID_AA64ISAR2_EL1", ENC(3, 0, 0, 6, 2),
				   /* MOPS needs HCRX_EL2.MSCEn; WFxT would trap as plain WFx */
				   NIB(16) | NIB(0) },
	[CPU_ID_AA64PFR0_EL1] = { "ID_AA64PFR0_EL1", ENC(3, 0, 0, 4, 0),
				  /* RME, AMU, MPAM, SEL2, RAS, EL3, EL2 */
				  NIB(52) | NIB(44) | NIB(40) | NIB(36) | NIB(28) | NIB(12) |
					  NIB(8) },
	[CPU_ID_AA64PFR1_EL1] = { "ID_AA64PFR1_EL1", ENC(3, 0, 0, 4, 1),
				  /* all but CSV2_frac, SSBS and BT */
				  ~(NIB(32) | NIB(4) | NIB(0)) },
	[CPU_ID_AA64ZFR0_EL1] = { "ID_AA64ZFR0_EL1", ENC(3, 0, 0, 4, 4), 0 },
	[CPU_ID_AA64SMFR0_EL1] = { "ID_AA64SMFR0_EL1", ENC(3, 0, 0, 4, 5), ~0UL },
	[CPU_ID_AA64MMFR0_EL1] = { "ID_AA64MMFR0_EL1", ENC(3, 0, 0, 7, 0),
				   /* ECV, FGT, EXS, TGran*_2 (stage 2) */
				   NIB(60) | NIB(56) | NIB(44) | NIB(40) | NIB(36) | NIB(32) },
	[CPU_ID_AA64MMFR1_EL1] = { "ID_AA64MMFR1_EL1", ENC(3, 0, 0, 7, 1),
				   /* CMOW, TIDCP1, HCX, TWED, XNX, LO, VH, VMIDBits */
				   NIB(56) | NIB(52) | NIB(40) | NIB(32) | NIB(28) | NIB(16) |
					   NIB(8) | NIB(4) },
	[CPU_ID_AA64MMFR2_EL1] = { "ID_AA64MMFR2_EL1", ENC(3, 0, 0, 7, 2),
				   /* EVT, FWB, NV, CCIDX (CCSIDR_EL1 is shown in its 32-bit form)
				    */
				   NIB(56) | NIB(40) | NIB(24) | NIB(20) },
	[CPU_ID_AA64DFR0_EL1] = { "ID_AA64DFR0_EL1", ENC(3, 0, 0, 5, 0),
				  /* HPMN0, BRBE, MTPMU, TraceBuffer, TraceFilt, PMSVer, TraceVer */
				  NIB(60) | NIB(52) | NIB(48) | NIB(44) | NIB(40) | NIB(32) |
					  NIB(4) },
	[CPU_ID_AA64DFR1_EL1] = { "ID_AA64DFR1_EL1", ENC(3, 0, 0, 5, 1), ~0UL },
	[CPU_ID_AA64AFR0_EL1] = { "ID_AA64AFR0_EL1", ENC(3, 0, 0, 5, 4), ~0UL },
	[CPU_ID_AA64AFR1_EL1] = { "ID_AA64AFR1_EL1", ENC(3, 0, 0, 5, 5), ~0UL },
	[CPU_ID_PFR0_EL1] = { "ID_PFR0_EL1", ENC(3, 0, 0, 1, 0),
			      ~0xffffffffUL | NIB(28) | NIB(20) /* RAS, AMU */ },
	[CPU_ID_PFR1_EL1] = { "ID_PFR1_EL1", ENC(3, 0, 0, 1, 1),
			      /* Virt_frac, Sec_frac, Virtualization, Security */
			      ~0xffffffffUL | NIB(24) | NIB(20) | NIB(12) | NIB(4) },
	[CPU_ID_PFR2_EL1] = { "ID_PFR2_EL1", ENC(3, 0, 0, 3, 4), ~0xffUL /* RAS_frac, ... */ },
	[CPU_ID_DFR0_EL1] = { "ID_DFR0_EL1", ENC(3, 0, 0, 1, 2),
			      /* TraceFilt, MProfDbg, MMapTrc, CopTrc */
			      ~0xffffffffUL | NIB(28) | NIB(20) | NIB(16) | NIB(12) },
	[CPU_ID_DFR1_EL1] = { "ID_DFR1_EL1", ENC(3, 0, 0, 3, 5), ~0UL },
	[CPU_ID_AFR0_EL1] = { "ID_AFR0_EL1", ENC(3, 0, 0, 1, 3), ~0UL },
	[CPU_ID_MMFR0_EL1] = { "ID_MMFR0_EL1", ENC(3, 0, 0, 1, 4), ~0xffffffffUL },
	[CPU_ID_MMFR1_EL1] = { "ID_MMFR1_EL1", ENC(3, 0, 0, 1, 5), ~0xffffffffUL },
	[CPU_ID_MMFR2_EL1] = { "ID_MMFR2_EL1", ENC(3, 0, 0, 1, 6), ~0xffffffffUL },
	[CPU_ID_MMFR3_EL1] = { "ID_MMFR3_EL1", ENC(3, 0, 0, 1, 7), ~0xffffffffUL },
	[CPU_ID_MMFR4_EL1] = { "ID_MMFR4_EL1", ENC(3, 0, 0, 2, 6),
			       ~0xffffffffUL | NIB(28) | NIB(24) /* EVT, CCIDX */ },
	[CPU_ID_MMFR5_EL1] = { "ID_MMFR5_EL1", ENC(3, 0, 0, 3, 6), ~0xffUL },
	[CPU_ID_ISAR0_EL1] = { "ID_ISAR0_EL1", ENC(3, 0, 0, 2, 0), ~0xfffffffUL },
	[CPU_ID_ISAR1_EL1] = { "ID_ISAR1_EL1", ENC(3, 0, 0, 2, 1), ~0xffffffffUL },
	[CPU_ID_ISAR2_EL1] = { "ID_ISAR2_EL1", ENC(3, 0, 0, 2, 2), ~0xffffffffUL },
	[CPU_ID_ISAR3_EL1] = { "ID_ISAR3_EL1", ENC(3, 0, 0, 2, 3), ~0xffffffffUL },
	[CPU_ID_ISAR4_EL1] = { "ID_ISAR4_EL1", ENC(3, 0, 0, 2, 4), ~0xffffffffUL },
	[CPU_ID_ISAR5_EL1] = { "ID_ISAR5_EL1", ENC(3, 0, 0, 2, 5), ~0xffffffffUL },
	[CPU_ID_ISAR6_EL1] = { "ID_ISAR6_EL1", ENC(3, 0, 0, 2, 7), ~0xfffffffUL },
	[CPU_MVFR0_EL1] = { "MVFR0_EL1", ENC(3, 0, 0, 3, 0), ~0xffffffffUL },
	[CPU_MVFR1_EL1] = { "MVFR1_EL1", ENC(3, 0, 0, 3, 1), ~0xffffffffUL },
	[CPU_MVFR2_EL1] = { "MVFR2_EL1", ENC(3, 0, 0, 3, 2), ~0xffUL },
	/* TminLine (MTE) and the RES0 bits; every other bit is a field below. */
	[CPU_CTR_EL0] = { "CTR_EL0", ENC(3, 3, 0, 0, 1), ~(0x3fffc00fUL | (1UL << 31)) },
	/* Ttypen (MTE) and above. */
	[CPU_CLIDR_EL1] = { "CLIDR_EL1", ENC(3, 1, 0, 0, 1), ~0x1ffffffffUL },
	[CPU_DCZID_EL0] = { "DCZID_EL0", ENC(3, 3, 0, 0, 7), ~0x1fUL },
};

#define DCZID_DZP     (1UL << 4)
#define DCZID_NO_SAFE 0xff /* no value of BS fits every host */
#define F(r, lo, w, k, n, feat)                           \
	{                                                 \
		CPU_##r, lo, w, CPU_FIELD_##k, 0, n, feat \
	}
#define FX(r, lo, safe, n, feat)                               \
	{                                                      \
		CPU_##r, lo, 4, CPU_FIELD_EXACT, safe, n, feat \
	}

/*
 * The fields with a name, a kind other than "unsigned, lower is safe", or
 * both; the first that fails a check is the one a refusal names, so the
 * features people ask for come first. Values: the Arm ARM's ID register
 * descriptions and its "Principles of the ID scheme for fields in ID registers".
 */
static const struct cpu_field fields[] = {
	F(ID_AA64ISAR0_EL1, 20, 4, LOWER, "Atomic", "FEAT_LSE"),
	F(ID_AA64ISAR0_EL1, 60, 4, LOWER, "RNDR", "FEAT_RNG"),
	F(ID_AA64ISAR0_EL1, 56, 4, LOWER, "TLB", "FEAT_TLBIOS"),
	F(ID_AA64ISAR0_EL1, 52, 4, LOWER, "TS", "FEAT_FlagM"),
	F(ID_AA64ISAR0_EL1, 48, 4, LOWER, "FHM", "FEAT_FHM"),
	F(ID_AA64ISAR0_EL1, 44, 4, LOWER, "DP", "FEAT_DotProd"),
	F(ID_AA64ISAR0_EL1, 40, 4, LOWER, "SM4", "FEAT_SM4"),
	F(ID_AA64ISAR0_EL1, 36, 4, LOWER, "SM3", "FEAT_SM3"),
	F(ID_AA64ISAR0_EL1, 32, 4, LOWER, "SHA3", "FEAT_SHA3"),
	F(ID_AA64ISAR0_EL1, 28, 4, LOWER, "RDM", "FEAT_RDM"),
	F(ID_AA64ISAR0_EL1, 16, 4, LOWER, "CRC32", "FEAT_CRC32"),
	F(ID_AA64ISAR0_EL1, 12, 4, LOWER, "SHA2", "FEAT_SHA256"),
	F(ID_AA64ISAR0_EL1, 8, 4, LOWER, "SHA1", "FEAT_SHA1"),
	F(ID_AA64ISAR0_EL1, 4, 4, LOWER, "AES", "FEAT_AES"),
	/*
	 * PAuth: a pointer signed under one algorithm (QARMA5, QARMA3, the
	 * implementation's own) or behaviour (EPAC, FPAC) does not authenticate
	 * under another, so these are exact: the host's, or absent.
	 */
	FX(ID_AA64ISAR1_EL1, 4, 0, "APA", "FEAT_PAuth"),
	FX(ID_AA64ISAR1_EL1, 8, 0, "API", "FEAT_PAuth"),
	FX(ID_AA64ISAR1_EL1, 24, 0, "GPA", "FEAT_PAuth"),
	FX(ID_AA64ISAR1_EL1, 28, 0, "GPI", "FEAT_PAuth"),
	FX(ID_AA64ISAR2_EL1, 12, 0, "APA3", "FEAT_PAuth_QARMA3"),
	FX(ID_AA64ISAR2_EL1, 8, 0, "GPA3", "FEAT_PAuth_QARMA3"),
	FX(ID_AA64ISAR2_EL1, 24, 0, "PAC_frac", "FEAT_CONSTPACFIELD"),
	F(ID_AA64ISAR1_EL1, 52, 4, LOWER, "I8MM", "FEAT_I8MM"),
	F(ID_AA64ISAR1_EL1, 48, 4, LOWER, "DGH", "FEAT_DGH"),
	F(ID_AA64ISAR1_EL1, 44, 4, LOWER, "BF16", "FEAT_BF16"),
	F(ID_AA64ISAR1_EL1, 40, 4, LOWER, "SPECRES", "FEAT_SPECRES"),
	F(ID_AA64ISAR1_EL1, 36, 4, LOWER, "SB", "FEAT_SB"),
	F(ID_AA64ISAR1_EL1, 32, 4, LOWER, "FRINTTS", "FEAT_FRINTTS"),
	F(ID_AA64ISAR1_EL1, 20, 4, LOWER, "LRCPC", "FEAT_LRCPC"),
	F(ID_AA64ISAR1_EL1, 16, 4, LOWER, "FCMA", "FEAT_FCMA"),
	F(ID_AA64ISAR1_EL1, 12, 4, LOWER, "JSCVT", "FEAT_JSCVT"),
	F(ID_AA64ISAR1_EL1, 0, 4, LOWER, "DPB", "FEAT_DPB"),
	F(ID_AA64ISAR2_EL1, 52, 4, LOWER, "CSSC", "FEAT_CSSC"),
	F(ID_AA64ISAR2_EL1, 48, 4, LOWER, "RPRFM", "FEAT_RPRFM"),
	F(ID_AA64ISAR2_EL1, 20, 4, LOWER, "BC", "FEAT_HBC"),
	F(ID_AA64ISAR2_EL1, 4, 4, LOWER, "RPRES", "FEAT_RPRES"),
	F(ID_AA64PFR0_EL1, 32, 4, LOWER, "SVE", "FEAT_SVE"),
	/* FP and AdvSIMD: 0 is implemented, 1 adds half precision, 0xf is absent. */
	F(ID_AA64PFR0_EL1, 16, 4, SIGNED, "FP", "FEAT_FP16"),
	F(ID_AA64PFR0_EL1, 20, 4, SIGNED, "AdvSIMD", "FEAT_FP16"),
	F(ID_AA64PFR0_EL1, 0, 4, LOWER, "EL0", "AArch32 at EL0"),
	F(ID_AA64PFR0_EL1, 4, 4, LOWER, "EL1", "AArch32 at EL1"),
	F(ID_AA64PFR0_EL1, 48, 4, LOWER, "DIT", "FEAT_DIT"),
	F(ID_AA64PFR0_EL1, 56, 4, LOWER, "CSV2", "FEAT_CSV2"),
	F(ID_AA64PFR0_EL1, 60, 4, LOWER, "CSV3", "FEAT_CSV3"),
	/* Whether the GIC's system registers are there: the host's GIC, whatever the profile. */
	F(ID_AA64PFR0_EL1, 24, 4, HOST, "GIC", NULL),
	F(ID_AA64PFR1_EL1, 0, 4, LOWER, "BT", "FEAT_BTI"),
	F(ID_AA64PFR1_EL1, 4, 4, LOWER, "SSBS", "FEAT_SSBS"),
	F(ID_AA64PFR1_EL1, 32, 4, LOWER, "CSV2_frac", "FEAT_CSV2_1p1"),
	F(ID_AA64ZFR0_EL1, 0, 4, LOWER, "SVEver", "FEAT_SVE2"),
	F(ID_AA64MMFR0_EL1, 0, 4, LOWER, "PARange", "physical address size"),
	F(ID_AA64MMFR0_EL1, 4, 4, LOWER, "ASIDBits", "16-bit ASIDs"),
	F(ID_AA64MMFR0_EL1, 8, 4, LOWER, "BigEnd", "mixed endianness"),
	F(ID_AA64MMFR0_EL1, 16, 4, LOWER, "BigEndEL0", "mixed endianness at EL0"),
	/* TGran4 and TGran64: 0 is supported, 0xf not; TGran16 the other way round. */
	F(ID_AA64MMFR0_EL1, 28, 4, SIGNED, "TGran4", "4 KiB granule"),
	F(ID_AA64MMFR0_EL1, 24, 4, SIGNED, "TGran64", "64 KiB granule"),
	F(ID_AA64MMFR0_EL1, 20, 4, LOWER, "TGran16", "16 KiB granule"),
	F(ID_AA64MMFR1_EL1, 0, 4, LOWER, "HAFDBS", "FEAT_HAFDBS"),
	F(ID_AA64MMFR1_EL1, 12, 4, LOWER, "HPDS", "FEAT_HPDS"),
	F(ID_AA64MMFR1_EL1, 20, 4, LOWER, "PAN", "FEAT_PAN"),
	F(ID_AA64MMFR1_EL1, 24, 4, LOWER, "SpecSEI", NULL),
	F(ID_AA64MMFR1_EL1, 36, 4, LOWER, "ETS", "FEAT_ETS"),
	F(ID_AA64MMFR1_EL1, 60, 4, LOWER, "ECBHB", "FEAT_ECBHB"),
	F(ID_AA64MMFR2_EL1, 0, 4, LOWER, "CnP", "FEAT_TTCNP"),
	F(ID_AA64MMFR2_EL1, 4, 4, LOWER, "UAO", "FEAT_UAO"),
	F(ID_AA64MMFR2_EL1, 8, 4, LOWER, "LSM", "FEAT_LSMAOC"),
	F(ID_AA64MMFR2_EL1, 12, 4, LOWER, "IESB", "FEAT_IESB"),
	F(ID_AA64MMFR2_EL1, 16, 4, LOWER, "VARange", "FEAT_LVA"),
	F(ID_AA64MMFR2_EL1, 32, 4, LOWER, "AT", "FEAT_LSE2"),
	F(ID_AA64MMFR2_EL1, 48, 4, LOWER, "TTL", "FEAT_TTL"),
	F(ID_AA64MMFR2_EL1, 60, 4, LOWER, "E0PD", "FEAT_E0PD"),
	F(ID_AA64DFR0_EL1, 0, 4, LOWER, "DebugVer", "debug architecture"),
	/* PMUVer 0xf is a PMU of the implementation's own: below every architected one. */
	F(ID_AA64DFR0_EL1, 8, 4, SIGNED, "PMUVer", "FEAT_PMUv3"),
	F(ID_AA64DFR0_EL1, 12, 4, LOWER, "BRPs", "breakpoints"),
	F(ID_AA64DFR0_EL1, 20, 4, LOWER, "WRPs", "watchpoints"),
	F(ID_AA64DFR0_EL1, 28, 4, LOWER, "CTX_CMPs", "context-matching breakpoints"),
	/* DoubleLock: 0 is implemented, 0xf not. */
	F(ID_AA64DFR0_EL1, 36, 4, SIGNED, "DoubleLock", "FEAT_DoubleLock"),
	F(ID_ISAR5_EL1, 4, 4, LOWER, "AES", "AArch32 FEAT_AES"),
	F(ID_ISAR5_EL1, 8, 4, LOWER, "SHA1", "AArch32 FEAT_SHA1"),
	F(ID_ISAR5_EL1, 12, 4, LOWER, "SHA2", "AArch32 FEAT_SHA256"),
	F(ID_ISAR5_EL1, 16, 4, LOWER, "CRC32", "AArch32 FEAT_CRC32"),
	F(ID_ISAR5_EL1, 24, 4, LOWER, "RDM", "AArch32 FEAT_RDM"),
	F(ID_ISAR0_EL1, 24, 4, LOWER, "Divide", "AArch32 integer divide"),
	F(ID_PFR1_EL1, 28, 4, HOST, "GIC", NULL),
	F(ID_DFR0_EL1, 24, 4, SIGNED, "PerfMon", "AArch32 PMU"),
	/* 0 non-cacheable, 1 coherent, 0xf ignored: no order. */
	FX(ID_MMFR0_EL1, 28, 0xf, "InnerShr", NULL),
	FX(ID_MMFR0_EL1, 8, 0xf, "OuterShr", NULL),
	/* Supersections: 0 is supported, 0xf not. */
	F(ID_MMFR3_EL1, 28, 4, SIGNED, "Supersec", NULL),
	/*
	 * CTR_EL0. IDC and DIC promise coherence the guest then does not maintain,
	 * so a profile may only claim what the host has; smaller lines are safe
	 * (more maintenance), larger granules are (0: "assume the largest"), and a
	 * VIPT instruction cache is a safe thing to claim whatever the host's is.
	 */
	F(CTR_EL0, 29, 1, LOWER, "DIC", "instruction cache coherence"),
	F(CTR_EL0, 28, 1, LOWER, "IDC", "data-to-instruction coherence"),
	F(CTR_EL0, 0, 4, LOWER, "IminLine", "instruction cache line size"),
	F(CTR_EL0, 16, 4, LOWER, "DminLine", "data cache line size"),
	F(CTR_EL0, 20, 4, HIGHER0, "ERG", "exclusives reservation granule"),
	F(CTR_EL0, 24, 4, HIGHER0, "CWG", "cache writeback granule"),
	{ CPU_CTR_EL0, 14, 2, CPU_FIELD_EXACT, 2, "L1Ip", "instruction cache policy" },
	F(CTR_EL0, 31, 1, LOWER, "RES1", NULL),
	/*
	 * CLIDR_EL1: the levels of unification and coherence say how far the guest
	 * must clean for coherence; 0 would claim none is needed (the same as
	 * IDC), so a profile may claim more levels than the host has, never fewer.
	 * The cache types describe the profile's geometry, as CCSIDR_EL1 does:
	 * set/way maintenance, the only use of it, traps (HCR_EL2.TSW).
	 */
	F(CLIDR_EL1, 21, 3, HIGHER, "LoUIS", "the point of unification (inner shareable)"),
	F(CLIDR_EL1, 27, 3, HIGHER, "LoUU", "the point of unification"),
	F(CLIDR_EL1, 24, 3, HIGHER, "LoC", "the point of coherence"),
	F(CLIDR_EL1, 0, 21, VIRTUAL, "Ctype", NULL),
	F(CLIDR_EL1, 30, 3, VIRTUAL, "ICB", NULL),
	/*
	 * DCZID_EL0 does not trap: a VM reads the host's. DC ZVA zeroes the
	 * hardware's block size, so a profile that offers it (DZP 0) needs that
	 * size exactly (BS); one that does not (DZP 1) fits any host, and Skiff
	 * then makes DZP read 1 and DC ZVA give UNDEF (HCR_EL2.TDZ).
	 */
	F(DCZID_EL0, 4, 1, HIGHER, "DZP", "DC ZVA"),
	{ CPU_DCZID_EL0, 0, 4, CPU_FIELD_EXACT, DCZID_NO_SAFE, "BS", "DC ZVA block size" },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

const char *cpu_id_reg_name(enum cpu_id_reg reg)
{
	return reg < CPU_ID_REG_COUNT ? regs[reg].name : "?";
}

uint32_t cpu_id_reg_encoding(enum cpu_id_reg reg)
{
	return reg < CPU_ID_REG_COUNT ? regs[reg].enc : 0;
}

const struct cpu_field *cpu_fields(size_t *count)
{
	*count = NFIELDS;
	return fields;
}

static int name_cmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
		char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];

		if (x != y)
			return 1;
		if (!x)
			return 0;
	}
	return 0;
}

const struct cpu_field *cpu_field_find(const char *reg_dot_field)
{
	const char *dot = strchr(reg_dot_field, '.');
	size_t rlen;

	if (!dot)
		return 0;
	rlen = (size_t)(dot - reg_dot_field);
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *rname = regs[fields[i].reg].name;

		if (strlen(rname) == rlen && !name_cmp(rname, reg_dot_field, rlen) &&
		    !name_cmp(fields[i].name, dot + 1, strlen(fields[i].name) + 1))
			return &fields[i];
	}
	return 0;
}

static uint64_t field_mask(const struct cpu_field *f)
{
	return (f->width >= 64 ? ~0UL : ((1UL << f->width) - 1)) << f->shift;
}

static uint64_t field_get(const struct cpu_field *f, uint64_t reg)
{
	return (reg & field_mask(f)) >> f->shift;
}

static int64_t field_signed(const struct cpu_field *f, uint64_t v)
{
	uint64_t sign = 1UL << (f->width - 1);

	return (int64_t)(v ^ sign) - (int64_t)sign;
}

bool cpu_field_acceptable(const struct cpu_field *f, uint64_t want, uint64_t host)
{
	switch (f->kind) {
	case CPU_FIELD_LOWER:
		return want <= host;
	case CPU_FIELD_SIGNED:
		return field_signed(f, want) <= field_signed(f, host);
	case CPU_FIELD_HIGHER:
		return want >= host;
	case CPU_FIELD_HIGHER0:
		return want == 0 || (host != 0 && want >= host);
	case CPU_FIELD_EXACT:
		return want == host || want == f->safe;
	case CPU_FIELD_HOST:
	case CPU_FIELD_VIRTUAL:
		return true;
	default:
		return false;
	}
}

uint64_t cpu_field_capped(const struct cpu_field *f, uint64_t want, uint64_t host)
{
	switch (f->kind) {
	case CPU_FIELD_LOWER:
		return want < host ? want : host;
	case CPU_FIELD_SIGNED:
		return field_signed(f, want) < field_signed(f, host) ? want : host;
	case CPU_FIELD_HIGHER:
		return want > host ? want : host;
	case CPU_FIELD_HIGHER0:
		return want == 0 || host == 0 ? 0 : (want > host ? want : host);
	case CPU_FIELD_EXACT:
		return want == host ? want : f->safe;
	case CPU_FIELD_HOST:
		return host;
	case CPU_FIELD_VIRTUAL:
		return want;
	default:
		return f->safe;
	}
}

/* A 4-bit field with no entry in the table: unsigned, lower is safe (the ID scheme's default). */
static struct cpu_field nibble_field(enum cpu_id_reg reg, unsigned int lo)
{
	return (struct cpu_field){ (uint8_t)reg, (uint8_t)lo, 4, CPU_FIELD_LOWER, 0, 0, 0 };
}

/* Bits of @reg that a named field covers. */
static uint64_t named_mask(enum cpu_id_reg reg)
{
	uint64_t m = 0;

	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].reg == reg)
			m |= field_mask(&fields[i]);
	return m;
}

/*
 * Calls @fn for every field of every register: the named ones first (in the
 * table's order), then each other 4-bit field. Stops at the first nonzero
 * return and returns it.
 */
static int for_each_field(int (*fn)(const struct cpu_field *f, void *ctx), void *ctx)
{
	int r;

	for (size_t i = 0; i < NFIELDS; i++) {
		r = fn(&fields[i], ctx);
		if (r)
			return r;
	}
	for (unsigned int reg = 0; reg < CPU_ID_REG_COUNT; reg++) {
		uint64_t covered = named_mask(reg);

		for (unsigned int lo = 0; lo < 64; lo += 4) {
			struct cpu_field f = nibble_field(reg, lo);

			if (covered & field_mask(&f))
				continue;
			r = fn(&f, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

/* Named baselines. Values not given are 0 (absent). */
struct named_profile {
	const char *name;
	uint64_t midr;
	uint64_t id[CPU_ID_REG_COUNT];
	uint32_t ccsidr[CPU_CACHE_SELECTORS];
};

/*
 * MIDR_EL1 of a named profile: implementer 0 ("reserved for software use"),
 * architecture 0xf, part number 0x08V for Armv8.V (0x000f0800 for Armv8.0).
 * A guest knows it is on no particular core, so it applies no core's errata
 * workarounds.
 */
#define SKIFF_MIDR(v) (0x000f0000UL | ((0x080UL | (v)) << 4))

static const struct named_profile named_profiles[] = {
	{
		/*
		 * Armv8.0 as a Cortex-A57 has it: FP and Advanced SIMD, AES/PMULL,
		 * SHA1, SHA256, CRC32, AArch32 at EL0, 44-bit PAs, PMUv3, 6
		 * breakpoints and 4 watchpoints; no LSE, no PAuth, no SVE, no PAN.
		 * Caches: 48 KiB 3-way L1 I, 32 KiB 2-way L1 D, 2 MiB 16-way L2.
		 */
		"armv8.0",
		SKIFF_MIDR(0),
		{
			[CPU_ID_AA64ISAR0_EL1] = 0x0000000000011120UL,
			[CPU_ID_AA64PFR0_EL1] = 0x0000000000000012UL,
			[CPU_ID_AA64MMFR0_EL1] = 0x0000000000001124UL,
			[CPU_ID_AA64DFR0_EL1] = 0x0000000010305106UL,
			[CPU_ID_PFR0_EL1] = 0x00000131,
			[CPU_ID_PFR1_EL1] = 0x00010001,
			[CPU_ID_DFR0_EL1] = 0x03000006,
			[CPU_ID_MMFR0_EL1] = 0x10101105,
			[CPU_ID_MMFR1_EL1] = 0x40000000,
			[CPU_ID_MMFR2_EL1] = 0x01260000,
			[CPU_ID_MMFR3_EL1] = 0x02102211,
			[CPU_ID_ISAR0_EL1] = 0x02101110,
			[CPU_ID_ISAR1_EL1] = 0x13112111,
			[CPU_ID_ISAR2_EL1] = 0x21232042,
			[CPU_ID_ISAR3_EL1] = 0x01112131,
			[CPU_ID_ISAR4_EL1] = 0x00011142,
			[CPU_ID_ISAR5_EL1] = 0x00011121,
			[CPU_MVFR0_EL1] = 0x10110222,
			[CPU_MVFR1_EL1] = 0x12111111,
			[CPU_MVFR2_EL1] = 0x00000043,
			[CPU_CTR_EL0] = 0x84448004UL, /* 64-byte lines, VIPT I-cache */
			[CPU_CLIDR_EL1] = 0x0a200023UL,
			[CPU_DCZID_EL0] = 0x4, /* DC ZVA on 64-byte blocks */
		},
		{ 0x701fe00a, 0x201fe012, 0x70ffe07a },
	},
	{
		/*
		 * Armv8.2 as a Neoverse N1 has it: Armv8.0 and LSE, RDM, DotProd,
		 * half-precision FP, LRCPC, DC CVAP, PAN, UAO, 16-bit ASIDs, 48-bit
		 * PAs, SSBS, CSV2/CSV3; no PAuth, no SVE. Caches: 64 KiB 4-way L1 I
		 * and D, 1 MiB 8-way L2.
		 */
		"armv8.2",
		SKIFF_MIDR(2),
		{
			[CPU_ID_AA64ISAR0_EL1] = 0x0000100010211120UL,
			[CPU_ID_AA64ISAR1_EL1] = 0x0000000000100001UL,
			[CPU_ID_AA64PFR0_EL1] = 0x1100000000110012UL,
			[CPU_ID_AA64PFR1_EL1] = 0x0000000000000010UL,
			[CPU_ID_AA64MMFR0_EL1] = 0x0000000000001125UL,
			[CPU_ID_AA64MMFR1_EL1] = 0x0000000000101000UL,
			[CPU_ID_AA64MMFR2_EL1] = 0x0000000000001011UL,
			[CPU_ID_AA64DFR0_EL1] = 0x0000000010305106UL,
			[CPU_ID_PFR0_EL1] = 0x00000131,
			[CPU_ID_PFR1_EL1] = 0x00010001,
			[CPU_ID_DFR0_EL1] = 0x03000006,
			[CPU_ID_MMFR0_EL1] = 0x10101105,
			[CPU_ID_MMFR1_EL1] = 0x40000000,
			[CPU_ID_MMFR2_EL1] = 0x01260000,
			[CPU_ID_MMFR3_EL1] = 0x02102211,
			[CPU_ID_ISAR0_EL1] = 0x02101110,
			[CPU_ID_ISAR1_EL1] = 0x13112111,
			[CPU_ID_ISAR2_EL1] = 0x21232042,
			[CPU_ID_ISAR3_EL1] = 0x01112131,
			[CPU_ID_ISAR4_EL1] = 0x00011142,
			[CPU_ID_ISAR5_EL1] = 0x01011121,
			[CPU_ID_ISAR6_EL1] = 0x00000010,
			[CPU_MVFR0_EL1] = 0x10110222,
			[CPU_MVFR1_EL1] = 0x13211111,
			[CPU_MVFR2_EL1] = 0x00000043,
			[CPU_CTR_EL0] = 0x84448004UL,
			[CPU_CLIDR_EL1] = 0x0a200023UL,
			[CPU_DCZID_EL0] = 0x4, /* 64-byte blocks */
		},
		{ 0x701fe01a, 0x201fe01a, 0x70ffe03a },
	},
};

#define NNAMED (sizeof(named_profiles) / sizeof(named_profiles[0]))

const char *cpu_profile_names(void)
{
	return "\"host\", \"armv8.0\", \"armv8.2\"";
}

int cpu_profile_named(const char *name, struct cpu_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->version = CPU_PROFILE_VERSION;
	format(p->name, sizeof(p->name), "%s", name);
	if (!strcmp(name, "host")) {
		p->flags = CPU_PROFILE_HOST;
		return 0;
	}
	for (size_t i = 0; i < NNAMED; i++) {
		if (strcmp(named_profiles[i].name, name))
			continue;
		p->midr = named_profiles[i].midr;
		memcpy(p->id, named_profiles[i].id, sizeof(p->id));
		memcpy(p->ccsidr, named_profiles[i].ccsidr, sizeof(p->ccsidr));
		return 0;
	}
	return -1;
}

/* Features by the names people use; "on" sets these values, "off" each field's absent one. */
struct feature_field {
	enum cpu_id_reg reg;
	uint8_t shift;
	uint8_t on, off;
};

struct feature {
	const char *name;
	struct feature_field f[3];
	unsigned int n;
};

static const struct feature features[] = {
	{ "lse", { { CPU_ID_AA64ISAR0_EL1, 20, 2, 0 } }, 1 },
	{ "rdm", { { CPU_ID_AA64ISAR0_EL1, 28, 1, 0 }, { CPU_ID_ISAR5_EL1, 24, 1, 0 } }, 2 },
	{ "dotprod", { { CPU_ID_AA64ISAR0_EL1, 44, 1, 0 } }, 1 },
	{ "crc32", { { CPU_ID_AA64ISAR0_EL1, 16, 1, 0 }, { CPU_ID_ISAR5_EL1, 16, 1, 0 } }, 2 },
	{ "aes", { { CPU_ID_AA64ISAR0_EL1, 4, 2, 0 }, { CPU_ID_ISAR5_EL1, 4, 2, 0 } }, 2 },
	{ "sha1", { { CPU_ID_AA64ISAR0_EL1, 8, 1, 0 }, { CPU_ID_ISAR5_EL1, 8, 1, 0 } }, 2 },
	{ "sha2", { { CPU_ID_AA64ISAR0_EL1, 12, 1, 0 }, { CPU_ID_ISAR5_EL1, 12, 1, 0 } }, 2 },
	{ "sha3", { { CPU_ID_AA64ISAR0_EL1, 32, 1, 0 } }, 1 },
	{ "rng", { { CPU_ID_AA64ISAR0_EL1, 60, 1, 0 } }, 1 },
	{ "fp16", { { CPU_ID_AA64PFR0_EL1, 16, 1, 0 }, { CPU_ID_AA64PFR0_EL1, 20, 1, 0 } }, 2 },
	{ "rcpc", { { CPU_ID_AA64ISAR1_EL1, 20, 1, 0 } }, 1 },
	{ "dpb", { { CPU_ID_AA64ISAR1_EL1, 0, 1, 0 } }, 1 },
	{ "sve", { { CPU_ID_AA64PFR0_EL1, 32, 1, 0 } }, 1 },
	{ "bti", { { CPU_ID_AA64PFR1_EL1, 0, 1, 0 } }, 1 },
	{ "ssbs", { { CPU_ID_AA64PFR1_EL1, 4, 1, 0 } }, 1 },
	{ "pan", { { CPU_ID_AA64MMFR1_EL1, 20, 1, 0 } }, 1 },
	{ "aarch32-el0", { { CPU_ID_AA64PFR0_EL1, 0, 2, 1 } }, 1 },
	/* "pauth": the host's fields, taken when the VM starts (cpu_profile_resolve). */
	{ "pauth",
	  { { CPU_ID_AA64ISAR1_EL1, 4, 0, 0 },
	    { CPU_ID_AA64ISAR1_EL1, 8, 0, 0 },
	    { CPU_ID_AA64ISAR1_EL1, 24, 0, 0 } },
	  3 },
};

#define NFEATURES (sizeof(features) / sizeof(features[0]))

/* PAuth's fields: ID_AA64ISAR1_EL1 APA, API, GPA, GPI and ID_AA64ISAR2_EL1 APA3, GPA3. */
#define PAUTH_ISAR1 (NIB(4) | NIB(8) | NIB(24) | NIB(28))
#define PAUTH_ISAR2 (NIB(8) | NIB(12))

static void put(uint64_t *reg, unsigned int shift, uint64_t width_mask, uint64_t v)
{
	*reg = (*reg & ~(width_mask << shift)) | ((v & width_mask) << shift);
}

int cpu_profile_set_feature(struct cpu_profile *p, const char *feature, bool on, char *why,
			    size_t len)
{
	const struct feature *ft = 0;

	for (size_t i = 0; i < NFEATURES; i++)
		if (!strcmp(features[i].name, feature))
			ft = &features[i];
	if (!ft) {
		format(why, len, "unknown feature '%s' (docs/config.md lists them)", feature);
		return -1;
	}
	if (p->flags & CPU_PROFILE_HOST) {
		format(why, len, "the \"host\" profile takes no changes");
		return -1;
	}
	if (!strcmp(ft->name, "pauth")) {
		p->id[CPU_ID_AA64ISAR1_EL1] &= ~PAUTH_ISAR1;
		p->id[CPU_ID_AA64ISAR2_EL1] &= ~PAUTH_ISAR2;
		p->flags =
			on ? p->flags | CPU_PROFILE_HOST_PAUTH : p->flags & ~CPU_PROFILE_HOST_PAUTH;
		return 0;
	}
	for (unsigned int i = 0; i < ft->n; i++)
		put(&p->id[ft->f[i].reg], ft->f[i].shift, 0xf, on ? ft->f[i].on : ft->f[i].off);
	return 0;
}

int cpu_profile_set_field(struct cpu_profile *p, const char *reg_dot_field, uint64_t value,
			  char *why, size_t len)
{
	const struct cpu_field *f = cpu_field_find(reg_dot_field);
	uint64_t max;

	if (!f) {
		format(why, len,
		       "unknown field '%s' (REGISTER.Field, e.g. ID_AA64ISAR0_EL1.Atomic; "
		       "docs/config.md)",
		       reg_dot_field);
		return -1;
	}
	if (p->flags & CPU_PROFILE_HOST) {
		format(why, len, "the \"host\" profile takes no changes");
		return -1;
	}
	max = f->width >= 64 ? ~0UL : (1UL << f->width) - 1;
	if (value > max) {
		format(why, len, "%s.%s is a %u-bit field: %lu does not fit", regs[f->reg].name,
		       f->name, f->width, (unsigned long)value);
		return -1;
	}
	if (regs[f->reg].hidden & field_mask(f) || f->kind == CPU_FIELD_HOST) {
		format(why, len, "%s.%s is not Skiff's to offer a VM with a profile",
		       regs[f->reg].name, f->name);
		return -1;
	}
	put(&p->id[f->reg], f->shift, max, value);
	return 0;
}

void cpu_profile_resolve(struct cpu_profile *p, const struct host_cpu *host)
{
	if (p->flags & CPU_PROFILE_HOST) {
		p->midr = host->midr;
		p->revidr = host->revidr;
		p->aidr = host->aidr;
		memcpy(p->id, host->id, sizeof(p->id));
	}
	if (p->flags & CPU_PROFILE_HOST_PAUTH) {
		p->id[CPU_ID_AA64ISAR1_EL1] |= host->id[CPU_ID_AA64ISAR1_EL1] & PAUTH_ISAR1;
		p->id[CPU_ID_AA64ISAR2_EL1] |= host->id[CPU_ID_AA64ISAR2_EL1] & PAUTH_ISAR2;
		p->flags &= ~CPU_PROFILE_HOST_PAUTH;
	}
}

struct check_ctx {
	const struct cpu_profile *p;
	const struct host_cpu *host;
	char *why;
	size_t len;
	unsigned int failed;
};

static int check_field(const struct cpu_field *f, void *arg)
{
	struct check_ctx *c = arg;
	uint64_t want = field_get(f, c->p->id[f->reg]);
	uint64_t have = field_get(f, c->host->id[f->reg]);

	if (cpu_field_acceptable(f, want, have))
		return 0;
	if (f->reg == CPU_DCZID_EL0 && f->shift == 0 && (c->p->id[CPU_DCZID_EL0] & DCZID_DZP))
		return 0; /* no DC ZVA offered: any block size will do */
	if (c->failed++)
		return 0; /* the first one is named; the others counted */
	if (f->name)
		format(c->why, c->len, "needs %s%s(%s.%s %lu), this host has %lu",
		       f->feature ? f->feature : "", f->feature ? " " : "", regs[f->reg].name,
		       f->name, (unsigned long)want, (unsigned long)have);
	else
		format(c->why, c->len, "needs %s bits [%u:%u] %lu, this host has %lu",
		       regs[f->reg].name, f->shift + f->width - 1, f->shift, (unsigned long)want,
		       (unsigned long)have);
	return 0;
}

int cpu_profile_check(const struct cpu_profile *p, const struct host_cpu *host, char *why,
		      size_t len)
{
	struct check_ctx c = { p, host, why, len, 0 };

	if (p->version != CPU_PROFILE_VERSION) {
		format(why, len, "is a version %u profile; this Skiff knows version %u", p->version,
		       CPU_PROFILE_VERSION);
		return -1;
	}
	/* A profile may come from another host (a migration): nothing in it is trusted. */
	if (!memchr(p->name, 0, sizeof(p->name))) {
		format(why, len, "has a name of more than %u characters", CPU_PROFILE_NAME_MAX - 1);
		return -1;
	}
	if (p->flags & ~(CPU_PROFILE_HOST | CPU_PROFILE_HOST_PAUTH)) {
		format(why, len, "has flags 0x%x this Skiff does not know", p->flags);
		return -1;
	}
	if (p->flags & CPU_PROFILE_HOST_PAUTH) {
		format(why, len, "was never resolved against a host (pauth = \"on\")");
		return -1;
	}
	for_each_field(check_field, &c);
	if (c.failed > 1) {
		size_t used = strlen(why);

		format(why + used, len - used, " (and %u more field%s)", c.failed - 1,
		       c.failed > 2 ? "s" : "");
	}
	return c.failed ? -1 : 0;
}

struct view_ctx {
	struct cpu_view *v;
	const struct cpu_profile *p;
	const struct host_cpu *host;
};

static int view_field(const struct cpu_field *f, void *arg)
{
	struct view_ctx *c = arg;
	uint64_t want = field_get(f, c->p->id[f->reg]);
	uint64_t have = field_get(f, c->host->id[f->reg]);
	uint64_t *reg = &c->v->id[f->reg];

	*reg = (*reg & ~field_mask(f)) |
	       ((cpu_field_capped(f, want, have) << f->shift) & field_mask(f));
	return 0;
}

void cpu_view_init(struct cpu_view *v, const struct cpu_profile *p, const struct host_cpu *host)
{
	struct view_ctx c;

	memset(v, 0, sizeof(*v));
	c = (struct view_ctx){ v, p, host };
	v->midr = p->midr;
	v->revidr = p->revidr;
	v->aidr = p->aidr;
	memcpy(v->ccsidr, p->ccsidr, sizeof(v->ccsidr));
	if (p->flags & CPU_PROFILE_HOST) {
		memcpy(v->id, host->id, sizeof(v->id));
		return; /* nothing traps: the hardware answers */
	}
	v->trapped = true;
	for_each_field(view_field, &c);
	for (unsigned int r = 0; r < CPU_ID_REG_COUNT; r++)
		v->id[r] &= ~regs[r].hidden;
	if (!((v->id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf))
		v->id[CPU_ID_AA64ZFR0_EL1] = 0; /* SVE's own features go with it */
	v->no_sve = !((v->id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf) &&
		    ((host->id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf);
	v->no_pauth = !(v->id[CPU_ID_AA64ISAR1_EL1] & PAUTH_ISAR1) &&
		      !(v->id[CPU_ID_AA64ISAR2_EL1] & PAUTH_ISAR2);
	v->no_dc_zva = p->id[CPU_DCZID_EL0] & DCZID_DZP;
	/* DCZID_EL0 does not trap: the view says what the VM reads, the host's BS and TDZ's DZP. */
	v->id[CPU_DCZID_EL0] =
		(host->id[CPU_DCZID_EL0] & 0xf) |
		((v->no_dc_zva || (host->id[CPU_DCZID_EL0] & DCZID_DZP)) ? DCZID_DZP : 0);
}

/* The ID space: op0 3, op1 0, CRn 0, CRm 1-7 (CRm 0 holds MIDR, MPIDR, REVIDR). */
#define ID_SPACE_MASK (SYS_ENC(3, 7, 15, 0, 0) | SYS_ENC(0, 0, 0, 8, 0))
#define ENC_CRM(enc)  (((enc) >> 1) & 0xf)
#define CCSIDR_EL1    SYS_ENC(3, 1, 0, 0, 0)
#define REVIDR_EL1    SYS_ENC(3, 0, 0, 0, 6)
#define AIDR_EL1      SYS_ENC(3, 1, 0, 0, 7)

bool cpu_view_read(const struct cpu_view *v, uint32_t enc, uint64_t csselr, uint64_t *val)
{
	for (unsigned int r = 0; r < CPU_ID_REG_COUNT; r++) {
		if (regs[r].enc == enc) {
			*val = v->id[r];
			return true;
		}
	}
	if (enc == CCSIDR_EL1) {
		uint64_t sel = csselr & 0xf;

		*val = sel < CPU_CACHE_SELECTORS ? v->ccsidr[sel] : 0;
		return true;
	}
	if (enc == REVIDR_EL1 || enc == AIDR_EL1) {
		*val = enc == REVIDR_EL1 ? v->revidr : v->aidr;
		return true;
	}
	/* Other registers of the ID space are reserved: they read as zero. */
	if ((enc & ID_SPACE_MASK) == SYS_ENC(3, 0, 0, 0, 0) && ENC_CRM(enc) >= 1 &&
	    ENC_CRM(enc) <= 7) {
		*val = 0;
		return true;
	}
	return false;
}
