/* SPDX-License-Identifier: MIT */
/*
 * Lazy stage-2 mapping of guest RAM with cache maintenance on fault (the
 * "non-unified cache coherency maintenance" method): the first access to guest
 * RAM traps; an instruction fetch gets its page cleaned to the point of
 * unification and the I-cache invalidated before it is mapped executable; a
 * write to an executable page takes execute away (W^X), so code the guest writes
 * is maintained again before it runs. See docs/memory.md for the policy.
 */
#ifndef SKIFF_CORE_STAGE2_FAULT_H
#define SKIFF_CORE_STAGE2_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct vcpu;
struct vm;
struct vm_s2_locked;

struct stage2_stats {
	uint64_t faults;	  /* every stage-2 fault on guest RAM */
	uint64_t exec_faults;	  /* instruction fetches among them */
	uint64_t block_maps;	  /* data faults served with a 2 MiB block */
	uint64_t page_maps;	  /* faults served with a 4 KiB page */
	uint64_t maintained;	  /* pages cleaned to PoU + I-cache invalidated */
	uint64_t maint_skipped;	  /* pages needing none (CTR_EL0.IDC and DIC) */
	uint64_t wx_to_rw;	  /* executable pages made writable (execute removed) */
	uint64_t wx_to_rx;	  /* written pages made executable again (after maintenance) */
	uint64_t emulated_stores; /* stores into the page being executed, done by Skiff */
	uint64_t mixed_pages;	  /* pages left writable and executable (no syndrome) */
	uint64_t dirty_faults;	  /* writes to pages the dirty log protected */
};

/*
 * Handles a stage-2 abort at @ipa (@esr: the abort's syndrome). Returns false when
 * @ipa is not guest RAM (the caller then treats it as a device access or a crash).
 */
bool stage2_fault(struct vcpu *vcpu, ipaddr_t ipa, bool exec, uint64_t esr);

/*
 * Skiff is about to write guest RAM at [ipa, ipa + len) for the guest (a
 * backdoor reply): pages mapped executable lose execute first, as they would
 * for a guest store, so no stale instruction runs after. One of the VM's
 * vCPUs must be loaded on this CPU. Returns -1 when
 * the tables for that could not be had (the VM's quota).
 */
int stage2_host_write(struct vm_s2_locked vm, ipaddr_t ipa, uint64_t len);

/* The VM's stage-2 counters in one line, "stage 2: ..."; returns its length. */
size_t stage2_summary(const struct vm *vm, char *buf, size_t size);

#endif
