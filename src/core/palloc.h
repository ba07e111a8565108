/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator: one bit per 4 KiB page of each memory region, set
 * while the page is free; first fit with an alignment. Guest RAM needs large
 * contiguous, 2 MiB-aligned runs (so stage 2 can use block mappings) and page
 * tables need single pages; both come from here. A free only sets bits, so it
 * cannot fail for lack of room, and neighbouring free pages form one run
 * whatever order they were freed in (docs/memory.md).
 */
#ifndef SKIFF_CORE_PALLOC_H
#define SKIFF_CORE_PALLOC_H

#include <stdint.h>

#include "lib/spinlock.h"

#define PALLOC_MAX_REGIONS 8 /* as many as the platform lists RAM ranges */
#define PALLOC_PAGE	   4096UL

struct palloc_region {
	uint64_t base;	/* of page 0 */
	uint64_t pages; /* in the region */
	uint64_t *free; /* bit i of word i / 64 set: page i is free */
	uint64_t hint;	/* no page below this one is free */
};

struct palloc {
	struct spinlock lock; /* protects: all of the below, and the bitmaps. A leaf. */
	unsigned int nregions;
	struct palloc_region region[PALLOC_MAX_REGIONS];
	uint64_t free_bytes; /* bytes currently free */
};

void palloc_init(struct palloc *pa);
/* Bytes of bitmap a region of @size bytes needs (palloc_add's @bitmap). */
uint64_t palloc_bitmap_bytes(uint64_t size);
/*
 * Adds [base, base + size), trimmed to page boundaries, all free. @bitmap
 * (palloc_bitmap_bytes(size) bytes) is the allocator's from now on: if it lies
 * in managed memory, reserve it. -1 when the range is empty, overlaps a region
 * already added or there are PALLOC_MAX_REGIONS already. A page at address 0 is
 * never handed out (0 means "no memory").
 */
int palloc_add(struct palloc *pa, uint64_t base, uint64_t size, uint64_t *bitmap);
/* Takes [base, base + size) out of the free pool, wherever it overlaps. */
void palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size);
/* Returns the physical address of @size bytes aligned to @align (a power of two), or 0. */
uint64_t palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align);
/*
 * Gives back what palloc_alloc handed out (any part of it). Always succeeds for
 * that; -1, and nothing changes, when some page in the range is not managed here
 * or is free already (a double free).
 */
int palloc_free(struct palloc *pa, uint64_t base, uint64_t size);
uint64_t palloc_free_bytes(struct palloc *pa);
/* How many runs of free pages there are (one per region when nothing is allocated). */
uint64_t palloc_free_runs(struct palloc *pa);

#endif
