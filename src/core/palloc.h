/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator: a sorted list of free ranges, first fit with an
 * alignment. Guest RAM needs large contiguous, 2 MiB-aligned blocks (so stage 2
 * can use block mappings) and page tables need single pages; both come from here.
 */
#ifndef SKIFF_CORE_PALLOC_H
#define SKIFF_CORE_PALLOC_H

#include <stdint.h>

#include "lib/spinlock.h"

#define PALLOC_MAX_RANGES 64
#define PALLOC_PAGE	  4096UL

struct palloc {
	struct spinlock lock;
	unsigned int count;
	struct {
		uint64_t base;
		uint64_t size;
	} free[PALLOC_MAX_RANGES];
	uint64_t free_bytes; /* bytes currently free */
};

void palloc_init(struct palloc *pa);
/* Adds [base, base + size) to the free pool (trimmed to page boundaries). */
int palloc_add(struct palloc *pa, uint64_t base, uint64_t size);
/* Removes [base, base + size) from the free pool, wherever it overlaps. */
int palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size);
/* Returns the physical address of @size bytes aligned to @align (a power of two), or 0. */
uint64_t palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align);
void palloc_free(struct palloc *pa, uint64_t base, uint64_t size);
uint64_t palloc_free_bytes(struct palloc *pa);

#endif
