/* SPDX-License-Identifier: MIT */
/* Host physical memory: what is free after Skiff, the device tree and the boot modules. */
#ifndef SKIFF_CORE_MEM_H
#define SKIFF_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

/* Adds every RAM range and removes everything in use; @in_use lists the ranges to keep. */
void mem_init(const struct platform *plat, const struct mem_range *in_use, unsigned int nin_use);

/* Zeroed, identity-mapped memory; NULL when there is not enough. */
void *mem_alloc(uint64_t size, uint64_t align);
void *mem_alloc_page(void);
/* Like mem_alloc, not zeroed: for guest RAM, which is prepared block by block. */
void *mem_alloc_uninit(uint64_t size, uint64_t align);
void mem_free(void *p, uint64_t size);
uint64_t mem_free_bytes(void);
/* Runs of free pages: how fragmented free memory is. */
uint64_t mem_free_runs(void);

#endif
