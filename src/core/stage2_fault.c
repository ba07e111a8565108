// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/esr.h"
#include "core/log.h"
#include "core/stage2_fault.h"
#include "core/vm.h"
#include "lib/format.h"

#define PAGE	 4096UL
#define BLOCK_2M (2UL << 20)
#define PERM_RW	 (S2_PERM_R | S2_PERM_W)
#define PERM_RX	 (S2_PERM_R | S2_PERM_X)
#define PERM_RWX (PERM_RW | S2_PERM_X)

/* [ipa, ipa + len) of RAM is writable at stage 2 now, or was written for the guest. */
static void note_written(struct vm_s2_locked s2, ipaddr_t ipa, uint64_t len)
{
	dirty_log_note(&s2.vm->dirty, ipa_diff(ipa, s2.vm->ram_ipa), len);
}

/* Cleans and invalidates [ipa, ipa + len) for execution, and counts the pages it did. */
static void maintain_range(struct vm_s2_locked s2, ipaddr_t ipa, uint64_t len)
{
	struct vm *vm = s2.vm;

	if (arch_sync_icache(pa_ptr(vm_ram_pa(vm, ipa)), len))
		vm->s2stats.maintained += len / PAGE;
	else
		vm->s2stats.maint_skipped += len / PAGE;
}

static void maintain(struct vm_s2_locked s2, ipaddr_t page)
{
	maintain_range(s2, page, PAGE);
}

/*
 * cache-maintenance = "guest": code made coherent once, then the guest's to
 * keep so, as the architecture asks of it; executable memory stays writable.
 */
static int map_for_guest_maintenance(struct vm_s2_locked s2, ipaddr_t ipa,
				     const struct s2_leaf *hole)
{
	struct vm *vm = s2.vm;
	ipaddr_t page = ipa_align_down(ipa, PAGE);
	ipaddr_t block = ipa_align_down(ipa, BLOCK_2M);

	vm->s2stats.exec_faults++;
	if (hole->size >= BLOCK_2M && vm_ram_contains(vm, block, BLOCK_2M)) {
		vm->s2stats.block_maps++;
		maintain_range(s2, block, BLOCK_2M);
		note_written(s2, block, BLOCK_2M);
		return arch_stage2_map(&vm->s2, block, vm_ram_pa(vm, block), BLOCK_2M, PERM_RWX);
	}
	vm->s2stats.page_maps++;
	maintain(s2, page);
	note_written(s2, page, PAGE);
	return arch_stage2_map(&vm->s2, page, vm_ram_pa(vm, page), PAGE, PERM_RWX);
}

/*
 * Nothing mapped: code gets a maintained read+execute page (with
 * cache-maintenance = "guest", a maintained read+write+execute block or
 * page); data gets read+write without execute, as a 2 MiB block when the whole
 * block is RAM and unmapped (so a Linux boot takes few data faults), else a page.
 */
static int map_fresh(struct vm_s2_locked s2, ipaddr_t ipa, bool exec, const struct s2_leaf *hole)
{
	struct vm *vm = s2.vm;
	ipaddr_t page = ipa_align_down(ipa, PAGE);
	ipaddr_t block = ipa_align_down(ipa, BLOCK_2M);

	if (exec && vm->guest_maintains_code)
		return map_for_guest_maintenance(s2, ipa, hole);
	if (exec) {
		vm->s2stats.exec_faults++;
		vm->s2stats.page_maps++;
		maintain(s2, page);
		return arch_stage2_map(&vm->s2, page, vm_ram_pa(vm, page), PAGE, PERM_RX);
	}
	if (hole->size >= BLOCK_2M && vm_ram_contains(vm, block, BLOCK_2M)) {
		vm->s2stats.block_maps++;
		note_written(s2, block, BLOCK_2M);
		return arch_stage2_map(&vm->s2, block, vm_ram_pa(vm, block), BLOCK_2M, PERM_RW);
	}
	vm->s2stats.page_maps++;
	note_written(s2, page, PAGE);
	return arch_stage2_map(&vm->s2, page, vm_ram_pa(vm, page), PAGE, PERM_RW);
}

