// SPDX-License-Identifier: MIT
#include "core/mmio.h"

static bool ranges_overlap(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		 void *dev, const char *name)
{
	unsigned int i;

	/* No IPA reaches 2^52: a bigger window is a mistake (mmio_region_decodes() needs less). */
	if (bus->count >= MMIO_MAX_REGIONS || !size || size >> 52 || base + size < base || !ops)
		return -1;
	for (i = 0; i < bus->count; i++)
		if (ranges_overlap(base, size, bus->regions[i].base, bus->regions[i].size))
			return -1;
	bus->regions[bus->count++] = (struct mmio_region){
		.base = base, .size = size, .ops = ops, .dev = dev, .name = name
	};
	return 0;
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < bus->count; i++)
		if (mmio_region_decodes(&bus->regions[i], addr, 1))
			return &bus->regions[i];
	return 0;
}

const struct mmio_region *mmio_bus_decode_scan(struct mmio_bus *bus, uint64_t addr,
					       unsigned int size)
{
	const struct mmio_region *r = mmio_bus_find(bus, addr);

	if (!r)
		return 0;
	__atomic_store_n(&bus->last, (unsigned int)(r - bus->regions), __ATOMIC_RELAXED);
	return mmio_region_decodes(r, addr, size) ? r : 0;
}

bool mmio_bus_access(struct mmio_bus *bus, struct vcpu *vcpu, uint64_t addr, unsigned int size,
		     bool write, uint64_t *value)
{
	const struct mmio_region *r = mmio_bus_decode(bus, addr, size);

	if (!r)
		return false;
	if (write)
		mmio_region_write(r, vcpu, addr, size, *value);
	else
		*value = mmio_region_read(r, vcpu, addr, size);
	return true;
}
