/* SPDX-License-Identifier: MIT */
/*
 * Walking a split virtqueue's descriptor chain (OASIS virtio 1.2, 2.7.5), for
 * both sides of a queue: the driver walks a chain the device handed back to
 * free its descriptors (virtio/virtq.c); a device Skiff offers to a guest will
 * walk the guest's chains to find its buffers. The table is the other side's
 * to write, so each descriptor is read once, into the result, and everything is
 * checked before use: indices within the table, the chain's length (a loop
 * never ends it), device-writable buffers only after the device-readable ones
 * (2.7.4.2), lengths whose sum fits. Indirect descriptors are refused: neither
 * side negotiates VIRTIO_F_INDIRECT_DESC.
 */
#ifndef SKIFF_VIRTIO_CHAIN_H
#define SKIFF_VIRTIO_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "virtio/ring.h"

/* The longest chain either side accepts (Skiff's own use at most 2 descriptors). */
#define VIRTQ_CHAIN_MAX 16

struct virtq_seg {
	uint64_t addr;
	uint32_t len;
	uint16_t desc; /* its index in the table */
	bool device_writes;
};

struct virtq_chain {
	uint16_t head;
	unsigned int nseg;
	unsigned int nreadable;	 /* seg[0..nreadable) the device reads, the rest it writes */
	uint64_t readable_bytes; /* the sums of their lengths */
	uint64_t writable_bytes;
	struct virtq_seg seg[VIRTQ_CHAIN_MAX];
};

/*
 * Reads the chain starting at descriptor @head of @ring into @chain. Returns 0,
 * or -1 with @err naming the descriptor and what is wrong with it.
 */
int virtq_chain_read(const struct virtq_ring *ring, uint16_t head, struct virtq_chain *chain,
		     char *err, size_t errlen);

#endif
