// SPDX-License-Identifier: MIT
/*
 * A fake architecture layer for host unit tests of generic code: it records
 * what the generic code asked of the CPU instead of doing it. fake_vm.c fakes
 * the VM side (lifecycle, stage 2, devices) for tests of the trap code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/sched.h"
#include "fake_arch.h"

struct fake_record fake;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

void arch_vcpu_inject_undef(struct vcpu *vcpu)
{
	(void)vcpu;
	fake.undefs++;
}

void arch_vcpu_inject_dabt(struct vcpu *vcpu, uint64_t far)
{
	(void)vcpu;
	fake.dabts++;
	fake.dabt_far = far;
}

void arch_vcpu_skip_instr(struct vcpu *vcpu)
{
	vcpu->ctx.pc += 4;
	fake.skips++;
}

/* The firmware's answers for the SMCCC workarounds are the test's to set. */
int64_t arch_smccc_workaround_features(uint32_t fid)
{
	return fid == 0x80008000U ? fake.fw_wa1 : -1;
}

void arch_smccc_workaround_call(uint32_t fid, uint64_t arg)
{
	(void)arg;
	fake.wa_calls++;
	fake.last_wa = fid;
}

uint64_t arch_vcpu_trapped_pc(const struct vcpu *vcpu)
{
	return vcpu->ctx.pc;
}

bool arch_vcpu_data_big_endian(const struct vcpu *vcpu)
{
	(void)vcpu;
	return fake.big_endian;
}

/* What the test says: the fake guest is AArch64 unless it sets fake.cond_fails. */
bool arch_vcpu_condition_failed(const struct vcpu *vcpu)
{
	(void)vcpu;
	return fake.cond_fails;
}

unsigned int arch_irq_ack(void)
{
	return fake.pending_irq ? fake.pending_irq : 1023;
}

void arch_irq_eoi(unsigned int intid)
{
	fake.eois++;
	fake.last_eoi = intid;
}

void arch_irq_enable_private(unsigned int intid)
{
	fake.enabled_private |= 1U << intid;
}

static void record_log(const char *fmt, va_list ap)
{
	vsnprintf(fake.log[fake.nlogs % FAKE_LOGS], sizeof(fake.log[0]), fmt, ap);
	fake.nlogs++;
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_log(fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_log(fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_log(fmt, ap);
	va_end(ap);
}

bool arch_sync_icache(const void *va, uint64_t size)
{
	fake.syncs++;
	fake.sync_va = va;
	fake.sync_size = size;
	fake.synced_bytes += size;
	return !fake.coherent_caches;
}

void sched_yield(void)
{
	fake.yields++;
}

void sched_block(struct vcpu *v)
{
	(void)v;
	fake.blocks++;
}

void arch_dcache_clean_inval_poc(void *va, uint64_t size)
{
	(void)va;
	(void)size;
}

void arch_zero_to_poc(void *va, uint64_t size)
{
	memset(va, 0, size);
}

bool arch_vcpu_va_to_ipa(struct vcpu *vcpu, vaddr_t va, ipaddr_t *ipa)
{
	(void)vcpu;
	*ipa = ipa_init(va_addr(va)); /* the fake guest runs with its MMU off */
	return true;
}

unsigned int arch_cpu_index(void)
{
	return 0;
}

/* A counter at 1 MHz that moves on at every read, so bounded waits end. */
uint64_t arch_counter(void)
{
	return fake.counter += FAKE_COUNTER_STEP;
}

uint64_t arch_counter_freq(void)
{
	return 1000000;
}

/* RNDR, when a test gives the fake CPU one: a known sequence, so seeds can be checked. */
bool arch_random_u64(uint64_t *value)
{
	if (!fake.rndr)
		return false;
	*value = fake.rndr_next++;
	return true;
}

void arch_vcpu_reset(struct vcpu *vcpu, ipaddr_t entry, uint64_t x0)
{
	memset(&vcpu->ctx, 0, sizeof(vcpu->ctx));
	vcpu->ctx.pc = ipa_addr(entry);
	vcpu->ctx.x[0] = x0;
}

void ipi_send(unsigned int cpu, enum ipi ipi)
{
	(void)ipi;
	fake.kicks++;
	fake.last_kick_cpu = cpu;
}

uint32_t arch_mmio_read32(paddr_t reg)
{
	return fake.mmio_read ? fake.mmio_read(pa_addr(reg), 4) : 0;
}

uint16_t arch_mmio_read16(paddr_t reg)
{
	return fake.mmio_read ? (uint16_t)fake.mmio_read(pa_addr(reg), 2) : 0;
}

uint8_t arch_mmio_read8(paddr_t reg)
{
	return fake.mmio_read ? (uint8_t)fake.mmio_read(pa_addr(reg), 1) : 0;
}

void arch_mmio_write32(paddr_t reg, uint32_t value)
{
	if (fake.mmio_write)
		fake.mmio_write(pa_addr(reg), value);
}

/* The fake device runs in the test's own thread: a compiler barrier is all it needs. */
void arch_dma_wmb(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fake.dma_barriers++;
}

void arch_dma_rmb(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fake.dma_barriers++;
}

void arch_dma_mb(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fake.dma_barriers++;
	if (fake.dma_mb_hook)
		fake.dma_mb_hook();
}
