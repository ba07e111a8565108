/* SPDX-License-Identifier: MIT */
/*
 * The VM's PL011 UART. What the guest writes to UARTDR goes to the host log a
 * line at a time, prefixed with the VM's name; input from the host's serial line
 * fills a 32-byte receive FIFO. The interrupt (RX, RX timeout, TX) is a level
 * line computed from the raw status and UARTIMSC, as on the real device.
 */
#ifndef SKIFF_VDEV_VPL011_H
#define SKIFF_VDEV_VPL011_H

#include <stdbool.h>
#include <stdint.h>

#include "console/lineout.h"
#include "core/mmio.h"
#include "lib/spinlock.h"

#define VPL011_RX_FIFO 32

struct vpl011 {
	/*
	 * protects: out, rx, rx_head, rx_count, rx_dropped, imsc, and the level
	 * pushed through set_irq (set at init). vpl011_rx_room() reads rx_count
	 * without it (atomically): a hint, vpl011_receive() decides under it.
	 */
	struct spinlock lock;
	struct lineout out; /* what the guest transmits, prefixed with the VM's name */
	uint8_t rx[VPL011_RX_FIFO];
	unsigned int rx_head, rx_count;
	uint64_t rx_dropped;
	uint32_t imsc;
	/* Drives the interrupt line; may be NULL (a VM without an interrupt controller). */
	void (*set_irq)(void *ctx, bool level);
	void *irq_ctx;
};

extern const struct mmio_ops vpl011_ops;

void vpl011_init(struct vpl011 *u, const char *owner, void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx);
/* Free space in the receive FIFO. */
unsigned int vpl011_rx_room(struct vpl011 *u);
/* Input from the host: returns false (and counts a drop) when the FIFO is full. */
bool vpl011_receive(struct vpl011 *u, char c);
/* Emits a partial line, if any (on VM stop, so no output is lost). */
void vpl011_flush(struct vpl011 *u);

#endif
