// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "lib/format.h"
#include "virtio/mmio.h"
#include "virtio/mmio_regs.h"

/* How long a reset may take before the device is given up: 100 ms. */
#define RESET_WAIT_DIVISOR 10
/* Config reads tried while the generation keeps changing. */
#define CONFIG_TRIES 16

static uint32_t rd(const struct virtio_mmio *dev, unsigned int reg)
{
	return arch_mmio_read32(pa_add(dev->base, reg));
}

static void wr(const struct virtio_mmio *dev, unsigned int reg, uint32_t v)
{
	arch_mmio_write32(pa_add(dev->base, reg), v);
}

static void set_status(const struct virtio_mmio *dev, uint32_t bits)
{
	wr(dev, VIRTIO_MMIO_STATUS, rd(dev, VIRTIO_MMIO_STATUS) | bits);
}

int virtio_mmio_probe(paddr_t base, struct virtio_mmio *dev, char *err, size_t errlen)
{
	uint32_t magic, version;

	*dev = (struct virtio_mmio){ .base = base };
	magic = rd(dev, VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != VIRTIO_MMIO_MAGIC) {
		format(err, errlen, "virtio-mmio at 0x%lx: magic value 0x%x, not \"virt\"",
		       (unsigned long)pa_addr(base), magic);
		return -1;
	}
	version = rd(dev, VIRTIO_MMIO_VERSION);
	dev->device_id = rd(dev, VIRTIO_MMIO_DEVICE_ID);
	dev->vendor_id = rd(dev, VIRTIO_MMIO_VENDOR_ID);
	if (version == VIRTIO_MMIO_LEGACY && dev->device_id) {
		format(err, errlen,
		       "virtio-mmio at 0x%lx: device %u behind a legacy (version 1) transport; "
		       "Skiff drives version 2 only (QEMU: -global "
		       "virtio-mmio.force-legacy=false)",
		       (unsigned long)pa_addr(base), dev->device_id);
		return -1;
	}
	if (version != VIRTIO_MMIO_MODERN && version != VIRTIO_MMIO_LEGACY) {
		format(err, errlen, "virtio-mmio at 0x%lx: unknown version %u",
		       (unsigned long)pa_addr(base), version);
		return -1;
	}
	return 0;
}

int virtio_mmio_begin(struct virtio_mmio *dev, char *err, size_t errlen)
{
	uint64_t deadline = arch_counter() + arch_counter_freq() / RESET_WAIT_DIVISOR;

	wr(dev, VIRTIO_MMIO_STATUS, 0);
	/* The device may take its time to reset (4.2.3.1.1): bounded by the deadline. */
	while (rd(dev, VIRTIO_MMIO_STATUS)) {
		if (arch_counter() > deadline) {
			format(err, errlen,
			       "virtio-mmio at 0x%lx: device %u still resetting after "
			       "100 ms",
			       (unsigned long)pa_addr(dev->base), dev->device_id);
			return -1;
		}
	}
	set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(dev, VIRTIO_STATUS_DRIVER);
	return 0;
}

