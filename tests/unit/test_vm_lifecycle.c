// SPDX-License-Identifier: MIT
/*
 * The VM lifecycle of core/vm.c: creation (and refusal, with the reason and the
 * memory given back), the guest's reset, the operator's reset and start, a
 * reset that fails, power-off, crash and restart. Stage 2 is the real one
 * (arch/arm64/stage2.c, pgtable.c) on host memory from the real allocator
 * (core/mem.c, palloc.c); the devices, scheduler and CPU are faked
 * (fake_vm_env.c, fake_arch.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include "board/layout.h"
#include "core/mem.h"
#include "core/stage2_fault.h"
#include "core/vm.h"
#include "fake_arch.h"
#include "fake_vm_env.h"
#include "vm_harness.h"

static void test_create_start_stop_restart(void **state)
{
	struct vm_config c = good("life", 2);
	uint64_t free0 = mem_free_bytes(), free_built;
	unsigned int started;
	struct vm *vm;

	(void)state;
	/* An initrd that fills the room up to the device tree to the page. */
	c.initrd = initrd;
	c.initrd_size = DTB_IPA - (GUEST_RAM_BASE + 0x3000);
	vm = create(&c, &started);
	assert_int_equal(started, 1);
	expect_logged("vm life: 4 MiB RAM at IPA 0x40000000, 2 vCPU(s) on CPU 0, entry 0x40000000");
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpus[0].state, VCPU_RUNNABLE);
	assert_int_equal(vm->vcpus[0].ctx.pc, GUEST_RAM_BASE);
	assert_int_equal(vm->vcpus[0].ctx.x[0], DTB_IPA);
	assert_int_equal(vm->vcpus[1].state, VCPU_OFF);
	assert_int_equal(vm->vcpus[1].pcpu, 1);
	assert_int_equal(memcmp(ram(vm, GUEST_RAM_BASE), kernel, KERNEL_SIZE), 0);
	assert_int_equal(memcmp(ram(vm, GUEST_RAM_BASE + 0x3000), initrd, c.initrd_size), 0);
	/* RAM, its bitmap of prepared blocks (a page), two root pages; no table yet. */
	free_built = mem_free_bytes();
	assert_int_equal(free0 - free_built, VM_RAM + PAGE + 2 * PAGE);
	/* RAM in GiB 1 (one level-2 table, two level-3) and the GICv2 frame (the same). */
	assert_int_equal(vm->s2.table_quota, 1 + 2 + 1 + 1);

	guest_runs(vm);
	vm->vcpus[1].state = VCPU_RUNNABLE; /* PSCI CPU_ON */
	vm_power_off(vm);
	assert_int_equal(vm->state, VM_POWERED_OFF);
	assert_int_equal(vm->vcpus[0].state, VCPU_STOPPED);
	assert_int_equal(vm->vcpus[1].state, VCPU_STOPPED);
	assert_int_equal(env.vms_stopped, 1);
	assert_int_equal(fake.kicks, 1); /* vCPU 1 runs on the other CPU */
	vm_power_off(vm);		 /* stopped already: nothing more */
	assert_int_equal(env.vms_stopped, 1);

	/* vm start: the boot vCPU alone, which resets the VM before anything else. */
	assert_true(vm_request_reset(vm));
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->vcpus[1].state, VCPU_OFF);
	assert_int_equal(vm->vcpus[0].state, VCPU_RUNNABLE);
	assert_true(vm->reset_requested);
	run_loop_turn(&vm->vcpus[0]);
	expect_fresh(vm, free_built - 2 * PAGE, 2);
	assert_int_equal(vm->s2.table_pages, 0);
	assert_int_equal(mem_free_bytes(), free_built);

	guest_runs(vm);
	vm_crash(vm, "test crash %d", 7);
	expect_logged("vm life: crashed: test crash 7; VM stopped, other VMs unaffected");
	assert_int_equal(vm->state, VM_CRASHED);
	assert_int_equal(vm->vcpus[0].state, VCPU_STOPPED);
	assert_true(vm_request_reset(vm));
	run_loop_turn(&vm->vcpus[0]);
	expect_fresh(vm, free_built - 2 * PAGE, 2);
	assert_string_equal(vm_state_name(vm->state), "running");
}

