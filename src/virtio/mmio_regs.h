/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport's registers, version 2 ("modern"), and the values
 * every virtio device shares: device status bits, feature bits, device IDs
 * (OASIS virtio 1.2, 4.2.2 and 2.1-2.2). Definitions only, for both sides of
 * the transport: Skiff driving a host device (virtio/mmio.c) and, later, Skiff
 * offering a device to a guest, whose MMIO handler decodes the same offsets.
 * All registers are 32 bits wide and little-endian; config space starts at
 * VIRTIO_MMIO_CONFIG.
 */
#ifndef SKIFF_VIRTIO_MMIO_REGS_H
#define SKIFF_VIRTIO_MMIO_REGS_H

#define VIRTIO_MMIO_MAGIC_VALUE	      0x000 /* R: "virt" */
#define VIRTIO_MMIO_VERSION	      0x004 /* R: 2; 1 is the legacy interface */
#define VIRTIO_MMIO_DEVICE_ID	      0x008 /* R: 0 = no device behind the transport */
#define VIRTIO_MMIO_VENDOR_ID	      0x00c /* R */
#define VIRTIO_MMIO_DEVICE_FEATURES   0x010 /* R: 32 bits, selected by the next */
#define VIRTIO_MMIO_DEVICE_FEAT_SEL   0x014 /* W: 0 = bits 0-31, 1 = bits 32-63 */
#define VIRTIO_MMIO_DRIVER_FEATURES   0x020 /* W */
#define VIRTIO_MMIO_DRIVER_FEAT_SEL   0x024 /* W */
#define VIRTIO_MMIO_QUEUE_SEL	      0x030 /* W: the queue the QUEUE_* registers act on */
#define VIRTIO_MMIO_QUEUE_NUM_MAX     0x034 /* R: 0 = the queue does not exist */
#define VIRTIO_MMIO_QUEUE_NUM	      0x038 /* W: the size the driver chose */
#define VIRTIO_MMIO_QUEUE_READY	      0x044 /* RW */
#define VIRTIO_MMIO_QUEUE_NOTIFY      0x050 /* W: a queue index: it has new buffers */
#define VIRTIO_MMIO_INTERRUPT_STATUS  0x060 /* R: VIRTIO_MMIO_INT_* */
#define VIRTIO_MMIO_INTERRUPT_ACK     0x064 /* W: the bits handled */
#define VIRTIO_MMIO_STATUS	      0x070 /* RW: VIRTIO_STATUS_*; writing 0 resets */
#define VIRTIO_MMIO_QUEUE_DESC_LOW    0x080 /* W: the descriptor table's address */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH   0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW  0x090 /* W: the available ring's */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW  0x0a0 /* W: the used ring's */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc /* R: changes when config space does */
#define VIRTIO_MMIO_CONFIG	      0x100 /* the device type's configuration */

#define VIRTIO_MMIO_MAGIC      0x74726976U /* "virt", little-endian */
#define VIRTIO_MMIO_MODERN     2U
#define VIRTIO_MMIO_LEGACY     1U
#define VIRTIO_MMIO_INT_VRING  1U /* a queue has used buffers */
#define VIRTIO_MMIO_INT_CONFIG 2U /* config space changed */

/* Device status (2.1), set by the driver in this order; FAILED gives up. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1U
#define VIRTIO_STATUS_DRIVER		 2U
#define VIRTIO_STATUS_DRIVER_OK		 4U
#define VIRTIO_STATUS_FEATURES_OK	 8U
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64U
#define VIRTIO_STATUS_FAILED		 128U

/* Feature bits every device type shares (6). */
#define VIRTIO_F_INDIRECT_DESC	 28
#define VIRTIO_F_EVENT_IDX	 29
#define VIRTIO_F_VERSION_1	 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED	 34
#define VIRTIO_F_ORDER_PLATFORM	 36

#define VIRTIO_FEATURE(bit) (1ULL << (bit))

/* Device IDs (5). */
#define VIRTIO_ID_NET	  1U
#define VIRTIO_ID_BLOCK	  2U
#define VIRTIO_ID_CONSOLE 3U

#endif
