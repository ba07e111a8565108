/* SPDX-License-Identifier: MIT */
/*
 * A driver of a virtio-net device (OASIS virtio 1.2, 5.1) for raw Ethernet
 * frames: one receive and one transmit queue, no offloads, no mergeable
 * buffers, so every frame is one buffer with the 12-byte virtio-net header
 * before it. Frames are copied: each queue entry has a buffer of its own, as
 * long as the device's MTU (VIRTIO_NET_F_MTU; 1500 without it) plus the
 * Ethernet header, and receive buffers a little longer, so that a frame too
 * long for the link arrives whole and can be named as such.
 *
 * The caller serialises every call (one lock around the device).
 */
#ifndef SKIFF_VIRTIO_NET_H
#define SKIFF_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/mmio.h"
#include "virtio/virtq.h"

#define VNET_HDR_LEN	 12   /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_ETH_HDR_LEN 14   /* destination, source, EtherType */
#define VNET_MTU_DEFAULT 1500 /* without VIRTIO_NET_F_MTU */
#define VNET_MTU_MIN	 68   /* 5.1.4.1 */
#define VNET_RX_SLACK	 2048 /* receive room beyond the MTU, to see oversized frames */

#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5

struct vnet_stats {
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes;
	uint64_t kicks, irqs;
};

struct vnet {
	struct virtio_mmio dev;
	struct virtq rx, tx;
	bool interrupts;
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t buf_size; /* each buffer, virtio-net header included */
	uint8_t *rx_bufs, *tx_bufs;
	/* The received frame handed out by vnet_rx_peek() until vnet_rx_release(). */
	uint8_t *rx_held;
	uint32_t rx_held_len;
	/* A transmit buffer handed out by vnet_tx_buffer() until vnet_tx_commit(). */
	uint8_t *tx_held;
	/* Transmit buffers the device does not have, by index. */
	uint16_t tx_free[VIRTQ_MAX_SIZE];
	uint16_t ntx_free;
	/* Set when the device broke a rule: the driver stops using it. */
	bool broken;
	char why[160];
	struct vnet_stats stats;
};

/*
 * Brings up the virtio-net device @dev has probed: features (VERSION_1
 * required; MAC, MTU and EVENT_IDX taken if offered), both queues with their
 * buffers (mem_alloc), every receive buffer given to the device, DRIVER_OK.
 * @interrupts false: the caller polls. -1 with @err saying why.
 */
int vnet_init(struct vnet *n, const struct virtio_mmio *dev, bool interrupts, char *err,
	      size_t errlen);

/* The largest frame (Ethernet header included, virtio-net header not) the device carries. */
size_t vnet_max_frame(const struct vnet *n);

/*
 * A transmit buffer for one frame of at most *cap bytes, or NULL when the
 * device holds them all. The same one until vnet_tx_commit().
 */
uint8_t *vnet_tx_buffer(struct vnet *n, size_t *cap);
/* How many transmit buffers are free now (those the device is done with taken back). */
unsigned int vnet_tx_room(struct vnet *n);
/* Queues the frame of @len bytes written into the buffer vnet_tx_buffer() gave. */
void vnet_tx_commit(struct vnet *n, size_t len);

/* The next received frame (its length in *len), or NULL; the same one until released. */
const uint8_t *vnet_rx_peek(struct vnet *n, size_t *len);
/* Gives the frame's buffer back to the device. */
void vnet_rx_release(struct vnet *n);

/*
 * Takes back what the device has sent, tells it about new buffers on either
 * queue, and looks for device errors. Returns 0, or -1 once the device is
 * broken (n->why says why).
 */
int vnet_service(struct vnet *n);

/* The interrupt: acknowledges it at the device. */
void vnet_irq_ack(struct vnet *n);

#endif
