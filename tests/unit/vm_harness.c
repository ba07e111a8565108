// SPDX-License-Identifier: MIT
/*
 * What the tests of core/vm.c share (vm_harness.h): host memory from the real
 * allocator, VM configurations, creation, the guest touching its RAM, the run
 * loop's reset, and what a fresh VM looks like.
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

#include "core/mem.h"
#include "core/stage2_fault.h"
#include "fake_arch.h"
#include "fake_vm_env.h"
#include "vm_harness.h"

static struct platform plat;
void *host_ram;
unsigned char kernel[KERNEL_SIZE];
unsigned char initrd[2 * MIB];
/* One configuration per VM created: vm.c keeps a pointer to it. */
static struct config configs[VM_MAX];
static unsigned int nconfigs;

int group_setup(void **state)
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

int group_teardown(void **state)
{
	(void)state;
	free(host_ram);
	return 0;
}

int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&env, 0, sizeof(env));
	env.pa_bits = 40; /* stage 2 starts at level 1, two concatenated root pages */
	env.gic_version = 3;
	return 0;
}

struct vm_config good(const char *name, unsigned int vcpus)
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
struct vm *create(const struct vm_config *c, unsigned int *started)
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
struct vm_config *config_of(const struct vm *vm)
{
	for (unsigned int i = 0; i < nconfigs; i++)
		if (vm->config == &configs[i].vms[0])
			return &configs[i].vms[0];
	fail_msg("vm %s has no configuration of the test's", vm->name);
	return NULL;
}

/* True when one of the last log lines is @line. */
bool logged(const char *line)
{
	for (unsigned int i = 0; i < FAKE_LOGS && i < fake.nlogs; i++)
		if (!strcmp(fake.log[(fake.nlogs - 1 - i) % FAKE_LOGS], line))
			return true;
	return false;
}

void expect_logged(const char *fmt, ...)
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
void expect_reset_logged(const struct vm *vm, uint64_t free_bytes)
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

void *ram(struct vm *vm, uint64_t ipa)
{
	return pa_ptr(vm_ram_pa(vm, ipa_init(ipa)));
}

bool mapped(struct vm *vm, uint64_t ipa)
{
	struct s2_leaf leaf;

	arch_stage2_lookup(&vm->s2, ipa_init(ipa), &leaf);
	return leaf.valid;
}

/* The guest touches its RAM: code at the entry, data in both 2 MiB blocks. */
void guest_runs(struct vm *vm)
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
void run_loop_turn(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->vm->reset_requested, false, __ATOMIC_ACQ_REL))
		vm_reset(v->vm, v);
}

/*
 * The state right after a reset: only the boot vCPU on, at the entry, the images
 * loaded again, stage 2 emptied, and the @tables_before table pages the VM had
 * back in the allocator (those it maps again right away, GICv2's, aside).
 */
void expect_fresh(struct vm *vm, uint64_t free_before_reset, uint64_t tables_before)
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
