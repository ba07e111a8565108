// SPDX-License-Identifier: MIT
/* The lazy stage-2 policy (core/stage2_fault.c) on a fake stage 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/stage2_fault.h"
#include "fake_arch.h"

#define RX (S2_PERM_R | S2_PERM_X)
#define RW (S2_PERM_R | S2_PERM_W)

/* Syndromes: an instruction abort, and data aborts with a valid syndrome (4-byte, x3). */
#define IABT	   (0x20UL << 26)
#define DABT_READ  ((0x24UL << 26) | (1UL << 24) | (2UL << 22) | (3UL << 16))
#define DABT_WRITE (DABT_READ | (1UL << 6))

static struct vm vm;
static struct vcpu *v;

static unsigned int perms_at(uint64_t ipa)
{
	return fake.perms[(ipa - FAKE_RAM_IPA) >> 12];
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&vm, 0, sizeof(vm));
	strcpy(vm.name, "t");
	vm.ram_ipa = ipa_init(FAKE_RAM_IPA);
	vm.ram_pa = pa_init(0x80000000);
	vm.ram_size = (16UL << 20) + 0x1000; /* ends one page into a 2 MiB block */
	v = &vm.vcpus[0];
	v->vm = &vm;
	return 0;
}

static void test_outside_ram_is_not_ours(void **state)
{
	(void)state;
	assert_false(stage2_fault(v, ipa_init(FAKE_RAM_IPA - 4096), false, DABT_READ));
	assert_false(stage2_fault(v, ipa_init(FAKE_RAM_IPA + vm.ram_size), true, IABT));
	assert_int_equal(vm.s2stats.faults, 0);
}

static void test_data_fault_maps_a_block_without_execute(void **state)
{
	(void)state;
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x212345), false, DABT_READ));
	assert_int_equal(fake.block_maps, 1);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x200000), RW);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x3ff000), RW);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x400000), 0);
	assert_int_equal(vm.s2stats.block_maps, 1);
	assert_int_equal(fake.syncs, 0);    /* no code involved: no maintenance */
	assert_int_equal(fake.prepares, 1); /* the block was zeroed and cleaned first */
}

static void test_exec_fault_maintains_then_maps_rx(void **state)
{
	(void)state;
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x1004), true, IABT));
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x1000), RX);
	assert_int_equal(fake.syncs, 1);
	assert_int_equal(vm.s2stats.maintained, 1);
	assert_int_equal(vm.s2stats.exec_faults, 1);
	/* The rest of that 2 MiB is no longer one hole: data next to code gets pages. */
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x2000), false, DABT_WRITE));
	assert_int_equal(fake.block_maps, 0);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x2000), RW);
}

static void test_write_xor_execute_cycle(void **state)
{
	uint64_t page = FAKE_RAM_IPA + 0x5000;

	(void)state;
	stage2_fault(v, ipa_init(page), true, IABT); /* first run: RX */
	for (unsigned int i = 0; i < 3; i++) {
		stage2_fault(v, ipa_init(page + 8), false,
			     DABT_WRITE); /* the guest rewrites its code */
		assert_int_equal(perms_at(page), RW);
		stage2_fault(v, ipa_init(page + 4), true, IABT); /* and runs it again */
		assert_int_equal(perms_at(page), RX);
	}
	assert_int_equal(vm.s2stats.wx_to_rw, 3);
	assert_int_equal(vm.s2stats.wx_to_rx, 3);
	assert_int_equal(vm.s2stats.maintained, 4); /* every executable mapping was maintained */
	assert_int_equal(fake.syncs, 4);
}

static uint8_t fake_ram[2 * 4096];

static void test_store_into_the_executing_page_is_emulated(void **state)
{
	uint64_t page = FAKE_RAM_IPA + 0x7000;
	uint32_t written;

	(void)state;
	vm.ram_pa = pa_init((uintptr_t)fake_ram - 0x7000); /* page 7 of RAM is fake_ram */
	v->ctx.pc = page + 0x40;
	v->ctx.x[3] = 0xfeedc0de;
	stage2_fault(v, ipa_init(page + 0x40), true, IABT);	   /* fetch: RX */
	stage2_fault(v, ipa_init(page + 0x80), false, DABT_WRITE); /* str w3 into the same page */
	memcpy(&written, fake_ram + 0x80, 4);
	assert_int_equal(written, 0xfeedc0de);
	assert_int_equal(perms_at(page), RX); /* still executable: no flip-flopping */
	assert_int_equal(v->ctx.pc, page + 0x44);
	assert_int_equal(vm.s2stats.emulated_stores, 1);
	assert_int_equal(vm.s2stats.maintained, 2); /* the store was maintained as code */
	/* Without a syndrome Skiff cannot do the store: the page becomes RWX instead. */
	stage2_fault(v, ipa_init(page + 0x90), false, (0x24UL << 26) | (1UL << 6));
	assert_int_equal(perms_at(page), RX | S2_PERM_W);
	assert_int_equal(vm.s2stats.mixed_pages, 1);
}

