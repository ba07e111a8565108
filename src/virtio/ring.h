/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue's memory layout (OASIS virtio 1.2, 2.7): a descriptor
 * table, an available ring the driver writes and a used ring the device
 * writes, with the event-index fields at their ends. Both sides of a queue use
 * this header: Skiff as a driver (virtio/virtq.c, its own memory) and, later,
 * Skiff as a device offered to a guest (the guest's memory, translated). So
 * does the descriptor-chain walker (virtio/chain.h), which both sides need.
 *
 * Every field is little-endian; Skiff runs little-endian only, so the fields
 * are plain integers. A side reads what the other side writes with
 * virtq_read16/32 (one access, never torn or repeated by the compiler) and
 * writes what the other side reads with virtq_write16.
 */
#ifndef SKIFF_VIRTIO_RING_H
#define SKIFF_VIRTIO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio rings are little-endian");

#define VIRTQ_DESC_F_NEXT     1U /* the chain goes on at .next */
#define VIRTQ_DESC_F_WRITE    2U /* the device writes this buffer (else reads it) */
#define VIRTQ_DESC_F_INDIRECT 4U /* the buffer is a table of descriptors */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U /* driver: no interrupt wanted (without EVENT_IDX) */
#define VIRTQ_USED_F_NO_NOTIFY	   1U /* device: no notification wanted (without EVENT_IDX) */

/* The largest queue size a split virtqueue may have (2.7). */
#define VIRTQ_SIZE_LIMIT 32768U

struct virtq_desc {
	uint64_t addr; /* a physical address as the device sees it */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx; /* where the driver puts the next entry, free-running */
	uint16_t ring[];
	/* then uint16_t used_event, with VIRTIO_F_EVENT_IDX */
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain the device is done with */
	uint32_t len; /* bytes the device wrote into the chain */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
	/* then uint16_t avail_event, with VIRTIO_F_EVENT_IDX */
};

/* Where one queue's three parts are, and its size (a power of two). */
struct virtq_ring {
	uint16_t size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
};

/* Bytes of each part for @size entries, event fields included; their alignments. */
static inline size_t virtq_desc_bytes(unsigned int size)
{
	return 16 * (size_t)size;
}

static inline size_t virtq_avail_bytes(unsigned int size)
{
	return 6 + 2 * (size_t)size;
}

static inline size_t virtq_used_bytes(unsigned int size)
{
	return 6 + 8 * (size_t)size;
}

#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

/* The event-index fields (2.7.7, 2.7.10): after each ring's last entry. */
static inline uint16_t *virtq_used_event(const struct virtq_ring *r)
{
	return &r->avail->ring[r->size];
}

static inline uint16_t *virtq_avail_event(const struct virtq_ring *r)
{
	return (uint16_t *)(void *)&r->used->ring[r->size];
}

/* One access each, which the compiler neither tears nor repeats. */
static inline uint16_t virtq_read16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t virtq_read32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint64_t virtq_read64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void virtq_write16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/*
 * The event-index rule (2.7.7.2, 2.7.10.1): a side that moved its index from
 * @old to @new must notify if the other side asked to hear once the index
 * passed @event. All three are free-running 16-bit counters.
 */
static inline bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
