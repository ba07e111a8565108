/* SPDX-License-Identifier: MIT */
/*
 * A VM's emulated-device bus: a table of guest-physical ranges, each with the
 * handlers of the device behind it. Stage-2 data aborts outside guest RAM are
 * routed here.
 */
#ifndef SKIFF_CORE_MMIO_H
#define SKIFF_CORE_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define MMIO_MAX_REGIONS 16

struct vcpu;

struct mmio_ops {
	/* @offset is relative to the region base; @size is 1, 2, 4 or 8 bytes. */
	uint64_t (*read)(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size);
	void (*write)(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size,
		      uint64_t value);
};

struct mmio_region {
	uint64_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *dev;
	const char *name;
};

struct mmio_bus {
	unsigned int count;
	struct mmio_region regions[MMIO_MAX_REGIONS];
};

/* Returns 0, or -1 if the table is full, the range is empty/wraps, or overlaps another. */
int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		 void *dev, const char *name);

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr);

/*
 * Performs one access. Returns false when no device decodes the whole access
 * [addr, addr + size). Reads store the zero-extended value in *value.
 */
bool mmio_bus_access(const struct mmio_bus *bus, struct vcpu *vcpu, uint64_t addr,
		     unsigned int size, bool write, uint64_t *value);

#endif
