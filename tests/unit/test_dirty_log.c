// SPDX-License-Identifier: MIT
/*
 * The dirty log of a pre-copy migration (core/dirty_log.c) on the real stage 2
 * (arch/arm64/stage2.c, pgtable.c) and fault handling (core/stage2_fault.c):
 * turning it on marks what the guest was given and takes write permission
 * away; a guest write faults, is marked, and is let through; a collection
 * returns exactly the pages written and protects them again; Skiff's own
 * writes wait for the final collection; turning it off gives the bitmaps back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board/layout.h"
#include "core/dirty_log.h"
#include "core/mem.h"
#include "core/stage2_fault.h"
#include "core/vm.h"
#include "fake_vm_env.h"
#include "vm_harness.h"

#define DABT_WRITE (DABT_READ | (1UL << 6))
#define BIG_RAM	   (8 * MIB)
#define WORDS	   (BIG_RAM / PAGE / 64)

static uint64_t into[WORDS];

/* An 8 MiB VM that ran (guest_runs: blocks 0 and 1 used, its device tree in block 3). */
static struct vm *running_vm(const char *name)
{
	struct vm_config c = good(name, 1);
	unsigned int started;
	struct vm *vm;

	c.memory_size = BIG_RAM;
	vm = create(&c, &started);
	assert_int_equal(started, 1);
	guest_runs(vm);
	return vm;
}

static struct vm *logged_vm(const char *name)
{
	struct vm *vm = running_vm(name);

	assert_int_equal(dirty_log_start(vm), 0);
	return vm;
}

static unsigned int perms(struct vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;

	arch_stage2_lookup(&vm->s2, ipa_init(ipa), &leaf);
	assert_true(leaf.valid);
	return leaf.perms;
}

static bool marked(uint64_t ipa)
{
	uint64_t p = (ipa - GUEST_RAM_BASE) / PAGE;

	return into[p / 64] & (1UL << (p % 64));
}

static uint64_t collect(struct vm *vm, bool final)
{
	memset(into, 0, sizeof(into));
	return dirty_log_collect(vm, into, final);
}

static void test_start_marks_what_the_guest_has_and_protects_it(void **state)
{
	unsigned int flushes = env.tlb_vmid_flushes;
	struct vm *vm;

	(void)state;
	vm = logged_vm("start");
	assert_true(env.tlb_vmid_flushes > flushes);
	/* Code page, data page in block 0, data block 1: none writable now. */
	assert_int_equal(perms(vm, GUEST_RAM_BASE), S2_PERM_R | S2_PERM_X);
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x100000), S2_PERM_R);
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x300000), S2_PERM_R);
	/* The three prepared blocks count as written; block 2 never reached the guest. */
	assert_int_equal(vm->ram_ready[0], 0xb);
	assert_int_equal(collect(vm, false), 3 * 512);
	assert_true(marked(GUEST_RAM_BASE) && marked(GUEST_RAM_BASE + 0x3ff000));
	assert_true(marked(GUEST_RAM_BASE + 0x600000) && marked(GUEST_RAM_BASE + 0x7ff000));
	assert_false(marked(GUEST_RAM_BASE + 0x400000) || marked(GUEST_RAM_BASE + 0x5ff000));
	assert_int_equal(collect(vm, false), 0);
	dirty_log_stop(vm);
}

static void test_a_guest_write_is_marked_and_protected_again(void **state)
{
	struct vm *vm;

	(void)state;
	vm = logged_vm("write");
	collect(vm, false);
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x300008), false,
				 DABT_WRITE));
	assert_int_equal(vm->state, VM_RUNNING);
	/* The block was split: the page written is writable, its neighbour is not. */
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x300000), S2_PERM_R | S2_PERM_W);
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x301000), S2_PERM_R);
	assert_int_equal(vm->s2stats.dirty_faults, 1);
	assert_int_equal(collect(vm, false), 1);
	assert_true(marked(GUEST_RAM_BASE + 0x300000));
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x300000), S2_PERM_R);
	/* A set not sent yet keeps its pages: a collection adds to it. */
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x302000), false,
				 DABT_WRITE));
	assert_int_equal(dirty_log_collect(vm, into, false), 2);
	assert_true(marked(GUEST_RAM_BASE + 0x300000) && marked(GUEST_RAM_BASE + 0x302000));
	/* A write to the code page makes it writable (W^X) and is marked the same. */
	assert_true(
		stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x10), false, DABT_WRITE));
	assert_int_equal(collect(vm, false), 1);
	assert_true(marked(GUEST_RAM_BASE));
	dirty_log_stop(vm);
}

static void test_a_block_mapped_while_logging_is_marked_whole(void **state)
{
	struct vm *vm;

	(void)state;
	vm = logged_vm("fresh");
	collect(vm, false);
	/* A read of a block never used: mapped writable as a block, so all of it is marked. */
	assert_true(
		stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x500000), false, DABT_READ));
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x500000), S2_PERM_R | S2_PERM_W);
	assert_int_equal(collect(vm, false), 512);
	assert_true(marked(GUEST_RAM_BASE + 0x400000) && marked(GUEST_RAM_BASE + 0x5ff000));
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x500000), S2_PERM_R);
	dirty_log_stop(vm);
}

static void test_skiffs_writes_go_with_the_final_collection(void **state)
{
	struct vm_s2_locked s2;
	struct vm *vm;

	(void)state;
	vm = logged_vm("host");
	collect(vm, false);
	s2 = vm_s2_lock(vm);
	assert_int_equal(stage2_host_write(s2, ipa_init(GUEST_RAM_BASE + 0x100ff8), 16), 0);
	vm_s2_unlock(&s2);
	/* No fault orders them against a round: only the final collection has them. */
	assert_int_equal(collect(vm, false), 0);
	assert_int_equal(collect(vm, true), 2);
	assert_true(marked(GUEST_RAM_BASE + 0x100000) && marked(GUEST_RAM_BASE + 0x101000));
	assert_int_equal(collect(vm, true), 0);
	dirty_log_stop(vm);
}

static void test_stop_gives_the_bitmaps_back(void **state)
{
	uint64_t free0;
	struct vm *vm;

	(void)state;
	vm = running_vm("stop");
	free0 = mem_free_bytes();
	assert_int_equal(dirty_log_start(vm), 0);
	assert_true(mem_free_bytes() < free0);
	dirty_log_stop(vm);
	assert_false(vm->dirty.on);
	assert_int_equal(mem_free_bytes(), free0);
	/* Pages still protected become writable at their next write, and nothing is marked. */
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x300000), false,
				 DABT_WRITE));
	assert_int_equal(perms(vm, GUEST_RAM_BASE + 0x300000), S2_PERM_R | S2_PERM_W);
	assert_int_equal(vm->state, VM_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_start_marks_what_the_guest_has_and_protects_it, setup),
		cmocka_unit_test_setup(test_a_guest_write_is_marked_and_protected_again, setup),
		cmocka_unit_test_setup(test_a_block_mapped_while_logging_is_marked_whole, setup),
		cmocka_unit_test_setup(test_skiffs_writes_go_with_the_final_collection, setup),
		cmocka_unit_test_setup(test_stop_gives_the_bitmaps_back, setup),
	};

	return cmocka_run_group_tests_name("dirty_log", tests, group_setup, group_teardown);
}
