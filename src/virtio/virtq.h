/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of a split virtqueue (OASIS virtio 1.2, 2.7.13): Skiff
 * puts buffers on a queue for a device and takes them back once used. The
 * layout is virtio/ring.h's and chains handed back are walked with
 * virtio/chain.h's walker, the same a device side will use; what is here is the
 * driver's bookkeeping: free descriptors, the available index it publishes, the
 * used entries it has taken, the caller's token for each chain in flight.
 *
 * Memory: the caller gives virtq_mem_bytes() of zeroed memory the device can
 * reach at the same physical address (EL2's identity map, no IOMMU), 16-byte
 * aligned. Nothing here blocks or allocates. One user at a time: the caller
 * serialises calls on one queue.
 *
 * What the device writes (the used ring) is checked before use: an index that
 * jumps by more than the queue holds, an entry naming a chain not in flight, a
 * length beyond the chain's writable bytes; virtq_get() reports it, and the
 * caller stops using the device.
 */
#ifndef SKIFF_VIRTIO_VIRTQ_H
#define SKIFF_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "virtio/ring.h"

/* The largest queue Skiff's driver sets up (QEMU's virtio-net offers 256). */
#define VIRTQ_MAX_SIZE 256U

/* A buffer for the device: where it is (host physical) and how long. */
struct virtq_buf {
	paddr_t addr;
	uint32_t len;
};

struct virtq {
	struct virtq_ring ring;
	bool event_idx;	 /* VIRTIO_F_EVENT_IDX negotiated */
	bool interrupts; /* the driver wants an interrupt for each used buffer */
	uint16_t nfree;
	uint16_t free_head; /* the free descriptors, linked through .next */
	uint16_t avail_idx; /* the next available entry to fill */
	uint16_t published; /* avail->idx as last written */
	uint16_t last_used; /* the next used entry to take */
	uint16_t chains;    /* in flight */
	/*
	 * Per chain head: the caller's token (NULL: not in flight), its
	 * descriptors and writable bytes, what the used entry is checked against.
	 */
	void *token[VIRTQ_MAX_SIZE];
	uint16_t ndesc[VIRTQ_MAX_SIZE];
	uint32_t writable[VIRTQ_MAX_SIZE];
};

/* Bytes of memory a queue of @size entries needs (descriptors, rings, event fields). */
size_t virtq_mem_bytes(uint16_t size);

/*
 * Lays a queue of @size entries (a power of two, at most VIRTQ_MAX_SIZE) out
 * in @mem, zeroed, with every descriptor free and interrupts wanted.
 */
void virtq_init(struct virtq *q, uint16_t size, void *mem, bool event_idx);

/* Where the device finds the three parts. */
paddr_t virtq_desc_pa(const struct virtq *q);
paddr_t virtq_avail_pa(const struct virtq *q);
paddr_t virtq_used_pa(const struct virtq *q);

/*
 * Puts one chain on the queue: @nout buffers the device reads, then @nin it
 * writes; @token (not NULL) comes back from virtq_get(). Not visible to the
 * device before virtq_publish(). Returns 0, or -1 when the queue has fewer
 * than @nout + @nin free descriptors (or none are given).
 */
int virtq_add(struct virtq *q, const struct virtq_buf *out, unsigned int nout,
	      const struct virtq_buf *in, unsigned int nin, void *token);

/*
 * Makes the chains added since the last call visible to the device. True when
 * the device asked to be told (then notify it: virtio_mmio_notify()).
 */
bool virtq_publish(struct virtq *q);

/*
 * Takes the next used chain: 1 with its token and the bytes the device wrote
 * into it, 0 when there is none, -1 with @err when the device broke the rules.
 * With interrupts wanted, finding none also asks for an interrupt at the next
 * used chain, and looks once more after asking: a chain used in between is
 * taken, not left for an interrupt that already went by.
 */
int virtq_get(struct virtq *q, void **token, uint32_t *len, char *err, size_t errlen);

/*
 * Asks for interrupts (@on) or not (polling). Turning them on returns true if
 * used chains are already waiting, which no interrupt will announce.
 */
bool virtq_set_interrupts(struct virtq *q, bool on);

/* Free descriptors; chains in flight. */
uint16_t virtq_nfree(const struct virtq *q);
uint16_t virtq_in_flight(const struct virtq *q);

#endif
