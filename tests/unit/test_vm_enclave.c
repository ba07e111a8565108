// SPDX-License-Identifier: MIT
/*
 * Enclave VMs in core/vm.c: measured at creation, their RAM zeroed when they
 * stop (once the last vCPU has left its CPU), crash or reset, and before a
 * failed one's pages go back to the allocator; the same steps on a VM that is no
 * enclave keep its RAM, which shows each check can see a mark. On the harness of
 * test_vm_lifecycle (vm_harness.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mem.h"
#include "core/vm.h"
#include "enclave/measure.h"
#include "fake_arch.h"
#include "fake_vm_env.h"
#include "vm_harness.h"

/* The marks a guest leaves in both 2 MiB blocks of its RAM, beyond its image. */
#define MARK_A (GUEST_RAM_BASE + 0x100000)
#define MARK_B (GUEST_RAM_BASE + 0x300000)

static void leave_marks(struct vm *vm)
{
	memset(ram(vm, MARK_A), 0xa5, PAGE);
	memset(ram(vm, MARK_B), 0x5a, PAGE);
}

static bool marks_there(struct vm *vm)
{
	return *(unsigned char *)ram(vm, MARK_A) == 0xa5 &&
	       *(unsigned char *)ram(vm, MARK_B) == 0x5a;
}

