// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "core/palloc.h"
#include "lib/bits.h"

#define WORD_BITS 64

static uint64_t round_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void palloc_init(struct palloc *pa)
{
	memset(pa, 0, sizeof(*pa));
}

uint64_t palloc_bitmap_bytes(uint64_t size)
{
	return (size / PALLOC_PAGE + WORD_BITS - 1) / WORD_BITS * sizeof(uint64_t);
}

/* The first free page in [i, end), or @end. */
static uint64_t next_free(const struct palloc_region *r, uint64_t i, uint64_t end)
{
	while (i < end) {
		/* Bits shifted in from above read as "in use": the next word is looked at next. */
		uint64_t w = r->free[i / WORD_BITS] >> (i % WORD_BITS);

		if (w) {
			i += (uint64_t)__builtin_ctzll(w);
			return i < end ? i : end;
		}
		i = round_down(i, WORD_BITS) + WORD_BITS;
	}
	return end;
}

/* The first page in use in [i, end), or @end. */
static uint64_t next_used(const struct palloc_region *r, uint64_t i, uint64_t end)
{
	while (i < end) {
		uint64_t w = ~r->free[i / WORD_BITS] >> (i % WORD_BITS);

		if (w) {
			i += (uint64_t)__builtin_ctzll(w);
			return i < end ? i : end;
		}
		i = round_down(i, WORD_BITS) + WORD_BITS;
	}
	return end;
}

/* Marks pages [i, i + n) free or in use; returns how many changed. */
static uint64_t mark(struct palloc_region *r, uint64_t i, uint64_t n, bool free)
{
	uint64_t changed = 0;

	while (n) {
		unsigned int bit = i % WORD_BITS;
		uint64_t take = WORD_BITS - bit < n ? WORD_BITS - bit : n;
		uint64_t mask = (take == WORD_BITS ? ~0UL : (1UL << take) - 1) << bit;
		uint64_t *w = &r->free[i / WORD_BITS];

		changed += popcount64(free ? mask & ~*w : mask & *w);
		*w = free ? *w | mask : *w & ~mask;
		i += take;
		n -= take;
	}
	return changed;
}

int palloc_add(struct palloc *pa, uint64_t base, uint64_t size, uint64_t *bitmap)
{
	uint64_t start = round_up(base, PALLOC_PAGE);
	uint64_t end = round_down(base + size, PALLOC_PAGE);
	struct palloc_region *r;
	int ret = -1;

	if (!start)
		start = PALLOC_PAGE; /* address 0 is palloc_alloc's "no memory" */
	if (base + size < base || start < base || end <= start)
		return -1;
	spin_lock(&pa->lock);
	for (unsigned int i = 0; i < pa->nregions; i++) {
		const struct palloc_region *o = &pa->region[i];

		if (start < o->base + o->pages * PALLOC_PAGE && o->base < end)
			goto out;
	}
	if (pa->nregions < PALLOC_MAX_REGIONS) {
		r = &pa->region[pa->nregions++];
		r->base = start;
		r->pages = (end - start) / PALLOC_PAGE;
		r->free = bitmap;
		r->hint = 0;
		memset(bitmap, 0, palloc_bitmap_bytes(r->pages * PALLOC_PAGE));
		pa->free_bytes += mark(r, 0, r->pages, true) * PALLOC_PAGE;
		ret = 0;
	}
out:
	spin_unlock(&pa->lock);
	return ret;
}

void palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t start = round_down(base, PALLOC_PAGE);
	uint64_t end = base + size < base ? ~0UL : round_up(base + size, PALLOC_PAGE);

	if (end < start) /* rounded up past the top of the address space */
		end = ~0UL;
	spin_lock(&pa->lock);
	for (unsigned int i = 0; i < pa->nregions; i++) {
		struct palloc_region *r = &pa->region[i];
		uint64_t rend = r->base + r->pages * PALLOC_PAGE;
		uint64_t from = start > r->base ? start : r->base;
		uint64_t to = end < rend ? end : rend;

		if (from < to)
			pa->free_bytes -= mark(r, (from - r->base) / PALLOC_PAGE,
					       (to - from) / PALLOC_PAGE, false) *
					  PALLOC_PAGE;
	}
	spin_unlock(&pa->lock);
}

/* First fit in one region: the lowest run of @n free pages whose address is aligned. */
static uint64_t alloc_in(struct palloc_region *r, uint64_t n, uint64_t align)
{
	uint64_t i = next_free(r, r->hint, r->pages);

	r->hint = i;
	while (n <= r->pages - i) {
		uint64_t addr = round_up(r->base + i * PALLOC_PAGE, align);
		uint64_t j = (addr - r->base) / PALLOC_PAGE, used;

		if (addr < r->base || j > r->pages - n)
			break;
		used = next_used(r, j, j + n);
		if (used == j + n) {
			mark(r, j, n, false);
			if (j == r->hint)
				r->hint = j + n;
			return addr;
		}
		i = next_free(r, used, r->pages);
	}
	return 0;
}

uint64_t palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align)
{
	uint64_t found = 0;

	if (!size || (align & (align - 1)) || size > ~0UL - PALLOC_PAGE)
		return 0;
	if (align < PALLOC_PAGE)
		align = PALLOC_PAGE;
	size = round_up(size, PALLOC_PAGE);
	spin_lock(&pa->lock);
	for (unsigned int i = 0; i < pa->nregions && !found; i++)
		found = alloc_in(&pa->region[i], size / PALLOC_PAGE, align);
	if (found)
		pa->free_bytes -= size;
	spin_unlock(&pa->lock);
	return found;
}

int palloc_free(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t n = round_up(size, PALLOC_PAGE) / PALLOC_PAGE;
	int ret = -1;

	if (!size || base % PALLOC_PAGE || size > ~0UL - PALLOC_PAGE)
		return -1;
	spin_lock(&pa->lock);
	for (unsigned int k = 0; k < pa->nregions; k++) {
		struct palloc_region *r = &pa->region[k];
		uint64_t i = (base - r->base) / PALLOC_PAGE;

		if (base < r->base || i >= r->pages || n > r->pages - i)
			continue;
		if (next_free(r, i, i + n) == i + n) {
			mark(r, i, n, true);
			pa->free_bytes += n * PALLOC_PAGE;
			if (i < r->hint)
				r->hint = i;
			ret = 0;
		}
		break;
	}
	spin_unlock(&pa->lock);
	return ret;
}

uint64_t palloc_free_bytes(struct palloc *pa)
{
	return pa->free_bytes;
}

uint64_t palloc_free_runs(struct palloc *pa)
{
	uint64_t runs = 0;

	spin_lock(&pa->lock);
	for (unsigned int n = 0; n < pa->nregions; n++) {
		const struct palloc_region *r = &pa->region[n];

		for (uint64_t i = next_free(r, 0, r->pages); i < r->pages;
		     i = next_free(r, next_used(r, i, r->pages), r->pages))
			runs++;
	}
	spin_unlock(&pa->lock);
	return runs;
}
