// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/palloc.h"

static struct palloc host_pages;

void mem_init(const struct platform *plat, const struct mem_range *in_use, unsigned int nin_use)
{
	unsigned int i;

	palloc_init(&host_pages);
	for (i = 0; i < plat->nmem; i++)
		if (palloc_add(&host_pages, plat->mem[i].base, plat->mem[i].size))
			log_warn("memory range 0x%lx+0x%lx ignored (overlaps or too many ranges)",
				 (unsigned long)plat->mem[i].base,
				 (unsigned long)plat->mem[i].size);
	for (i = 0; i < plat->nreserved; i++)
		palloc_reserve(&host_pages, plat->reserved[i].base, plat->reserved[i].size);
	for (i = 0; i < nin_use; i++)
		palloc_reserve(&host_pages, in_use[i].base, in_use[i].size);
}

void *mem_alloc_uninit(uint64_t size, uint64_t align)
{
	/* Identity map: the physical address is the hypervisor's pointer. */
	return (void *)palloc_alloc(&host_pages, size, align);
}

void *mem_alloc(uint64_t size, uint64_t align)
{
	void *p = mem_alloc_uninit(size, align);

	if (p)
		memset(p, 0, size);
	return p;
}

void *mem_alloc_page(void)
{
	return mem_alloc(PALLOC_PAGE, PALLOC_PAGE);
}

void mem_free(void *p, uint64_t size)
{
	palloc_free(&host_pages, (uint64_t)p, size);
}

uint64_t mem_free_bytes(void)
{
	return palloc_free_bytes(&host_pages);
}
