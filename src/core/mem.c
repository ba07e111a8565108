// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/palloc.h"
#include "lib/addr.h"

static struct palloc host_pages;

static bool overlaps(uint64_t base, uint64_t end, const struct mem_range *r)
{
	return base < r->base + r->size && r->base < end;
}

/*
 * The first page-aligned @bytes of RAM that nothing uses yet (reserved by the
 * device tree or @in_use), for the allocator's own bitmaps; 0 if there are none.
 */
static uint64_t find_room(const struct platform *plat, const struct mem_range *in_use,
			  unsigned int nin_use, uint64_t bytes)
{
	for (unsigned int m = 0; m < plat->nmem; m++) {
		uint64_t end = plat->mem[m].base + plat->mem[m].size;
		uint64_t at = (plat->mem[m].base + PALLOC_PAGE - 1) & ~(PALLOC_PAGE - 1);
		bool moved = true;

		if (!at)
			at = PALLOC_PAGE;
		/* Step past whatever is in the way until nothing is; @at only grows. */
		while (moved && at <= end && bytes <= end - at) {
			moved = false;
			for (unsigned int i = 0; i < plat->nreserved + nin_use; i++) {
				const struct mem_range *r = i < plat->nreserved
								    ? &plat->reserved[i]
								    : &in_use[i - plat->nreserved];

				if (overlaps(at, at + bytes, r)) {
					at = (r->base + r->size + PALLOC_PAGE - 1) &
					     ~(PALLOC_PAGE - 1);
					moved = true;
				}
			}
			if (!moved)
				return at;
		}
	}
	return 0;
}

void mem_init(const struct platform *plat, const struct mem_range *in_use, unsigned int nin_use)
{
	uint64_t bytes = 0, bitmaps, at;
	unsigned int i;

	palloc_init(&host_pages);
	for (i = 0; i < plat->nmem; i++)
		bytes += palloc_bitmap_bytes(plat->mem[i].size);
	bitmaps = find_room(plat, in_use, nin_use, bytes);
	if (!bitmaps) {
		log_error("no room for the page allocator's %lu KiB of bitmaps: no memory for VMs",
			  (unsigned long)(bytes >> 10));
		return;
	}
	at = bitmaps;
	for (i = 0; i < plat->nmem; i++) {
		if (palloc_add(&host_pages, plat->mem[i].base, plat->mem[i].size,
			       pa_ptr(pa_init(at))))
			log_warn("memory range 0x%lx+0x%lx ignored (empty, overlapping, or more "
				 "than %u ranges)",
				 (unsigned long)plat->mem[i].base, (unsigned long)plat->mem[i].size,
				 PALLOC_MAX_REGIONS);
		else
			at += palloc_bitmap_bytes(plat->mem[i].size);
	}
	for (i = 0; i < plat->nreserved; i++)
		palloc_reserve(&host_pages, plat->reserved[i].base, plat->reserved[i].size);
	for (i = 0; i < nin_use; i++)
		palloc_reserve(&host_pages, in_use[i].base, in_use[i].size);
	palloc_reserve(&host_pages, bitmaps, bytes);
}

void *mem_alloc_uninit(uint64_t size, uint64_t align)
{
	/* The allocator deals in host physical addresses; EL2 maps them identity. */
	return pa_ptr(pa_init(palloc_alloc(&host_pages, size, align)));
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
	uint64_t pa = pa_addr(pa_from_ptr(p));

	if (palloc_free(&host_pages, pa, size))
		log_error("memory 0x%lx+0x%lx freed but not allocated (a double free?): ignored",
			  (unsigned long)pa, (unsigned long)size);
}

uint64_t mem_free_bytes(void)
{
	return palloc_free_bytes(&host_pages);
}

uint64_t mem_free_runs(void)
{
	return palloc_free_runs(&host_pages);
}
