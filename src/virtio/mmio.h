/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of the virtio-mmio transport, version 2 (OASIS virtio 1.2,
 * 4.2.3): what a driver of any virtio device does to find it, bring it up and
 * talk to it. The order of the status handshake is the specification's
 * (3.1.1): reset, ACKNOWLEDGE, DRIVER, feature negotiation and FEATURES_OK,
 * the queues, DRIVER_OK. VIRTIO_F_VERSION_1 is required (no legacy devices);
 * a transport of version 1 is refused with the QEMU option that gives version 2.
 *
 * The registers go through arch_mmio_read32/arch_mmio_write32 (mapped by the
 * caller as device memory). Every wait on the device is bounded.
 */
#ifndef SKIFF_VIRTIO_MMIO_H
#define SKIFF_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "virtio/virtq.h"

struct virtio_mmio {
	paddr_t base;
	uint32_t device_id; /* VIRTIO_ID_*, 0 when the transport is empty */
	uint32_t vendor_id;
	uint64_t features; /* negotiated */
};

/*
 * Reads the transport at @base: 0 with dev->device_id set (0: nothing behind
 * it), or -1 with @err when it is no virtio-mmio transport or a legacy one.
 */
int virtio_mmio_probe(paddr_t base, struct virtio_mmio *dev, char *err, size_t errlen);

/*
 * Resets the device (waiting, bounded, for the reset to finish), then sets
 * ACKNOWLEDGE and DRIVER. -1 with @err when the reset does not finish.
 */
int virtio_mmio_begin(struct virtio_mmio *dev, char *err, size_t errlen);

/*
 * Feature negotiation: the device must offer every bit of @required (to which
 * VIRTIO_F_VERSION_1 is added); the driver accepts those and whatever of
 * @wanted is offered (plus ACCESS_PLATFORM and ORDER_PLATFORM, which every
 * driver here honours), sets FEATURES_OK and checks the device kept it.
 * dev->features is the result. -1 with @err naming the missing bits.
 */
int virtio_mmio_negotiate(struct virtio_mmio *dev, uint64_t required, uint64_t wanted, char *err,
			  size_t errlen);

/*
 * The size queue @index can have, at most @limit: the largest power of two not
 * above the device's maximum. 0 with @err when the device has no such queue.
 */
uint16_t virtio_mmio_queue_size(struct virtio_mmio *dev, unsigned int index, uint16_t limit,
				char *err, size_t errlen);

/* Gives queue @index, laid out in @q, to the device and marks it ready. -1 with @err. */
int virtio_mmio_queue_setup(struct virtio_mmio *dev, unsigned int index, const struct virtq *q,
			    char *err, size_t errlen);

/* DRIVER_OK: the device may now use the queues. -1 with @err if it asks for a reset. */
int virtio_mmio_driver_ok(struct virtio_mmio *dev, char *err, size_t errlen);

/* Tells the device queue @index has new buffers. */
void virtio_mmio_notify(const struct virtio_mmio *dev, unsigned int index);

/* Reads and acknowledges the interrupt status: VIRTIO_MMIO_INT_* bits. */
uint32_t virtio_mmio_irq_ack(const struct virtio_mmio *dev);

/* True when the device has set DEVICE_NEEDS_RESET (it stopped working). */
bool virtio_mmio_needs_reset(const struct virtio_mmio *dev);

/* FAILED: the driver gives the device up. */
void virtio_mmio_fail(const struct virtio_mmio *dev);

/*
 * Reads the config-space field of @len bytes at @offset, in accesses of @width
 * bytes (1, 2 or 4: the field's own, 4.2.2.2), again while the config
 * generation changes under it (bounded). -1 with @err if it never settles.
 */
int virtio_mmio_config_read(const struct virtio_mmio *dev, unsigned int offset, void *buf,
			    size_t len, unsigned int width, char *err, size_t errlen);

#endif
