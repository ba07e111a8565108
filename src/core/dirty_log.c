// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/dirty_log.h"
#include "core/mem.h"
#include "core/vm.h"
#include "lib/bits.h"

int dirty_log_start(struct vm *vm)
{
	uint64_t pages = vm->ram_size / DIRTY_LOG_PAGE, words = (pages + 63) / 64;
	struct dirty_log *d = &vm->dirty;
	uint64_t *guest = mem_alloc(words * 8, 8), *host = mem_alloc(words * 8, 8);
	struct vm_s2_locked s2;

	if (!guest || !host) {
		if (guest)
			mem_free(guest, words * 8);
		if (host)
			mem_free(host, words * 8);
		return -1;
	}
	s2 = vm_s2_lock(vm);
	d->guest = guest;
	d->host = host;
	d->words = words;
	/* A block never prepared never reached the guest: the destination's is zero too. */
	for (uint64_t b = 0; b * VM_RAM_BLOCK < vm->ram_size; b++)
		if (vm_ram_block_ready(vm, b)) {
			uint64_t left = vm->ram_size - b * VM_RAM_BLOCK;

			dirty_log_set(guest, b * VM_RAM_BLOCK,
				      left < VM_RAM_BLOCK ? left : VM_RAM_BLOCK);
		}
	arch_stage2_write_protect(&vm->s2, vm->ram_ipa, vm->ram_size);
	arch_stage2_flush_tlb(&vm->s2);
	d->on = true;
	vm_s2_unlock(&s2);
	return 0;
}

void dirty_log_stop(struct vm *vm)
{
	struct dirty_log *d = &vm->dirty;
	struct vm_s2_locked s2 = vm_s2_lock(vm);
	uint64_t *guest = d->guest, *host = d->host, words = d->words;

	d->on = false;
	d->guest = d->host = NULL;
	d->words = 0;
	vm_s2_unlock(&s2);
	if (guest) {
		mem_free(guest, words * 8);
		mem_free(host, words * 8);
	}
}

/* Write-protects the runs of pages set in word @w of @bits. */
static void protect_word(struct vm *vm, uint64_t w, uint64_t bits)
{
	while (bits) {
		unsigned int first = (unsigned int)__builtin_ctzl(bits), end = first + 1;

		while (end < 64 && (bits >> end) & 1)
			end++;
		arch_stage2_write_protect(&vm->s2,
					  ipa_add(vm->ram_ipa, (w * 64 + first) * DIRTY_LOG_PAGE),
					  (end - first) * DIRTY_LOG_PAGE);
		/* Nothing below the run is set any more. */
		bits = end < 64 ? bits & (~0UL << end) : 0;
	}
}

uint64_t dirty_log_collect(struct vm *vm, uint64_t *into, bool final)
{
	struct dirty_log *d = &vm->dirty;
	struct vm_s2_locked s2 = vm_s2_lock(vm);
	uint64_t count = 0;

	for (uint64_t w = 0; w < d->words; w++) {
		if (!final)
			protect_word(vm, w, d->guest[w]);
		into[w] |= d->guest[w] | (final ? d->host[w] : 0);
		d->guest[w] = 0;
		if (final)
			d->host[w] = 0;
		count += popcount64(into[w]);
	}
	if (!final && count)
		arch_stage2_flush_tlb(&vm->s2);
	vm_s2_unlock(&s2);
	return count;
}
