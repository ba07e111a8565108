// SPDX-License-Identifier: MIT
/*
 * A fake architecture layer and VM lifecycle for host unit tests of the generic
 * trap code: it records what the generic code asked for instead of doing it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	va_start(ap, fmt);
	vsnprintf(fake.crash, sizeof(fake.crash), fmt, ap);
	va_end(ap);
	fake.crashes++;
}

void vm_power_off(struct vm *vm)
{
	(void)vm;
	fake.power_offs++;
}

void vm_reset(struct vm *vm, struct vcpu *caller)
{
	(void)vm;
	(void)caller;
	fake.resets++;
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

static unsigned int page_index(uint64_t ipa)
{
	return (unsigned int)((ipa - FAKE_RAM_IPA) >> 12);
}

int arch_stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned int perms)
{
	(void)s2;
	(void)pa;
	if (fake.s2_fails)
		return -1;
	if (size == 2UL << 20)
		fake.block_maps++;
	else
		fake.page_map_calls++;
	for (uint64_t off = 0; off < size; off += 4096)
		fake.perms[page_index(ipa + off)] = (unsigned char)perms;
	return 0;
}

void arch_stage2_lookup(struct stage2 *s2, uint64_t ipa, struct s2_leaf *leaf)
{
	unsigned int first = page_index(ipa & ~((2UL << 20) - 1));
	unsigned int i;

	(void)s2;
	leaf->perms = fake.perms[page_index(ipa)];
	leaf->valid = leaf->perms != 0;
	leaf->pa = 0;
	leaf->size = 2UL << 20; /* an empty 2 MiB region reads as one hole */
	for (i = first; i < first + 512; i++)
		if (fake.perms[i])
			leaf->size = 4096;
}

int arch_stage2_protect_page(struct stage2 *s2, uint64_t ipa, unsigned int perms)
{
	(void)s2;
	if (fake.s2_fails)
		return -1;
	fake.protects++;
	fake.perms[page_index(ipa)] = (unsigned char)perms;
	return 0;
}

void arch_stage2_unmap_all(struct stage2 *s2)
{
	(void)s2;
	memset(fake.perms, 0, sizeof(fake.perms));
}

bool arch_sync_icache(const void *va, uint64_t size)
{
	(void)va;
	(void)size;
	fake.syncs++;
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

bool arch_vcpu_va_to_ipa(struct vcpu *vcpu, uint64_t va, uint64_t *ipa)
{
	(void)vcpu;
	*ipa = va; /* the fake guest runs with its MMU off */
	return true;
}

void vm_ram_prepare(struct vm *vm, uint64_t ipa, uint64_t len)
{
	(void)vm;
	(void)ipa;
	(void)len;
	fake.prepares++;
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

void arch_vcpu_reset(struct vcpu *vcpu, uint64_t entry, uint64_t x0)
{
	memset(&vcpu->ctx, 0, sizeof(vcpu->ctx));
	vcpu->ctx.pc = entry;
	vcpu->ctx.x[0] = x0;
}

void ipi_send(unsigned int cpu, enum ipi ipi)
{
	(void)ipi;
	fake.kicks++;
	fake.last_kick_cpu = cpu;
}

bool vm_ram_ptr(struct vm *vm, uint64_t ipa, uint64_t len, void **ptr)
{
	if (ipa < vm->ram_ipa || len > vm->ram_size || ipa - vm->ram_ipa > vm->ram_size - len)
		return false;
	*ptr = (void *)(vm->ram_pa + (ipa - vm->ram_ipa));
	return true;
}

/* The DCC is tested by the backdoor guest; here every register is "not DCC". */
enum vdcc_result vdcc_access(struct vcpu *vcpu, uint64_t esr)
{
	(void)vcpu;
	(void)esr;
	return VDCC_NOT_DCC;
}

bool vdcc_backdoor_fast(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

/* The emulated physical timer has its own tests (the timescale unit test, guests). */
bool ptimer_access(struct vcpu *vcpu, uint32_t enc, bool read, uint64_t *val)
{
	(void)vcpu;
	(void)enc;
	(void)read;
	(void)val;
	return false;
}

void vgic_send_sgi(struct vcpu *vcpu, uint64_t sgi1r)
{
	(void)vcpu;
	fake.sgi1r = sgi1r;
}