/* A big-endian guest's store Skiff carries out puts the bytes in its order. */
static void test_emulated_store_big_endian(void **state)
{
	uint64_t page = FAKE_RAM_IPA + 0x7000;
	const unsigned char want[4] = { 0xfe, 0xed, 0xc0, 0xde };

	(void)state;
	vm.ram_pa = pa_init((uintptr_t)fake_ram - 0x7000);
	fake.big_endian = true;
	v->ctx.pc = page + 0x40;
	v->ctx.x[3] = 0xfeedc0de;
	stage2_fault(v, ipa_init(page + 0x40), true, IABT);
	stage2_fault(v, ipa_init(page + 0x80), false, DABT_WRITE);
	assert_memory_equal(fake_ram + 0x80, want, 4);
	assert_int_equal(vm.s2stats.emulated_stores, 1);
}

static void test_exec_inside_data_block_flips_one_page(void **state)
{
	(void)state;
	stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x600000), false, DABT_READ);
	assert_int_equal(fake.block_maps, 1);
	stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x603000), true, IABT);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x603000), RX);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x602000), RW);
	assert_int_equal(perms_at(FAKE_RAM_IPA + 0x604000), RW);
	assert_int_equal(vm.s2stats.wx_to_rx, 1);
}

static void test_partial_block_at_the_end_of_ram_uses_pages(void **state)
{
	(void)state;
	stage2_fault(v, ipa_init(FAKE_RAM_IPA + (16UL << 20)), false, DABT_READ);
	assert_int_equal(fake.block_maps, 0);
	assert_int_equal(vm.s2stats.page_maps, 1);
	assert_int_equal(perms_at(FAKE_RAM_IPA + (16UL << 20)), RW);
}

static void test_coherent_caches_skip_maintenance(void **state)
{
	(void)state;
	fake.coherent_caches = true;
	stage2_fault(v, ipa_init(FAKE_RAM_IPA), true, IABT);
	assert_int_equal(vm.s2stats.maintained, 0);
	assert_int_equal(vm.s2stats.maint_skipped, 1);
	assert_int_equal(perms_at(FAKE_RAM_IPA), RX);
}

static void test_spurious_fault_changes_nothing(void **state)
{
	(void)state;
	stage2_fault(v, ipa_init(FAKE_RAM_IPA), false, DABT_WRITE);
	stage2_fault(v, ipa_init(FAKE_RAM_IPA), false,
		     DABT_WRITE); /* another vCPU already mapped it */
	assert_int_equal(vm.s2stats.faults, 2);
	assert_int_equal(fake.protects, 0);
	assert_int_equal(vm.s2stats.wx_to_rw, 0);
}

#define RWX (RW | S2_PERM_X)

/*
 * cache-maintenance = "guest": the first fetch from an unmapped 2 MiB makes it
 * all coherent and maps it read+write+execute at once; the guest's later
 * writes and fetches there take no fault at all (no W^X).
 */
static void test_guest_maintenance_maps_code_blocks_rwx(void **state)
{
	uint64_t block = FAKE_RAM_IPA + 0x400000;

	(void)state;
	vm.guest_maintains_code = true;
	assert_true(stage2_fault(v, ipa_init(block + 0x1234), true, IABT));
	assert_int_equal(fake.block_maps, 1);
	assert_int_equal(perms_at(block), RWX);
	assert_int_equal(perms_at(block + 0x1ff000), RWX);
	assert_int_equal(fake.syncs, 1);
	assert_int_equal(vm.s2stats.maintained, 512); /* the whole block, once */
	assert_int_equal(vm.s2stats.exec_faults, 1);
	/* Where RAM ends one page into a block, a page: maintained, RWX. */
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + (16UL << 20)), true, IABT));
	assert_int_equal(perms_at(FAKE_RAM_IPA + (16UL << 20)), RWX);
	assert_int_equal(fake.block_maps, 1);
	assert_int_equal(vm.s2stats.maintained, 513);
	assert_int_equal(vm.s2stats.wx_to_rw + vm.s2stats.wx_to_rx, 0);
	assert_int_equal(fake.protects, 0);
}

