/* SPDX-License-Identifier: MIT */
/*
 * What core/vm.c is built on, faked for its host unit test (fake_vm_env.c): the
 * devices, the scheduler, the clock, and the TLB maintenance under
 * arch/arm64/stage2.c, which runs for real on memory from core/mem.c.
 */
#ifndef SKIFF_TEST_FAKE_VM_ENV_H
#define SKIFF_TEST_FAKE_VM_ENV_H

#include <stdbool.h>
#include <stdint.h>

struct fake_env {
	unsigned int pa_bits;	  /* what mmu_pa_bits() says */
	unsigned int gic_version; /* what vgic_init() gives each VM (2 maps GICV) */
	bool cpuif_fails;	  /* vgic_map_cpuif() fails */
	unsigned int tlb_vmid_flushes, tlb_ipa_flushes;
	uint64_t free_at_flush; /* host memory free at the last whole-VMID flush */
	unsigned int wakes, vms_stopped, vgic_resets, uart_flushes;
};

extern struct fake_env env;

#endif