/*
 * A store into the page the vCPU is executing from (early boot code keeping its
 * variables beside it): flipping the page would fault forever, store and fetch
 * taking turns. Do the store for the guest instead and keep the page executable,
 * maintained, so whatever was written is seen by fetches too. Needs the
 * instruction syndrome; returns false without it.
 */
static bool emulate_store(struct vm_s2_locked s2, struct vcpu *vcpu, ipaddr_t ipa, uint64_t esr)
{
	struct vm *vm = s2.vm;
	unsigned int size = esr_dabt_size(esr);
	uint64_t value = vcpu_get_reg(vcpu, esr_dabt_srt(esr));
	void *dst = pa_ptr(vm_ram_pa(vm, ipa));

	if (!esr_dabt_isv(esr) || (ipa_addr(ipa) & (size - 1)))
		return false;
	/* Memory takes the register's bytes in the access's order (Skiff is little-endian). */
	if (arch_vcpu_data_big_endian(vcpu))
		value = esr_swap_bytes(value, size);
	memcpy(dst, &value, size);
	note_written(s2, ipa, size);
	/* The guest may read it with its caches off: write it back to memory. */
	arch_dcache_clean_inval_poc(dst, size);
	maintain(s2, ipa_align_down(ipa, PAGE));
	arch_vcpu_skip_instr(vcpu);
	vm->s2stats.emulated_stores++;
	return true;
}

/* True when the vCPU's own PC is on @page (through its stage 1, if any). */
static bool pc_on_page(struct vcpu *vcpu, ipaddr_t page)
{
	ipaddr_t pc_ipa;

	return arch_vcpu_va_to_ipa(vcpu, va_init(vcpu->ctx.pc), &pc_ipa) &&
	       ipa_addr(ipa_align_down(pc_ipa, PAGE)) == ipa_addr(page);
}

/*
 * cache-maintenance = "guest", mapped but not for this access: a fetch from
 * data memory makes its whole leaf coherent once and executable, keeping what
 * else it allowed (a page Skiff wrote into lost execute: stage2_host_write); a
 * write to a page the dirty log protected gets write permission back, keeping
 * execute.
 */
static int grant_for_guest_maintenance(struct vm_s2_locked s2, ipaddr_t ipa, bool exec,
				       uint64_t esr, const struct s2_leaf *leaf)
{
	struct vm *vm = s2.vm;
	ipaddr_t page = ipa_align_down(ipa, PAGE);

	if (exec && !(leaf->perms & S2_PERM_X)) {
		vm->s2stats.exec_faults++;
		maintain_range(s2, ipa_align_down(ipa, leaf->size), leaf->size);
		return arch_stage2_set_leaf_perms(&vm->s2, ipa, leaf->perms | S2_PERM_X);
	}
	if (!exec && esr_dabt_write(esr) && !(leaf->perms & S2_PERM_W)) {
		vm->s2stats.dirty_faults++;
		note_written(s2, page, PAGE);
		return arch_stage2_protect_page(&vm->s2, page, leaf->perms | S2_PERM_W);
	}
	return 0; /* already fixed by another vCPU: just retry */
}

/* Mapped, but not for this kind of access: flip between RW and RX (W^X). */
static int flip(struct vm_s2_locked s2, struct vcpu *vcpu, ipaddr_t ipa, bool exec, uint64_t esr,
		unsigned int perms)
{
	struct vm *vm = s2.vm;
	ipaddr_t page = ipa_align_down(ipa, PAGE);

	if (exec && !(perms & S2_PERM_X)) {
		vm->s2stats.exec_faults++;
		vm->s2stats.wx_to_rx++;
		maintain(s2, page);
		return arch_stage2_protect_page(&vm->s2, page, PERM_RX);
	}
	if (!exec && esr_dabt_write(esr) && !(perms & S2_PERM_W)) {
		if (pc_on_page(vcpu, page)) {
			if (emulate_store(s2, vcpu, ipa, esr))
				return 0;
			/* No syndrome to emulate with: let code and data share the page. */
			vm->s2stats.mixed_pages++;
			maintain(s2, page);
			note_written(s2, page, PAGE);
			return arch_stage2_protect_page(&vm->s2, page, PERM_RW | S2_PERM_X);
		}
		if (perms & S2_PERM_X)
			vm->s2stats.wx_to_rw++;
		else
			vm->s2stats.dirty_faults++; /* write-protected by the dirty log */
		note_written(s2, page, PAGE);
		return arch_stage2_protect_page(&vm->s2, page, PERM_RW);
	}
	return 0; /* already fixed by another vCPU: just retry */
}

