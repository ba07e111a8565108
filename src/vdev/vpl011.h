/* SPDX-License-Identifier: MIT */
/*
 * The VM's PL011 UART (transmit side): what the guest writes to UARTDR goes to
 * the host log a line at a time, prefixed with the VM's name.
 */
#ifndef SKIFF_VDEV_VPL011_H
#define SKIFF_VDEV_VPL011_H

#include <stdint.h>

#include "core/mmio.h"
#include "lib/spinlock.h"

#define VPL011_LINE_MAX 160

struct vpl011 {
	const char *owner; /* VM name used as the line prefix */
	struct spinlock lock;
	unsigned int len;
	char line[VPL011_LINE_MAX];
	uint64_t tx_bytes;
};

extern const struct mmio_ops vpl011_ops;

void vpl011_init(struct vpl011 *u, const char *owner);
/* Emits a partial line, if any (on VM stop, so no output is lost). */
void vpl011_flush(struct vpl011 *u);

#endif