/* PSCI SYSTEM_RESET from a secondary vCPU, then from the boot vCPU itself. */
static void test_guest_reset(void **state)
{
	struct vm_config c = good("greset", 2);
	unsigned int started;
	uint64_t free_before, emptied;
	struct vm *vm;

	(void)state;
	env.gic_version = 2;
	vm = create(&c, &started);
	assert_int_equal(started, 1);
	assert_true(mapped(vm, GUEST_GICC_BASE));
	assert_int_equal(vm->s2.table_pages, 2);
	guest_runs(vm);
	vm->vcpus[1].state = VCPU_RUNNABLE;
	free_before = mem_free_bytes();
	assert_int_equal(vm->s2.table_pages, 2 + 2);

	vm_reset(vm, &vm->vcpus[1]);
	expect_fresh(vm, free_before, 4);
	/* GICv2's CPU interface is mapped again, with two new tables. */
	assert_true(mapped(vm, GUEST_GICC_BASE));
	assert_int_equal(vm->s2.table_pages, 2);
	assert_int_equal(env.vgic_resets, 1);
	assert_int_equal(env.tlb_vmid_flushes, 1);

	guest_runs(vm);
	free_before = mem_free_bytes();
	vm_reset(vm, &vm->vcpus[0]);
	expect_fresh(vm, free_before, 4);
	assert_true(vm->vcpus[0].reload); /* loaded on this CPU: the run loop reloads it */

	/*
	 * At the stop, the host's free memory after each reset (what each reset's line
	 * gave, the same both times), not subject to the log budget.
	 */
	emptied = (free_before + 4 * PAGE) >> 10;
	vm_power_off(vm);
	expect_logged("vm greset: after each of its 2 resets, host memory free: first %lu KiB, "
		      "lowest %lu KiB, last %lu KiB; free ranges: first %lu, most %lu, last %lu",
		      (unsigned long)emptied, (unsigned long)emptied, (unsigned long)emptied,
		      (unsigned long)vm->reset_mem.first_runs,
		      (unsigned long)vm->reset_mem.first_runs,
		      (unsigned long)vm->reset_mem.first_runs);
	assert_int_equal(vm->reset_mem.resets, 2);
	assert_true(vm->reset_mem.first_runs >= 1);
}

/* The operator resets a running VM: the next vCPU of it that runs carries it out. */
static void test_operator_reset(void **state)
{
	struct vm_config c = good("oreset", 1);
	unsigned int started;
	uint64_t free_before;
	struct vm *vm;

	(void)state;
	vm = create(&c, &started);
	guest_runs(vm);
	free_before = mem_free_bytes();
	assert_true(vm_request_reset(vm));
	assert_true(vm->reset_requested);
	assert_int_equal(env.wakes, 1);
	run_loop_turn(&vm->vcpus[0]);
	assert_false(vm->reset_requested);
	expect_fresh(vm, free_before, 2);
	assert_int_equal(vm->s2.table_pages, 0);
}

/*
 * A reset that cannot load the images (or map the GIC) stops the VM, and leaves it
 * where the operator can start it again.
 */
static void test_failed_reset_can_be_started_again(void **state)
{
	struct vm_config c = good("badreset", 2);
	unsigned int started;
	uint64_t free_before;
	struct vm *vm;

	(void)state;
	vm = create(&c, &started);
	guest_runs(vm);
	config_of(vm)->kernel_size = VM_RAM; /* the image no longer fits */
	vm_reset(vm, &vm->vcpus[0]);
	expect_logged("vm badreset: crashed: reset failed: kernel needs 0x400000 bytes at offset "
		      "0x0 but RAM below the device tree is 0x200000; VM stopped, other VMs "
		      "unaffected");
	assert_int_equal(vm->state, VM_CRASHED);
	assert_int_equal(vm->vcpus[0].state, VCPU_STOPPED);
	assert_false(vm->resetting);

	config_of(vm)->kernel_size = KERNEL_SIZE;
	free_before = mem_free_bytes();
	assert_true(vm_request_reset(vm));
	run_loop_turn(&vm->vcpus[0]);
	expect_fresh(vm, free_before, 0);

	env.cpuif_fails = true;
	vm_reset(vm, &vm->vcpus[0]);
	expect_logged("vm badreset: crashed: reset failed: cannot map the GIC's virtual CPU "
		      "interface; VM stopped, other VMs unaffected");
	assert_false(vm->resetting);
	env.cpuif_fails = false;
	assert_true(vm_request_reset(vm));
	run_loop_turn(&vm->vcpus[0]);
	expect_fresh(vm, free_before, 0);
}