static uint64_t device_features(const struct virtio_mmio *dev)
{
	uint64_t f;

	wr(dev, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	f = (uint64_t)rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(dev, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	return f | rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

int virtio_mmio_negotiate(struct virtio_mmio *dev, uint64_t required, uint64_t wanted, char *err,
			  size_t errlen)
{
	uint64_t offered = device_features(dev);
	uint64_t missing;

	required |= VIRTIO_FEATURE(VIRTIO_F_VERSION_1);
	/*
	 * Taken when offered, as a driver should (6.1): the addresses Skiff gives
	 * are the ones the device uses (no IOMMU in front of a transport it
	 * drives), and its barriers are the platform's (arch_dma_*) anyway.
	 */
	wanted |=
		VIRTIO_FEATURE(VIRTIO_F_ACCESS_PLATFORM) | VIRTIO_FEATURE(VIRTIO_F_ORDER_PLATFORM);
	missing = required & ~offered;
	if (missing) {
		format(err, errlen,
		       "virtio-mmio at 0x%lx: device %u does not offer feature bits 0x%lx "
		       "(offers 0x%lx)",
		       (unsigned long)pa_addr(dev->base), dev->device_id, (unsigned long)missing,
		       (unsigned long)offered);
		virtio_mmio_fail(dev);
		return -1;
	}
	dev->features = required | (wanted & offered);
	wr(dev, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(dev->features >> 32));
	wr(dev, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)dev->features);
	set_status(dev, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		format(err, errlen,
		       "virtio-mmio at 0x%lx: device %u refused the features 0x%lx (FEATURES_OK "
		       "not kept)",
		       (unsigned long)pa_addr(dev->base), dev->device_id,
		       (unsigned long)dev->features);
		virtio_mmio_fail(dev);
		return -1;
	}
	return 0;
}

uint16_t virtio_mmio_queue_size(struct virtio_mmio *dev, unsigned int index, uint16_t limit,
				char *err, size_t errlen)
{
	uint32_t max;
	uint16_t size = 1;

	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	max = rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max || rd(dev, VIRTIO_MMIO_QUEUE_READY)) {
		format(err, errlen, "virtio-mmio at 0x%lx: device %u has no queue %u%s",
		       (unsigned long)pa_addr(dev->base), dev->device_id, index,
		       max ? " that is not in use already" : "");
		return 0;
	}
	while ((uint32_t)size * 2 <= max && size * 2 <= limit)
		size *= 2;
	return size;
}

static void write_pa(const struct virtio_mmio *dev, unsigned int low_reg, paddr_t pa)
{
	wr(dev, low_reg, (uint32_t)pa_addr(pa));
	wr(dev, low_reg + 4, (uint32_t)(pa_addr(pa) >> 32));
}

int virtio_mmio_queue_setup(struct virtio_mmio *dev, unsigned int index, const struct virtq *q,
			    char *err, size_t errlen)
{
	wr(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	wr(dev, VIRTIO_MMIO_QUEUE_NUM, q->ring.size);
	write_pa(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, virtq_desc_pa(q));
	write_pa(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, virtq_avail_pa(q));
	write_pa(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, virtq_used_pa(q));
	wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	if (rd(dev, VIRTIO_MMIO_QUEUE_READY) != 1) {
		format(err, errlen, "virtio-mmio at 0x%lx: device %u did not take queue %u",
		       (unsigned long)pa_addr(dev->base), dev->device_id, index);
		return -1;
	}
	return 0;
}

int virtio_mmio_driver_ok(struct virtio_mmio *dev, char *err, size_t errlen)
{
	set_status(dev, VIRTIO_STATUS_DRIVER_OK);
	if (virtio_mmio_needs_reset(dev)) {
		format(err, errlen, "virtio-mmio at 0x%lx: device %u needs a reset after DRIVER_OK",
		       (unsigned long)pa_addr(dev->base), dev->device_id);
		return -1;
	}
	return 0;
}

void virtio_mmio_notify(const struct virtio_mmio *dev, unsigned int index)
{
	wr(dev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

uint32_t virtio_mmio_irq_ack(const struct virtio_mmio *dev)
{
	uint32_t status = rd(dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (status)
		wr(dev, VIRTIO_MMIO_INTERRUPT_ACK, status);
	return status;
}

bool virtio_mmio_needs_reset(const struct virtio_mmio *dev)
{
	return rd(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

void virtio_mmio_fail(const struct virtio_mmio *dev)
{
	set_status(dev, VIRTIO_STATUS_FAILED);
}

static void config_copy(const struct virtio_mmio *dev, unsigned int offset, uint8_t *out,
			size_t len, unsigned int width)
{
	for (size_t i = 0; i < len; i += width) {
		paddr_t reg = pa_add(dev->base, VIRTIO_MMIO_CONFIG + offset + i);
		uint32_t v = width == 1	  ? arch_mmio_read8(reg)
			     : width == 2 ? arch_mmio_read16(reg)
					  : arch_mmio_read32(reg);

		for (unsigned int b = 0; b < width && i + b < len; b++)
			out[i + b] = (uint8_t)(v >> (8 * b));
	}
}

int virtio_mmio_config_read(const struct virtio_mmio *dev, unsigned int offset, void *buf,
			    size_t len, unsigned int width, char *err, size_t errlen)
{
	for (unsigned int tries = 0; tries < CONFIG_TRIES; tries++) {
		uint32_t gen = rd(dev, VIRTIO_MMIO_CONFIG_GENERATION);

		config_copy(dev, offset, buf, len, width);
		if (rd(dev, VIRTIO_MMIO_CONFIG_GENERATION) == gen)
			return 0;
	}
	format(err, errlen,
	       "virtio-mmio at 0x%lx: device %u's config kept changing while read (%u tries)",
	       (unsigned long)pa_addr(dev->base), dev->device_id, CONFIG_TRIES);
	return -1;
}