int stage2_host_write(struct vm_s2_locked s2, ipaddr_t ipa, uint64_t len)
{
	struct vm *vm = s2.vm;
	ipaddr_t end = ipa_add(ipa, len);

	for (ipaddr_t page = ipa_align_down(ipa, PAGE); ipa_addr(page) < ipa_addr(end);
	     page = ipa_add(page, PAGE)) {
		struct s2_leaf leaf;

		arch_stage2_lookup(&vm->s2, page, &leaf);
		if (!leaf.valid || !(leaf.perms & S2_PERM_X))
			continue;
		/* As a guest store would: the next fetch faults and is maintained (W^X). */
		vm->s2stats.wx_to_rw++;
		note_written(s2, page, PAGE);
		if (arch_stage2_protect_page(&vm->s2, page, PERM_RW))
			return -1;
	}
	dirty_log_note_host(&vm->dirty, ipa_diff(ipa, vm->ram_ipa), len);
	return 0;
}

bool stage2_fault(struct vcpu *vcpu, ipaddr_t ipa, bool exec, uint64_t esr)
{
	struct vm *vm = vcpu->vm;
	struct vm_s2_locked s2;
	struct s2_leaf leaf;
	bool over_quota;
	int ret;

	if (!vm_ram_contains(vm, ipa, 1))
		return false;
	s2 = vm_s2_lock(vm);
	vm->s2stats.faults++;
	arch_stage2_lookup(&vm->s2, ipa, &leaf);
	if (!leaf.valid) {
		vm_ram_prepare(s2, ipa_align_down(ipa, BLOCK_2M), BLOCK_2M);
		ret = map_fresh(s2, ipa, exec, &leaf);
	} else if (vm->guest_maintains_code) {
		ret = grant_for_guest_maintenance(s2, ipa, exec, esr, &leaf);
	} else {
		ret = flip(s2, vcpu, ipa, exec, esr, leaf.perms);
	}
	over_quota = vm->s2.table_pages >= vm->s2.table_quota;
	vm_s2_unlock(&s2);
	if (ret && over_quota)
		vm_crash(vm,
			 "its stage-2 tables would exceed its quota of %lu pages (for %lu MiB of "
			 "RAM) at IPA 0x%lx",
			 (unsigned long)vm->s2.table_quota, (unsigned long)(vm->ram_size >> 20),
			 (unsigned long)ipa_addr(ipa));
	else if (ret)
		vm_crash(vm, "out of memory for stage-2 tables at IPA 0x%lx",
			 (unsigned long)ipa_addr(ipa));
	return true;
}

size_t stage2_summary(const struct vm *vm, char *buf, size_t size)
{
	const struct stage2_stats *s = &vm->s2stats;
	char dirty[40] = "";

	/* Only a VM that took part in a migration has these: the reset line stays short. */
	if (s->dirty_faults)
		format(dirty, sizeof(dirty), ", %lu dirty-log faults",
		       (unsigned long)s->dirty_faults);
	return format_clamped(
		buf, size,
		"stage 2: %lu faults (%lu exec), %lu block and %lu page maps, "
		"%lu pages cache-maintained (%lu needed none), W^X %lu to RW, %lu to RX, "
		"%lu stores emulated, %lu mixed pages%s; %lu table pages (quota %lu)",
		(unsigned long)s->faults, (unsigned long)s->exec_faults,
		(unsigned long)s->block_maps, (unsigned long)s->page_maps,
		(unsigned long)s->maintained, (unsigned long)s->maint_skipped,
		(unsigned long)s->wx_to_rw, (unsigned long)s->wx_to_rx,
		(unsigned long)s->emulated_stores, (unsigned long)s->mixed_pages, dirty,
		(unsigned long)vm->s2.table_pages, (unsigned long)vm->s2.table_quota);
}
