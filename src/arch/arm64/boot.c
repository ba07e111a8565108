// SPDX-License-Identifier: MIT
/* First C code on each CPU: MMU on, per-CPU pointer, EL2 configuration. */
#include <libfdt.h>

#include "arch/arch.h"
#include "arch/arm64/asm.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/percpu.h"
#include "arch/arm64/sysreg.h"
#include "core/main.h"

extern char _text[], _end[], secondary_entry[];

struct arch_percpu arch_percpu[PLATFORM_MAX_CPUS];
/* Each CPU's EL2 stack; head.S picks the slice by CPU index. */
uint8_t cpu_stacks[PLATFORM_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

static void set_percpu(unsigned int index)
{
	arch_percpu[index].index = index;
	write_sysreg(tpidr_el2, (uint64_t)&arch_percpu[index]);
}

unsigned int arch_cpu_index(void)
{
	return ((struct arch_percpu *)read_sysreg(tpidr_el2))->index;
}

uint64_t arch_secondary_entry(void)
{
	return (uint64_t)secondary_entry;
}

/*
 * Features newer than ARMv8.0 whose registers Skiff does not switch between
 * vCPUs must not be shared by VMs: their accesses trap (and give the guest
 * UNDEF), and the EL2 controls they add, which reset to UNKNOWN values, get
 * known ones. Sets what it traps in *hcr for guests (HCR_EL2).
 */
static void newer_features_setup(uint64_t *hcr)
{
	uint64_t pfr0 = read_sysreg(ID_AA64PFR0_EL1), dfr0 = read_sysreg(ID_AA64DFR0_EL1);
	uint64_t mmfr0 = read_sysreg(ID_AA64MMFR0_EL1), mmfr1 = read_sysreg(ID_AA64MMFR1_EL1);
	uint64_t cptr = read_sysreg(cptr_el2);
	uint64_t mdcr = read_sysreg(mdcr_el2);

	cptr |= CPTR_TTA;	 /* trace registers, whatever the CPU has */
	if (FIELD(mmfr1, 16, 4)) /* FEAT_LOR: LORegions */
		*hcr |= HCR_TLOR;
	if (FIELD(pfr0, 28, 4)) /* FEAT_RAS: error records */
		*hcr |= HCR_TERR;
	if (FIELD(pfr0, 44, 4)) /* FEAT_AMU: activity monitors */
		cptr |= CPTR_TAM;
	if (FIELD(dfr0, 40, 4)) /* FEAT_TRF: trace filter control */
		mdcr |= MDCR_TTRF;
	if (FIELD(dfr0, 32, 4)) /* FEAT_SPE: statistical profiling */
		mdcr |= MDCR_TPMS;
	write_sysreg(cptr_el2, cptr);
	write_sysreg(mdcr_el2, mdcr);
	/* FEAT_HCX: all of HCRX_EL2's enables off (what they enable is not switched). */
	if (FIELD(mmfr1, 40, 4))
		write_sysreg(HCRX_EL2, 0);
	/*
	 * FEAT_FGT: no fine-grained trap of what Skiff switches or emulates itself,
	 * while the negative-polarity bits (nTPIDR2_EL0, nSMPRI_EL1, nPOR_EL1, ...)
	 * at 0 trap the registers of newer features.
	 */
	if (FIELD(mmfr0, 56, 4)) {
		write_sysreg(HFGRTR_EL2, 0);
		write_sysreg(HFGWTR_EL2, 0);
		write_sysreg(HFGITR_EL2, 0);
		write_sysreg(HDFGRTR_EL2, 0);
		write_sysreg(HDFGWTR_EL2, 0);
		if (FIELD(pfr0, 44, 4))
			write_sysreg(HAFGRTR_EL2, 0);
	}
}

/* Cortex-A57 (Arm's part 0xd07) r0p0 to r1p2: erratum 834220 (percpu.h). */
static bool erratum_834220(uint64_t midr)
{
	unsigned int variant = (midr >> 20) & 0xf, revision = midr & 0xf;

	return (midr & 0xff00fff0) == 0x4100d070 &&
	       (variant == 0 || (variant == 1 && revision <= 2));
}

/* EL2 controls that hold whatever guest runs on this CPU. */
static void el2_setup(void)
{
	uint64_t pmcr_n = (read_sysreg(pmcr_el0) >> 11) & 0x1f;
	uint64_t hcr = HCR_GUEST;

	/*
	 * Guests may use FP/SIMD (and Skiff's libfdt does) and SVE, with a 128-bit
	 * vector length (ZCR_EL2.LEN = 0) whatever the CPU could do: z0-z31 are then
	 * the FP registers, and a vCPU's SVE state stays small (vcpu.c).
	 */
	write_sysreg(cptr_el2, CPTR_EL2_RES1 & ~(CPTR_TFP | CPTR_TZ));
	if (FIELD(read_sysreg(ID_AA64PFR0_EL1), 32, 4))
		write_sysreg(S3_4_C1_C2_0, 0); /* ZCR_EL2 */
	/*
	 * Debug registers and the PMU trap: core/sysreg.c emulates those guests use
	 * (the PMU as one without counters); the rest give the guest UNDEF, as on a
	 * CPU without them (see docs/boot.md).
	 */
	write_sysreg(mdcr_el2, pmcr_n | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA | MDCR_TPM | MDCR_TPMCR);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(hstr_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	newer_features_setup(&hcr);
	((struct arch_percpu *)read_sysreg(tpidr_el2))->hcr_guest = hcr;
	((struct arch_percpu *)read_sysreg(tpidr_el2))->s2_translation_unreliable =
		erratum_834220(read_sysreg(midr_el1));
	isb();
}

void arch_cpu_init(unsigned int index)
{
	set_percpu(index);
	el2_setup();
	mitigations_cpu_init();
	crc32_hw_init(); /* the same on every CPU: whichever comes first */
}

void boot_primary(uint64_t fdt, uint64_t el)
{
	struct mem_range image = { (uint64_t)_text, (uint64_t)_end - (uint64_t)_text };
	uint64_t fdt_size = 0;

	/* The header's size field is enough to map the tree; libfdt checks the rest. */
	if (fdt && fdt_magic((const void *)fdt) == FDT_MAGIC)
		fdt_size = fdt_totalsize((const void *)fdt);
	mmu_early_init((unsigned int)el, fdt_size ? fdt : 0, fdt_size);
	if (el == 2)
		set_percpu(0); /* provisional, until the boot CPU's index is known */
	if (!fdt_size)
		arch_cpu_halt(); /* no device tree: no console to complain on */
	skiff_main((void *)fdt, (unsigned int)el, &image);
}

void boot_secondary(uint64_t index)
{
	arch_cpu_init((unsigned int)index);
	skiff_secondary_main((unsigned int)index);
}
