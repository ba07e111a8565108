// SPDX-License-Identifier: MIT
#include "lib/format.h"
#include "virtio/chain.h"

/* One descriptor, each field read once: the other side may be changing the table. */
static struct virtq_desc read_desc(const struct virtq_ring *ring, uint16_t i)
{
	struct virtq_desc *d = &ring->desc[i];

	return (struct virtq_desc){
		.addr = virtq_read64(&d->addr),
		.len = virtq_read32(&d->len),
		.flags = virtq_read16(&d->flags),
		.next = virtq_read16(&d->next),
	};
}

/* Adds descriptor @i, read as @d, to @chain; -1 with @err when it cannot be there. */
static int add_seg(struct virtq_chain *chain, uint16_t i, const struct virtq_desc *d, char *err,
		   size_t errlen)
{
	bool writes = d->flags & VIRTQ_DESC_F_WRITE;
	struct virtq_seg *s = &chain->seg[chain->nseg];

	if (d->flags & VIRTQ_DESC_F_INDIRECT) {
		format(err, errlen, "descriptor %u is indirect (not negotiated)", i);
		return -1;
	}
	if (!writes && chain->nseg > chain->nreadable) {
		format(err, errlen,
		       "descriptor %u is device-readable after a device-writable one in the "
		       "chain at %u",
		       i, chain->head);
		return -1;
	}
	*s = (struct virtq_seg){ d->addr, d->len, i, writes };
	chain->nseg++;
	if (writes) {
		chain->writable_bytes += d->len;
	} else {
		chain->nreadable++;
		chain->readable_bytes += d->len;
	}
	return 0;
}

int virtq_chain_read(const struct virtq_ring *ring, uint16_t head, struct virtq_chain *chain,
		     char *err, size_t errlen)
{
	uint16_t i = head;

	*chain = (struct virtq_chain){ .head = head };
	if (head >= ring->size) {
		format(err, errlen, "chain head %u is beyond the queue's %u descriptors", head,
		       ring->size);
		return -1;
	}
	for (;;) {
		struct virtq_desc d = read_desc(ring, i);

		if (chain->nseg == VIRTQ_CHAIN_MAX) {
			format(err, errlen,
			       "the chain at %u is longer than %u descriptors (or loops)", head,
			       VIRTQ_CHAIN_MAX);
			return -1;
		}
		if (add_seg(chain, i, &d, err, errlen))
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= ring->size) {
			format(err, errlen, "descriptor %u: next %u is beyond the queue's %u", i,
			       d.next, ring->size);
			return -1;
		}
		i = d.next;
	}
}
