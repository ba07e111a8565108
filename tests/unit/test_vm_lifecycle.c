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

#define MIB	    (1UL << 20)
#define PAGE	    4096UL
#define HOST_RAM    (64 * MIB)
#define VM_RAM	    (4 * MIB)
#define KERNEL_SIZE 0x2800UL		       /* not a whole number of pages */
#define DTB_IPA	    (GUEST_RAM_BASE + 2 * MIB) /* the last 2 MiB boundary with room */
#define IABT	    (0x20UL << 26)
#define DABT_READ   ((0x24UL << 26) | (1UL << 24) | (2UL << 22))

static struct platform plat;
static void *host_ram;
static unsigned char kernel[KERNEL_SIZE];
static unsigned char initrd[2 * MIB];
/* One configuration per VM created: vm.c keeps a pointer to it. */
static struct config configs[VM_MAX];
static unsigned int nconfigs;

static int group_setup(void **state)
{
	(void)state;
	host_ram = aligned_alloc(2 * MIB, HOST_RAM);
	plat.nmem = 1;
	plat.mem[0] = (struct mem_range){ (uint64_t)host_ram, HOST_RAM };
	mem_init(&plat, 0, 0);
	for (unsigned int i = 0; i < KERNEL_SIZE; i++)
		kernel[i] = (unsigned char)(i * 7 + 1);
	memset(initrd, 0xd5, sizeof(initrd));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(host_ram);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&env, 0, sizeof(env));
	env.pa_bits = 40; /* stage 2 starts at level 1, two concatenated root pages */
	env.gic_version = 3;
	return 0;
}

static struct vm_config good(const char *name, unsigned int vcpus)
{
	struct vm_config c = {
		.memory_size = VM_RAM,
		.vcpus = vcpus,
		.cpu = 0,
		.kernel = kernel,
		.kernel_size = KERNEL_SIZE,
		.kernel_format = KERNEL_RAW,
		.bootargs = "",
		.backdoor = true,
		.guestinfo_node = -1,
	};

	snprintf(c.name, sizeof(c.name), "%s", name);
	return c;
}

/* Creates the VM @c describes (a configuration of its own); returns its slot. */
static struct vm *create(const struct vm_config *c, unsigned int *started)
{
	struct config *cfg = &configs[nconfigs++];

	assert_true(nconfigs <= VM_MAX);
	cfg->nvms = 1;
	cfg->vms[0] = *c;
	*started = vm_create_all(cfg);
	assert_int_equal(vm_count(), nconfigs);
	return vm_get(vm_count() - 1);
}

/* The test's own (writable) copy of the configuration @vm was created from. */
static struct vm_config *config_of(const struct vm *vm)
{
	for (unsigned int i = 0; i < nconfigs; i++)
		if (vm->config == &configs[i].vms[0])
			return &configs[i].vms[0];
	fail_msg("vm %s has no configuration of the test's", vm->name);
	return NULL;
}

/* True when one of the last log lines is @line. */
static bool logged(const char *line)
{
	for (unsigned int i = 0; i < FAKE_LOGS && i < fake.nlogs; i++)
		if (!strcmp(fake.log[(fake.nlogs - 1 - i) % FAKE_LOGS], line))
			return true;
	return false;
}

static void expect_logged(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!logged(line))
		fail_msg("not logged: \"%s\" (last: \"%s\")", line,
			 fake.log[(fake.nlogs - 1) % FAKE_LOGS]);
}

/* The reset's line: the stage-2 counters, then the host's free memory once emptied. */
static void expect_reset_logged(const struct vm *vm, uint64_t free_bytes)
{
	char head[64], tail[96];

	snprintf(head, sizeof(head), "vm %s: stage 2: ", vm->name);
	snprintf(tail, sizeof(tail), "; emptied for the reset, host memory free: %lu KiB",
		 (unsigned long)(free_bytes >> 10));
	for (unsigned int i = 0; i < FAKE_LOGS && i < fake.nlogs; i++) {
		const char *l = fake.log[(fake.nlogs - 1 - i) % FAKE_LOGS];
		size_t n = strlen(l);

		if (!strncmp(l, head, strlen(head)) && n > strlen(tail) &&
		    !strcmp(l + n - strlen(tail), tail))
			return;
	}
	fail_msg("no reset line \"%s...%s\" (last: \"%s\")", head, tail,
		 fake.log[(fake.nlogs - 1) % FAKE_LOGS]);
}

static void *ram(struct vm *vm, uint64_t ipa)
{
	return pa_ptr(vm_ram_pa(vm, ipa_init(ipa)));
}

static bool mapped(struct vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;

	arch_stage2_lookup(&vm->s2, ipa_init(ipa), &leaf);
	return leaf.valid;
}

/* The guest touches its RAM: code at the entry, data in both 2 MiB blocks. */
static void guest_runs(struct vm *vm)
{
	assert_true(stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE), true, IABT));
	assert_true(
		stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x100000), false, DABT_READ));
	assert_true(
		stage2_fault(&vm->vcpus[0], ipa_init(GUEST_RAM_BASE + 0x300000), false, DABT_READ));
	assert_true(mapped(vm, GUEST_RAM_BASE));
	assert_true(mapped(vm, GUEST_RAM_BASE + 0x300000));
	assert_int_equal(vm->state, VM_RUNNING);
	/* It overwrites its kernel, which a reset must bring back. */
	memset(ram(vm, GUEST_RAM_BASE), 0xee, 64);
}

/* What the scheduler's run loop does first for a vCPU of a VM the operator reset. */
static void run_loop_turn(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->vm->reset_requested, false, __ATOMIC_ACQ_REL))
		vm_reset(v->vm, v);
}

/*
 * The state right after a reset: only the boot vCPU on, at the entry, the images
 * loaded again, stage 2 emptied, and the @tables_before table pages the VM had
 * back in the allocator (those it maps again right away, GICv2's, aside).
 */
static void expect_fresh(struct vm *vm, uint64_t free_before_reset, uint64_t tables_before)
{
	struct vcpu *boot = &vm->vcpus[0];
	uint64_t emptied = free_before_reset + tables_before * PAGE;

	assert_int_equal(vm->state, VM_RUNNING);
	assert_false(vm->resetting);
	assert_int_equal(boot->state, VCPU_RUNNABLE);
	assert_int_equal(boot->ctx.pc, GUEST_RAM_BASE);
	assert_int_equal(boot->ctx.x[0], DTB_IPA);
	for (unsigned int i = 1; i < vm->nvcpus; i++)
		assert_int_equal(vm->vcpus[i].state, VCPU_OFF);
	assert_false(mapped(vm, GUEST_RAM_BASE));
	assert_false(mapped(vm, GUEST_RAM_BASE + 0x300000));
	assert_int_equal(vm->s2stats.faults, 0);
	assert_int_equal(memcmp(ram(vm, GUEST_RAM_BASE), kernel, KERNEL_SIZE), 0);
	assert_int_equal(fdt_check_header(ram(vm, DTB_IPA)), 0);
	/* None of the tables was freed before the TLB flush; all were after it. */
	assert_int_equal(env.free_at_flush, free_before_reset);
	expect_reset_logged(vm, emptied);
	assert_int_equal(mem_free_bytes(), emptied - vm->s2.table_pages * PAGE);
}

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
	uint64_t free_before;
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
