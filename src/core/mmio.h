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

/*
 * A device's register handlers. They may run in the exception vector's fast path
 * (trap_mmio_fast), which steps over the access itself afterwards: a handler
 * changes no register of @vcpu, nor its PC or PSTATE, and never resets or stops
 * it; what needs that is work for the run loop (a flag or an IPI).
 */
struct mmio_ops {
	/* @offset is relative to the region base; @size is 1, 2, 4 or 8 bytes. */
	uint64_t (*read)(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size);
	void (*write)(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size,
		      uint64_t value);
};

/* 64 bytes each: finding one from its index is a shift (the exit path does it). */
struct mmio_region {
	uint64_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *dev;
	const char *name;
} __attribute__((aligned(64)));

struct mmio_bus {
	unsigned int count;
	unsigned int last; /* the region the last lookup found: tried first */
	struct mmio_region regions[MMIO_MAX_REGIONS];
};

/* Returns 0, or -1 if the table is full, the range is empty/wraps, or overlaps another. */
int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		 void *dev, const char *name);

/*
 * A 64-bit device register accessed as two 32-bit words (as the GIC allows):
 * the word of @reg at byte @offset (0 or 4, bit 2 decides), and @reg with that
 * word replaced by @value.
 */
static inline uint32_t mmio_reg64_word(uint64_t reg, uint64_t offset)
{
	return (uint32_t)(reg >> (offset & 4) * 8);
}

static inline uint64_t mmio_reg64_set_word(uint64_t reg, uint64_t offset, uint32_t value)
{
	unsigned int shift = (offset & 4) * 8;

	return (reg & ~(0xffffffffUL << shift)) | ((uint64_t)value << shift);
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr);

/* Whether region @r holds all of [addr, addr + size). */
static inline bool mmio_region_decodes(const struct mmio_region *r, uint64_t addr,
				       unsigned int size)
{
	/*
	 * Below the base the difference wraps past any size (no region wraps); a
	 * region is less than 2^52 bytes (mmio_bus_add()), so off + size cannot wrap.
	 */
	uint64_t off = addr - r->base;

	return off < r->size && off + size <= r->size;
}

/* mmio_bus_decode() past its first guess: a scan of the regions, which sets the guess. */
const struct mmio_region *mmio_bus_decode_scan(struct mmio_bus *bus, uint64_t addr,
					       unsigned int size);

/*
 * The region whose device decodes the whole access [addr, addr + size), or
 * NULL. The region found last is tried first, inline: a VM's accesses come in
 * runs on one device (a driver polling its status, a console writing a line).
 * vCPUs share the guess; it is only ever an index of a region found before
 * (0, an empty region or the first, in a new bus), so a stale one costs a scan
 * and no more. Regions are added before any vCPU runs.
 */
static inline const struct mmio_region *mmio_bus_decode(struct mmio_bus *bus, uint64_t addr,
							unsigned int size)
{
	/* A hint other vCPUs may rewrite: one plain load (GCC's atomic load takes no offset). */
	const struct mmio_region *r = &bus->regions[*(const volatile unsigned int *)&bus->last];

	return mmio_region_decodes(r, addr, size) ? r : mmio_bus_decode_scan(bus, addr, size);
}

/*
 * The low @size bytes (1 to 8) of @v: two shifts by 64 - 8 * @size, taken mod 64
 * (0 for 8 bytes), which is what the CPU's register shifts do with it anyway.
 */
static inline uint64_t mmio_truncate(uint64_t v, unsigned int size)
{
	unsigned int drop = (0U - size * 8) & 63;

	return v << drop >> drop;
}

/* A read of @size bytes (1, 2, 4 or 8) at @addr, which region @r decodes: zero-extended. */
static inline uint64_t mmio_region_read(const struct mmio_region *r, struct vcpu *vcpu,
					uint64_t addr, unsigned int size)
{
	if (!r->ops->read)
		return 0;
	return mmio_truncate(r->ops->read(r->dev, vcpu, addr - r->base, size), size);
}

/* A write of the low @size bytes of @value at @addr, which region @r decodes. */
static inline void mmio_region_write(const struct mmio_region *r, struct vcpu *vcpu, uint64_t addr,
				     unsigned int size, uint64_t value)
{
	if (r->ops->write)
		r->ops->write(r->dev, vcpu, addr - r->base, size, mmio_truncate(value, size));
}

/*
 * One access, decoded and performed: false when no device decodes it. The value
 * goes in and out through @value (zero-extended).
 */
bool mmio_bus_access(struct mmio_bus *bus, struct vcpu *vcpu, uint64_t addr, unsigned int size,
		     bool write, uint64_t *value);

#endif
