/* SPDX-License-Identifier: MIT */
/*
 * The host unit tests of core/vm.c (test_vm_lifecycle, test_vm_enclave) share
 * this harness: the real vm.c, stage 2 and page allocator on 64 MiB of host
 * memory, with devices, scheduler and CPU faked (fake_vm_env.c, fake_arch.c).
 * A test binary creates at most VM_MAX VMs (vm.c's table only grows).
 */
#ifndef SKIFF_TEST_VM_HARNESS_H
#define SKIFF_TEST_VM_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "board/layout.h"
#include "core/vm.h"

#define MIB	    (1UL << 20)
#define PAGE	    4096UL
#define HOST_RAM    (64 * MIB)
#define VM_RAM	    (4 * MIB)
#define KERNEL_SIZE 0x2800UL		       /* not a whole number of pages */
#define DTB_IPA	    (GUEST_RAM_BASE + 2 * MIB) /* the last 2 MiB boundary with room */
#define IABT	    (0x20UL << 26)
#define DABT_READ   ((0x24UL << 26) | (1UL << 24) | (2UL << 22))

extern void *host_ram;			  /* HOST_RAM bytes the allocator manages */
extern unsigned char kernel[KERNEL_SIZE]; /* every VM's kernel unless a test sets another */
extern unsigned char initrd[2 * MIB];

/* cmocka group setup and teardown (the host memory), and each test's setup. */
int group_setup(void **state);
int group_teardown(void **state);
int setup(void **state);

/* A valid configuration of a 4 MiB VM on CPU 0 with @vcpus vCPUs and the raw kernel. */
struct vm_config good(const char *name, unsigned int vcpus);
/* Creates the VM @c describes (a configuration of its own); returns its slot. */
struct vm *create(const struct vm_config *c, unsigned int *started);
/* The test's own (writable) copy of the configuration @vm was created from. */
struct vm_config *config_of(const struct vm *vm);

/* True when one of the last log lines is @line; expect_logged fails the test if not. */
bool logged(const char *line);
void expect_logged(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The reset's line: the stage-2 counters, then the host's free memory once emptied. */
void expect_reset_logged(const struct vm *vm, uint64_t free_bytes);

/* Where the test reaches guest RAM at @ipa; whether stage 2 maps @ipa. */
void *ram(struct vm *vm, uint64_t ipa);
bool mapped(struct vm *vm, uint64_t ipa);
/* The guest touches its RAM: code at the entry, data in both 2 MiB blocks. */
void guest_runs(struct vm *vm);
/* What the scheduler's run loop does first for a vCPU of a VM the operator reset. */
void run_loop_turn(struct vcpu *v);
/*
 * The state right after a reset: only the boot vCPU on, at the entry, the images
 * loaded again, stage 2 emptied, and the @tables_before table pages the VM had
 * back in the allocator (those it maps again right away, GICv2's, aside).
 */
void expect_fresh(struct vm *vm, uint64_t free_before_reset, uint64_t tables_before);

#endif