/* A VM refused at creation says why, and what it had taken is free again. */
static void test_bad_configs_fail_and_give_memory_back(void **state)
{
	struct vm_config big = good("big", 1), fat = good("fat", 1), rd = good("rd", 1);
	uint64_t free0 = mem_free_bytes();
	void *fat_kernel;
	unsigned int started;
	struct vm *vm;

	(void)state;
	big.memory_size = HOST_RAM;
	vm = create(&big, &started);
	assert_int_equal(started, 0);
	assert_int_equal(vm->state, VM_FAILED);
	expect_logged("vm big: not started: not enough host memory for 64 MiB of RAM (%lu MiB "
		      "free)",
		      (unsigned long)(free0 >> 20));
	assert_false(vm_request_reset(vm));
	assert_int_equal(mem_free_bytes(), free0);

	fat.kernel_size = 3 * MIB;
	fat_kernel = calloc(1, fat.kernel_size);
	fat.kernel = fat_kernel;
	vm = create(&fat, &started);
	assert_int_equal(vm->state, VM_FAILED);
	expect_logged("vm fat: not started: kernel needs 0x300000 bytes at offset 0x0 but RAM "
		      "below the device tree is 0x200000");
	assert_int_equal(mem_free_bytes(), free0);
	free(fat_kernel);

	/*
	 * One byte more than the room between the kernel's last page and the device
	 * tree: put on a page boundary below that, the initrd would overwrite the end of
	 * the kernel.
	 */
	rd.initrd = initrd;
	rd.initrd_size = DTB_IPA - (GUEST_RAM_BASE + 0x3000) + 1;
	vm = create(&rd, &started);
	assert_int_equal(started, 0);
	assert_int_equal(vm->state, VM_FAILED);
	expect_logged("vm rd: not started: initrd of 2037 KiB does not fit between the kernel and "
		      "the device tree (2036 KiB free): give the VM more memory");
	assert_int_equal(mem_free_bytes(), free0);
}

/*
 * Every page of RAM mapped on its own stays within the quota; a VM held to fewer
 * tables than it needs is stopped, naming its quota, and other VMs run on.
 */
static void test_stage2_quota(void **state)
{
	struct vm_config c = good("quota", 1);
	unsigned int started;
	uint64_t free_before;
	struct vm *vm;

	(void)state;
	vm = create(&c, &started);
	for (uint64_t off = 0; off < VM_RAM; off += PAGE)
		assert_true(
			stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + off), true, IABT));
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->s2.table_pages, 3);
	assert_true(vm->s2.table_pages <= vm->s2.table_quota);

	vm_reset(vm, &vm->vcpus[0]);
	vm->s2.table_quota = 2;
	free_before = mem_free_bytes();
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE), true, IABT));
	assert_int_equal(vm->state, VM_RUNNING);
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x200000), true, IABT));
	expect_logged("vm quota: crashed: its stage-2 tables would exceed its quota of 2 pages "
		      "(for 4 MiB of RAM) at IPA 0x40200000; VM stopped, other VMs unaffected");
	assert_int_equal(vm->state, VM_CRASHED);
	assert_int_equal(vm->s2.table_pages, 2);
	assert_int_equal(mem_free_bytes(), free_before - 2 * PAGE);
	assert_int_equal(vm_get(0)->state, VM_RUNNING); /* "life" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_start_stop_restart, setup),
		cmocka_unit_test_setup(test_guest_reset, setup),
		cmocka_unit_test_setup(test_operator_reset, setup),
		cmocka_unit_test_setup(test_failed_reset_can_be_started_again, setup),
		cmocka_unit_test_setup(test_bad_configs_fail_and_give_memory_back, setup),
		cmocka_unit_test_setup(test_stage2_quota, setup),
	};

	return cmocka_run_group_tests_name("vm_lifecycle", tests, group_setup, group_teardown);
}
