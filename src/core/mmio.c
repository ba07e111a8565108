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

	if (bus->count >= MMIO_MAX_REGIONS || !size || base + size < base || !ops)
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

	for (i = 0; i < bus->count; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (addr >= r->base && addr - r->base < r->size)
			return r;
	}
	return 0;
}

bool mmio_bus_access(const struct mmio_bus *bus, struct vcpu *vcpu, uint64_t addr,
		     unsigned int size, bool write, uint64_t *value)
{
	const struct mmio_region *r = mmio_bus_find(bus, addr);
	uint64_t mask = size >= 8 ? ~0UL : (1UL << (size * 8)) - 1;

	if (!r || addr - r->base + size > r->size)
		return false;
	if (write) {
		if (r->ops->write)
			r->ops->write(r->dev, vcpu, addr - r->base, size, *value & mask);
	} else {
		*value = r->ops->read ? r->ops->read(r->dev, vcpu, addr - r->base, size) & mask : 0;
	}
	return true;
}
