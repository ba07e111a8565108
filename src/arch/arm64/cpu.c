// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/sysreg.h"
#include "core/cpu_profile.h"
#include "platform/platform.h"

void arch_cpu_features(struct cpu_features *f)
{
	uint64_t mmfr0 = read_sysreg(ID_AA64MMFR0_EL1);
	uint64_t mmfr1 = read_sysreg(ID_AA64MMFR1_EL1);
	uint64_t pfr0 = read_sysreg(ID_AA64PFR0_EL1);
	uint64_t ctr = read_sysreg(ctr_el0);

	f->midr = read_sysreg(midr_el1);
	f->pa_bits = mmu_pa_bits();
	f->vhe = ID_AA64MMFR1_VH(mmfr1) != 0;
	f->ecv = ID_AA64MMFR0_ECV(mmfr0) != 0;
	f->idc = CTR_IDC(ctr);
	f->dic = CTR_DIC(ctr);
	f->gicv3_sysregs = FIELD(pfr0, 24, 4) != 0;
	f->sve = FIELD(pfr0, 32, 4);
	f->counter_hz = read_sysreg(cntfrq_el0);
}

/* Each register by its encoding: the assembler need not know the newer names. */
#define READ_ID(name, op0, op1, crn, crm, op2) \
	host->id[CPU_##name] = read_sysreg(S##op0##_##op1##_C##crn##_C##crm##_##op2);

void arch_cpu_id_regs(struct host_cpu *host)
{
	host->midr = read_sysreg(midr_el1);
	host->revidr = read_sysreg(revidr_el1);
	host->aidr = read_sysreg(aidr_el1);
	CPU_ID_REGS(READ_ID)
}

uint64_t arch_cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1);
}

void arch_cpu_idle(void)
{
	dsb(sy);
	wfi();
}

void arch_cpu_wait_event(void)
{
	wfe();
}

void arch_cpu_wake_all(void)
{
	dsb(ish);
	sev();
}

void arch_cpu_halt(void)
{
	for (;;) {
		__asm__ volatile("msr daifset, #0xf");
		wfi();
	}
}

void arch_hyp_timer_arm_at(uint64_t when)
{
	write_sysreg(cnthp_cval_el2, when);
	write_sysreg(cnthp_ctl_el2, 1);
	isb();
}

void arch_hyp_timer_disarm(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

uint64_t arch_counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

bool arch_random_u64(uint64_t *value)
{
	uint64_t v;
	uint32_t failed;

	/* ID_AA64ISAR0_EL1.RNDR (bits 63:60): 1 when RNDR and RNDRRS exist. */
	if (!FIELD(read_sysreg(id_aa64isar0_el1), 60, 4))
		return false;
	/* RNDR (s3_3_c2_c4_0) sets PSTATE.Z, and reads as 0, when it has no number. */
	__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %w1, eq" : "=r"(v), "=r"(failed) : : "cc");
	if (failed)
		return false;
	*value = v;
	return true;
}

void arch_smccc(int conduit, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		struct smccc_result *res)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (conduit == PSCI_CONDUIT_SMC)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else if (conduit == PSCI_CONDUIT_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
				   "x14", "x15", "x16", "x17", "memory");
	else
		x0 = (uint64_t)-1; /* NOT_SUPPORTED: there is no firmware to call */
	res->a0 = x0;
	res->a1 = x1;
	res->a2 = x2;
	res->a3 = x3;
}

void arch_dcache_clean_inval_poc(void *va, uint64_t size)
{
	uint64_t line = 4UL << CTR_DMINLINE(read_sysreg(ctr_el0));
	uint64_t a = (uint64_t)va & ~(line - 1), end = (uint64_t)va + size;

	for (; a + 4 * line <= end; a += 4 * line)
		__asm__ volatile("dc civac, %0\n\t"
				 "dc civac, %1\n\t"
				 "dc civac, %2\n\t"
				 "dc civac, %3"
				 :
				 : "r"(a), "r"(a + line), "r"(a + 2 * line), "r"(a + 3 * line)
				 : "memory");
	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

/*
 * The outer-shareable domain is where a DMA-capable device observes memory: dmb
 * osh* orders CPU accesses as the device sees them (Linux's dma_wmb/dma_rmb).
 */
void arch_dma_wmb(void)
{
	dmb(oshst);
}

void arch_dma_rmb(void)
{
	dmb(oshld);
}

void arch_dma_mb(void)
{
	dmb(osh);
}

uint32_t arch_mmio_read32(paddr_t reg)
{
	uint32_t v;

	/* A plain LDR (no writeback addressing), as a device register needs. */
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(pa_ptr(reg)) : "memory");
	dmb(oshld);
	return v;
}

uint16_t arch_mmio_read16(paddr_t reg)
{
	uint16_t v;

	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(pa_ptr(reg)) : "memory");
	dmb(oshld);
	return v;
}

uint8_t arch_mmio_read8(paddr_t reg)
{
	uint8_t v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(pa_ptr(reg)) : "memory");
	dmb(oshld);
	return v;
}

void arch_mmio_write32(paddr_t reg, uint32_t value)
{
	dmb(oshst);
	__asm__ volatile("str %w0, [%1]" : : "rZ"(value), "r"(pa_ptr(reg)) : "memory");
}

/*
 * DC ZVA zeroes a block in one instruction, four of them a turn: a guest's RAM
 * is zeroed 2 MiB at a time, which a store loop takes a million instructions for.
 */
void arch_zero_to_poc(void *va, uint64_t size)
{
	uint64_t dczid = read_sysreg(dczid_el0), block = 4UL << DCZID_BS(dczid);
	uint64_t a = (uint64_t)va, end = a + size;

	if ((dczid & DCZID_DZP) || (a | size) & (4 * block - 1)) {
		memset(va, 0, size);
	} else {
		for (; a < end; a += 4 * block)
			__asm__ volatile("dc zva, %0\n\t"
					 "dc zva, %1\n\t"
					 "dc zva, %2\n\t"
					 "dc zva, %3"
					 :
					 : "r"(a), "r"(a + block), "r"(a + 2 * block),
					   "r"(a + 3 * block)
					 : "memory");
	}
	arch_dcache_clean_inval_poc(va, size);
}

int arch_map_normal(uint64_t base, uint64_t size)
{
	return mmu_map_normal(base, size);
}

int arch_map_device(uint64_t base, uint64_t size)
{
	return mmu_map_device(base, size);
}