/*
 * A fetch from a data block (mapped read+write by an earlier data access)
 * makes the whole block coherent and executable, without splitting it; writes
 * there stay allowed. Without write permission (the dirty log's protection), a
 * write gets it back and keeps execute.
 */
static void test_guest_maintenance_makes_data_blocks_executable_whole(void **state)
{
	uint64_t block = FAKE_RAM_IPA + 0x600000;

	(void)state;
	vm.guest_maintains_code = true;
	stage2_fault(v, ipa_init(block), false, DABT_READ);
	assert_int_equal(perms_at(block + 0x3000), RW);
	assert_true(stage2_fault(v, ipa_init(block + 0x3000), true, IABT));
	assert_int_equal(fake.leaf_sets, 1);
	assert_int_equal(fake.protects, 0); /* not split */
	assert_int_equal(perms_at(block), RWX);
	assert_int_equal(perms_at(block + 0x1ff000), RWX);
	assert_int_equal(vm.s2stats.maintained, 512);
	/* A fault on a leaf that already allows the access changes nothing. */
	assert_true(stage2_fault(v, ipa_init(block + 0x5000), true, IABT));
	assert_int_equal(fake.leaf_sets, 1);
	/* Write-protected for the dirty log: the write gets its page back, still executable. */
	memset(&fake.perms[(block - FAKE_RAM_IPA) >> 12], RX, 512);
	assert_true(stage2_fault(v, ipa_init(block + 0x8000), false, DABT_WRITE));
	assert_int_equal(perms_at(block + 0x8000), RWX);
	assert_int_equal(perms_at(block + 0x9000), RX);
	assert_int_equal(vm.s2stats.dirty_faults, 1);
	assert_int_equal(vm.s2stats.wx_to_rw + vm.s2stats.wx_to_rx, 0);
}

/* A mapping that fails stops the VM, saying whether its quota or the host ran out. */
static void test_failed_map_names_quota_or_host(void **state)
{
	(void)state;
	fake.s2_fails = true;
	vm.s2.table_quota = 12;
	vm.s2.table_pages = 12;
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x5000), false, DABT_READ));
	assert_int_equal(fake.crashes, 1);
	assert_string_equal(fake.crash, "its stage-2 tables would exceed its quota of 12 pages "
					"(for 16 MiB of RAM) at IPA 0x40005000");
	vm.s2.table_pages = 5;
	assert_true(stage2_fault(v, ipa_init(FAKE_RAM_IPA + 0x6000), true, IABT));
	assert_int_equal(fake.crashes, 2);
	assert_string_equal(fake.crash, "out of memory for stage-2 tables at IPA 0x40006000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_outside_ram_is_not_ours, setup),
		cmocka_unit_test_setup(test_data_fault_maps_a_block_without_execute, setup),
		cmocka_unit_test_setup(test_exec_fault_maintains_then_maps_rx, setup),
		cmocka_unit_test_setup(test_write_xor_execute_cycle, setup),
		cmocka_unit_test_setup(test_store_into_the_executing_page_is_emulated, setup),
		cmocka_unit_test_setup(test_emulated_store_big_endian, setup),
		cmocka_unit_test_setup(test_exec_inside_data_block_flips_one_page, setup),
		cmocka_unit_test_setup(test_partial_block_at_the_end_of_ram_uses_pages, setup),
		cmocka_unit_test_setup(test_coherent_caches_skip_maintenance, setup),
		cmocka_unit_test_setup(test_spurious_fault_changes_nothing, setup),
		cmocka_unit_test_setup(test_failed_map_names_quota_or_host, setup),
		cmocka_unit_test_setup(test_guest_maintenance_maps_code_blocks_rwx, setup),
		cmocka_unit_test_setup(test_guest_maintenance_makes_data_blocks_executable_whole,
				       setup),
	};

	return cmocka_run_group_tests_name("stage2", tests, NULL, NULL);
}
