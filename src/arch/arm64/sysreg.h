/* SPDX-License-Identifier: MIT */
/* System register accessors and the bit definitions Skiff uses. Arch code only. */
#ifndef SKIFF_ARCH_ARM64_SYSREG_H
#define SKIFF_ARCH_ARM64_SYSREG_H

#include <stdint.h>

/* The name after macro expansion: registers below are given by encoding. */
#define SYSREG_NAME_(r) #r
#define SYSREG_NAME(r)	SYSREG_NAME_(r)

/* Their locals have different names: write_sysreg(x, read_sysreg(y)) shadows nothing. */
#define read_sysreg(r)                                                    \
	({                                                                \
		uint64_t __rd;                                            \
		__asm__ volatile("mrs %0, " SYSREG_NAME(r) : "=r"(__rd)); \
		__rd;                                                     \
	})

#define write_sysreg(r, v)                                                      \
	do {                                                                    \
		uint64_t __wr = (uint64_t)(v);                                  \
		__asm__ volatile("msr " SYSREG_NAME(r) ", %x0" : : "rZ"(__wr)); \
	} while (0)

#define isb()	 __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#define wfi()	 __asm__ volatile("wfi" ::: "memory")
#define wfe()	 __asm__ volatile("wfe" ::: "memory")
#define sev()	 __asm__ volatile("sev" ::: "memory")

#define BIT(n)		(1UL << (n))
#define FIELD(v, lo, w) (((v) >> (lo)) & ((1UL << (w)) - 1))

/* Registers the assembler may not know by name. */
#define ICC_SRE_EL2	S3_4_C12_C9_5
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICH_HCR_EL2	S3_4_C12_C11_0
#define ID_AA64MMFR0	ID_AA64MMFR0_EL1

/* CurrentEL */
#define CURRENT_EL(v) (((v) >> 2) & 3)

/* SCTLR_ELx */
#define SCTLR_M	  BIT(0)
#define SCTLR_A	  BIT(1)
#define SCTLR_C	  BIT(2)
#define SCTLR_SA  BIT(3)
#define SCTLR_I	  BIT(12)
#define SCTLR_WXN BIT(19)
#define SCTLR_E0E BIT(24)
#define SCTLR_EE  BIT(25)
/* RES1 bits of SCTLR_EL2 when HCR_EL2.E2H == 0. */
#define SCTLR_EL2_RES1 \
	(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
/* SCTLR_EL1 architectural reset-style value for a guest: RES1 bits, MMU and caches off. */
#define SCTLR_EL1_RES1 (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* HCR_EL2 */
#define HCR_VM	   BIT(0)
#define HCR_SWIO   BIT(1)
#define HCR_FMO	   BIT(3)
#define HCR_IMO	   BIT(4)
#define HCR_AMO	   BIT(5)
#define HCR_FB	   BIT(9)
#define HCR_BSU_IS (1UL << 10)
#define HCR_TWI	   BIT(13)
#define HCR_TWE	   BIT(14)
#define HCR_TID1   BIT(16)
#define HCR_TID2   BIT(17)
#define HCR_TID3   BIT(18)
#define HCR_TSC	   BIT(19)
#define HCR_TIDCP  BIT(20)
#define HCR_TACR   BIT(21)
#define HCR_TSW	   BIT(22)
#define HCR_TDZ	   BIT(28)
#define HCR_RW	   BIT(31)
#define HCR_E2H	   BIT(34)
#define HCR_TLOR   BIT(35)
#define HCR_TERR   BIT(36)
#define HCR_APK	   BIT(40)
#define HCR_API	   BIT(41)

/* Registers newer than ARMv8.0, by encoding (older assemblers lack the names). */
#define HCRX_EL2    S3_4_C1_C2_2
#define TPIDR2_EL0  S3_3_C13_C0_5
#define HFGRTR_EL2  S3_4_C1_C1_4
#define HFGWTR_EL2  S3_4_C1_C1_5
#define HFGITR_EL2  S3_4_C1_C1_6
#define HDFGRTR_EL2 S3_4_C3_C1_4
#define HDFGWTR_EL2 S3_4_C3_C1_5
#define HAFGRTR_EL2 S3_4_C3_C1_6

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1fUL
#define MDCR_TPMCR     BIT(5)
#define MDCR_TPM       BIT(6)
#define MDCR_TDE       BIT(8)
#define MDCR_TDA       BIT(9)
#define MDCR_TDOSA     BIT(10)
#define MDCR_TDRA      BIT(11)
#define MDCR_TPMS      BIT(14)
#define MDCR_TTRF      BIT(19)

/* CPTR_EL2 (E2H == 0) */
#define CPTR_EL2_RES1 (0x2ffUL | BIT(12) | BIT(13))
#define CPTR_TZ	      BIT(8)
#define CPTR_TFP      BIT(10)
#define CPTR_TTA      BIT(20)
#define CPTR_TAM      BIT(30)
#define CPTR_TCPAC    BIT(31)

/* CNTHCTL_EL2 (E2H == 0) */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN	 BIT(1)
#define CNTHCTL_EL1TVT	 BIT(13) /* FEAT_ECV: trap the EL1 virtual timer */
#define CNTHCTL_EL1TVCT	 BIT(14) /* FEAT_ECV: trap the EL1 virtual counter */

/* SPSR / PSTATE */
#define PSR_MODE_EL0t 0x0UL
#define PSR_MODE_EL1t 0x4UL
#define PSR_MODE_EL1h 0x5UL
#define PSR_MODE_EL2h 0x9UL
#define PSR_MODE_MASK 0xfUL
#define PSR_MODE32    BIT(4)
#define PSR_F	      BIT(6)
#define PSR_E32	      BIT(9) /* AArch32 PSTATE.E: big-endian data (bit 9 is D in AArch64) */
#define PSR_I	      BIT(7)
#define PSR_A	      BIT(8)
#define PSR_D	      BIT(9)
#define PSR_PAN	      BIT(22)
#define PSR_SS	      BIT(21)
#define PSR_IL	      BIT(20)
#define PSR_DAIF      (PSR_D | PSR_A | PSR_I | PSR_F)

/* ID register fields */
#define ID_AA64MMFR0_PARANGE(v) FIELD(v, 0, 4)
#define ID_AA64MMFR0_ECV(v)	FIELD(v, 60, 4)
#define ID_AA64MMFR1_VH(v)	FIELD(v, 8, 4)
#define CTR_IDC(v)		FIELD(v, 28, 1)
#define CTR_DIC(v)		FIELD(v, 29, 1)
#define CTR_DMINLINE(v)		FIELD(v, 16, 4)
#define CTR_IMINLINE(v)		FIELD(v, 0, 4)
#define DCZID_BS(v)		FIELD(v, 0, 4) /* log2 of DC ZVA's block in words */
#define DCZID_DZP		BIT(4)	       /* DC ZVA prohibited */

#endif