static bool zero(const void *p, uint64_t len)
{
	const unsigned char *b = p;

	for (uint64_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static void expect_measured(struct vm *vm)
{
	unsigned char want[TOKEN_MEASUREMENT_LEN];
	char hex[2 * TOKEN_MEASUREMENT_LEN + 1];

	measure_vm(vm->config, want);
	assert_memory_equal(vm->measurement, want, sizeof(want));
	for (unsigned int i = 0; i < sizeof(want); i++)
		snprintf(hex + 2 * i, 3, "%02x", want[i]);
	expect_logged("vm %s: enclave: measurement %s (CPU profile host)", vm->name, hex);
}

/*
 * A stopped enclave's RAM is zeroed, but only once no vCPU of it can still be
 * storing into it: the last one to leave its CPU does it. A VM that is no
 * enclave keeps its RAM (it may be started again as it was).
 */
static void test_enclave_ram_zeroed_once_every_vcpu_left(void **state)
{
	struct vm_config e = good("enc", 2), p = good("plain", 2);
	unsigned int started;
	struct vm *enc, *plain;

	(void)state;
	e.enclave = true;
	enc = create(&e, &started);
	assert_int_equal(started, 1);
	assert_true(enc->enclave);
	expect_measured(enc);
	plain = create(&p, &started);
	assert_false(plain->enclave);

	guest_runs(enc);
	leave_marks(enc);
	enc->vcpus[1].state = VCPU_RUNNABLE;
	enc->vcpus[1].loaded = true; /* on the other CPU, in the guest */
	vm_power_off(enc);
	assert_true(marks_there(enc)); /* vCPU 1 may still be storing */
	assert_true(enc->scrub_pending);
	assert_false(vm_all_stopped()); /* the host waits for the scrub to power off */
	vm_vcpu_left(&enc->vcpus[0]);	/* vCPU 0 was not on a CPU: nothing yet */
	assert_true(marks_there(enc));
	enc->vcpus[1].loaded = false;
	vm_vcpu_left(&enc->vcpus[1]);
	assert_true(zero(ram(enc, GUEST_RAM_BASE), VM_RAM));
	assert_false(enc->scrub_pending);
	assert_int_equal(enc->scrubs, 1);
	expect_logged("vm enc: enclave RAM zeroed after the stop (4 MiB)");

	guest_runs(plain);
	leave_marks(plain);
	vm_power_off(plain);
	vm_vcpu_left(&plain->vcpus[0]);
	assert_true(marks_there(plain));
	assert_false(plain->scrub_pending);
	assert_int_equal(plain->scrubs, 0);

	/* Started again: the images back, the same measurement. */
	assert_true(vm_request_reset(enc));
	run_loop_turn(&enc->vcpus[0]);
	assert_int_equal(enc->state, VM_RUNNING);
	assert_int_equal(memcmp(ram(enc, GUEST_RAM_BASE), kernel, KERNEL_SIZE), 0);
	expect_measured(enc);
}

/* A crash zeroes too; so does a reset, before the images are loaded again. */
static void test_enclave_ram_zeroed_on_crash_and_reset(void **state)
{
	struct vm_config e = good("encreset", 1), p = good("plainreset", 1);
	unsigned int started;
	uint64_t free_before;
	struct vm *enc, *plain;

	(void)state;
	e.enclave = true;
	enc = create(&e, &started);
	guest_runs(enc);
	leave_marks(enc);
	vm_crash(enc, "test");
	assert_true(zero(ram(enc, GUEST_RAM_BASE), VM_RAM));
	assert_int_equal(enc->scrubs, 1);

	assert_true(vm_request_reset(enc));
	run_loop_turn(&enc->vcpus[0]);
	guest_runs(enc);
	leave_marks(enc);
	free_before = mem_free_bytes();
	vm_reset(enc, &enc->vcpus[0]);
	expect_fresh(enc, free_before, 2);
	assert_true(zero(ram(enc, MARK_A), PAGE));
	assert_true(zero(ram(enc, MARK_B), PAGE));
	assert_int_equal(enc->scrubs, 3); /* the crash, the start, this reset */

	plain = create(&p, &started);
	guest_runs(plain);
	leave_marks(plain);
	vm_reset(plain, &plain->vcpus[0]);
	assert_true(marks_there(plain)); /* a warm reset keeps RAM (the reset guest) */
	vm_crash(plain, "test");
	assert_true(marks_there(plain));
}

/* Where @len bytes like @what lie in the host memory the allocator hands out. */
static bool in_host_memory(const unsigned char *what, size_t len)
{
	const unsigned char *m = host_ram;

	for (uint64_t at = 0; at + len <= HOST_RAM; at++)
		if (m[at] == what[0] && !memcmp(m + at, what, len))
			return true;
	return false;
}

/*
 * An enclave that fails to build after its kernel was loaded gives its RAM back
 * zeroed: no page the allocator hands out again holds its image. A VM that is
 * no enclave gives it back as it is (its RAM is zeroed when next prepared).
 */
static void test_enclave_gives_back_zeroed_ram(void **state)
{
	static unsigned char secret_kernel[KERNEL_SIZE], plain_kernel[KERNEL_SIZE];
	struct vm_config e = good("encfail", 1), p = good("plainfail", 1);
	unsigned int started;
	struct vm *vm;

	(void)state;
	for (unsigned int i = 0; i < KERNEL_SIZE; i++) {
		secret_kernel[i] = (unsigned char)(i * 13 + 5);
		plain_kernel[i] = (unsigned char)(i * 11 + 3);
	}
	e.enclave = true;
	e.kernel = secret_kernel;
	e.initrd = initrd;
	e.initrd_size = sizeof(initrd); /* 2 MiB: cannot fit below the device tree */
	vm = create(&e, &started);
	assert_int_equal(vm->state, VM_FAILED);
	assert_false(in_host_memory(secret_kernel, KERNEL_SIZE));

	p.kernel = plain_kernel;
	p.initrd = initrd;
	p.initrd_size = sizeof(initrd);
	vm = create(&p, &started);
	assert_int_equal(vm->state, VM_FAILED);
	assert_true(in_host_memory(plain_kernel, KERNEL_SIZE)); /* the check can see one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_enclave_ram_zeroed_once_every_vcpu_left, setup),
		cmocka_unit_test_setup(test_enclave_ram_zeroed_on_crash_and_reset, setup),
		cmocka_unit_test_setup(test_enclave_gives_back_zeroed_ram, setup),
	};

	return cmocka_run_group_tests_name("vm_enclave", tests, group_setup, group_teardown);
}
