/* SPDX-License-Identifier: MIT */
#ifndef SKIFF_TEST_FAKE_ARCH_H
#define SKIFF_TEST_FAKE_ARCH_H

#include "core/ipi.h"
#include "core/irq.h"
#include "core/vm.h"

#define FAKE_LOGS	  8
#define FAKE_RAM_IPA	  0x40000000UL
#define FAKE_RAM_PAGES	  8192 /* 32 MiB of fake stage 2 */
#define FAKE_COUNTER_STEP 10

struct fake_record {
	unsigned int undefs, dabts, crashes, power_offs, resets, eois, ipis, nlogs;
	unsigned int pending_irq, last_eoi;
	uint64_t dabt_far;
	unsigned int block_maps, page_map_calls, protects, syncs, yields, blocks, prepares;
	const void *sync_va; /* the last arch_sync_icache()'s range */
	uint64_t sync_size;
	uint64_t synced_bytes; /* all of them */
	unsigned int kicks, last_kick_cpu, skips;
	bool big_endian;    /* the trapped data access is big-endian */
	bool cond_fails;    /* the trapped instruction is AArch32's, its condition failed */
	bool ptimer_serves; /* ptimer_access() emulates the register (fake_vm.c) */
	uint32_t ptimer_enc;
	uint64_t ptimer_value;
	uint32_t enabled_private; /* PPIs and SGIs enabled, one bit each */
	uint64_t sgi1r;
	uint64_t counter;
	int64_t fw_wa1; /* SMCCC_ARCH_FEATURES(WORKAROUND_1) as the firmware answers */
	unsigned int wa_calls;
	uint32_t last_wa;
	bool rndr;			     /* the CPU has RNDR (false: arch_random_u64 fails) */
	uint64_t rndr_next;		     /* what RNDR gives next; each read adds one */
	bool coherent_caches;		     /* CTR_EL0.IDC and DIC both set */
	bool s2_fails;			     /* stage-2 maps and protects fail (no table page) */
	unsigned char perms[FAKE_RAM_PAGES]; /* fake stage 2: S2_PERM_* per page, 0 = unmapped */
	bool block[FAKE_RAM_PAGES / 512];    /* that 2 MiB is mapped by one block */
	unsigned int leaf_sets;		     /* arch_stage2_set_leaf_perms() calls */
	/* Device registers: the test's model of the device answers (none: 0, ignored). */
	uint32_t (*mmio_read)(uint64_t reg, unsigned int width);
	void (*mmio_write)(uint64_t reg, uint32_t value);
	unsigned int dma_barriers;
	/* Called at each full DMA barrier: a device acting just then (a race, made to happen). */
	void (*dma_mb_hook)(void);
	char crash[256];
	char log[FAKE_LOGS][256];
};

extern struct fake_record fake;
void fake_reset(void);

#endif
