// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/palloc.h"

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

static void remove_at(struct palloc *pa, unsigned int i)
{
	memmove(&pa->free[i], &pa->free[i + 1], (pa->count - i - 1) * sizeof(pa->free[0]));
	pa->count--;
}

static int insert_at(struct palloc *pa, unsigned int i, uint64_t base, uint64_t size)
{
	if (pa->count >= PALLOC_MAX_RANGES)
		return -1;
	memmove(&pa->free[i + 1], &pa->free[i], (pa->count - i) * sizeof(pa->free[0]));
	pa->free[i].base = base;
	pa->free[i].size = size;
	pa->count++;
	return 0;
}

/* Inserts a free range in address order, merging with its neighbours. */
static int insert_free(struct palloc *pa, uint64_t base, uint64_t size)
{
	unsigned int i = 0;

	while (i < pa->count && pa->free[i].base < base)
		i++;
	if ((i > 0 && pa->free[i - 1].base + pa->free[i - 1].size > base) ||
	    (i < pa->count && base + size > pa->free[i].base))
		return -1; /* overlaps something already free */
	if (i > 0 && pa->free[i - 1].base + pa->free[i - 1].size == base) {
		pa->free[i - 1].size += size;
		if (i < pa->count && base + size == pa->free[i].base) {
			pa->free[i - 1].size += pa->free[i].size;
			remove_at(pa, i);
		}
		return 0;
	}
	if (i < pa->count && base + size == pa->free[i].base) {
		pa->free[i].base = base;
		pa->free[i].size += size;
		return 0;
	}
	return insert_at(pa, i, base, size);
}

int palloc_add(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t start = round_up(base, PALLOC_PAGE);
	uint64_t end = round_down(base + size, PALLOC_PAGE);
	int ret;

	if (base + size < base || end <= start)
		return -1;
	spin_lock(&pa->lock);
	ret = insert_free(pa, start, end - start);
	if (!ret)
		pa->free_bytes += end - start;
	spin_unlock(&pa->lock);
	return ret;
}

/* Carves [start, end) out of free range i; may split it in two. */
static int carve(struct palloc *pa, unsigned int i, uint64_t start, uint64_t end)
{
	uint64_t rbase = pa->free[i].base;
	uint64_t rend = rbase + pa->free[i].size;

	if (start <= rbase && end >= rend) {
		remove_at(pa, i);
		return 0;
	}
	if (start <= rbase) {
		pa->free[i].base = end;
		pa->free[i].size = rend - end;
		return 0;
	}
	pa->free[i].size = start - rbase;
	if (end < rend)
		return insert_at(pa, i + 1, end, rend - end);
	return 0;
}

int palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t start = round_down(base, PALLOC_PAGE);
	uint64_t end = base + size < base ? ~0UL : round_up(base + size, PALLOC_PAGE);
	unsigned int i = 0;
	int ret = 0;

	spin_lock(&pa->lock);
	while (i < pa->count && !ret) {
		uint64_t rbase = pa->free[i].base;
		uint64_t rend = rbase + pa->free[i].size;
		unsigned int before = pa->count;

		if (end <= rbase || start >= rend) {
			i++;
			continue;
		}
		pa->free_bytes -= (end < rend ? end : rend) - (start > rbase ? start : rbase);
		ret = carve(pa, i, start, end);
		if (pa->count >= before)
			i++;
	}
	spin_unlock(&pa->lock);
	return ret;
}

uint64_t palloc_alloc(struct palloc *pa, uint64_t size, uint64_t align)
{
	uint64_t found = 0;
	unsigned int i;

	if (!size || (align & (align - 1)))
		return 0;
	if (align < PALLOC_PAGE)
		align = PALLOC_PAGE;
	size = round_up(size, PALLOC_PAGE);
	spin_lock(&pa->lock);
	for (i = 0; i < pa->count; i++) {
		uint64_t start = round_up(pa->free[i].base, align);
		uint64_t end = pa->free[i].base + pa->free[i].size;

		if (start >= pa->free[i].base && start < end && end - start >= size) {
			if (carve(pa, i, start, start + size) == 0) {
				found = start;
				pa->free_bytes -= size;
			}
			break;
		}
	}
	spin_unlock(&pa->lock);
	return found;
}

void palloc_free(struct palloc *pa, uint64_t base, uint64_t size)
{
	size = round_up(size, PALLOC_PAGE);
	spin_lock(&pa->lock);
	if (!insert_free(pa, base, size))
		pa->free_bytes += size;
	spin_unlock(&pa->lock);
}

uint64_t palloc_free_bytes(struct palloc *pa)
{
	return pa->free_bytes;
}
