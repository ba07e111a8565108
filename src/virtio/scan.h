/* SPDX-License-Identifier: MIT */
/*
 * Finding the virtio devices of the host (docs/virtio.md): each virtio-mmio
 * transport of the host's device tree (struct platform's virtio[]) is mapped
 * and probed; empty ones (DeviceID 0: most of QEMU virt's 32) are skipped,
 * the others listed in the log and handed to whichever driver wants them.
 */
#ifndef SKIFF_VIRTIO_SCAN_H
#define SKIFF_VIRTIO_SCAN_H

#include <stdint.h>

#include "platform/platform.h"
#include "virtio/mmio.h"

struct virtio_found {
	struct virtio_mmio dev;
	unsigned int intid; /* its interrupt, 0 when the device tree names none */
};

/*
 * Fills @out with at most @max devices behind the platform's transports, in
 * device-tree order, and returns how many. Transports that cannot be used (a
 * device behind a legacy transport, registers that are no transport's) are
 * logged and left out.
 */
unsigned int virtio_scan(const struct platform *plat, struct virtio_found *out, unsigned int max);

/* "net", "block", "console", ... for a device ID; "unknown" past the known. */
const char *virtio_device_name(uint32_t device_id);

#endif
