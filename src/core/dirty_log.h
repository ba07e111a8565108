/* SPDX-License-Identifier: MIT */
/*
 * Which of a VM's RAM pages were written since they were last collected: what a
 * pre-copy migration sends again (docs/migration.md). While the log is on, no
 * RAM page is writable at stage 2 unless its bit is set: a collection takes
 * write permission back from every page it returns, and a guest's next write
 * to one faults (stage2_fault.c), which sets the bit again and lets the write
 * through. Skiff's own writes into guest RAM (the backdoor's buffers, an
 * attestation token) take no fault to order them against a collection: they
 * are kept apart and go again with the final state, when no vCPU runs.
 * The bitmaps and the flag are under vm->s2_lock.
 */
#ifndef SKIFF_CORE_DIRTY_LOG_H
#define SKIFF_CORE_DIRTY_LOG_H

#include <stdbool.h>
#include <stdint.h>

#define DIRTY_LOG_PAGE 4096UL

struct vm;

struct dirty_log {
	bool on;
	uint64_t *guest; /* one bit per 4 KiB page of RAM, from its start */
	uint64_t *host;	 /* the same, for Skiff's writes */
	uint64_t words;	 /* of each bitmap */
};

static inline void dirty_log_set(uint64_t *bits, uint64_t offset, uint64_t len)
{
	for (uint64_t p = offset / DIRTY_LOG_PAGE; p * DIRTY_LOG_PAGE < offset + len; p++)
		bits[p / 64] |= 1UL << (p % 64);
}

/* [offset, offset + len) of RAM became writable at stage 2 (or was written by emulation). */
static inline void dirty_log_note(struct dirty_log *d, uint64_t offset, uint64_t len)
{
	if (d->on)
		dirty_log_set(d->guest, offset, len);
}

/* Skiff writes [offset, offset + len) of RAM for the guest. */
static inline void dirty_log_note_host(struct dirty_log *d, uint64_t offset, uint64_t len)
{
	if (d->on)
		dirty_log_set(d->host, offset, len);
}

/*
 * Turns the log on: every page of RAM the guest was given counts as written
 * (the first round sends them all), and all of RAM is write-protected.
 * Returns -1 when there is no memory for the bitmaps.
 */
int dirty_log_start(struct vm *vm);

/* Turns it off: pages still write-protected become writable again at their next write. */
void dirty_log_stop(struct vm *vm);

/*
 * Adds the pages written since the last collection to the set @into (words
 * long) and write-protects them again; returns how many pages the set holds
 * now. @final (no vCPU of the VM on a CPU any more) adds Skiff's writes too,
 * and protects nothing.
 */
uint64_t dirty_log_collect(struct vm *vm, uint64_t *into, bool final);

#endif
