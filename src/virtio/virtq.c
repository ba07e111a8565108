// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "lib/format.h"
#include "virtio/chain.h"
#include "virtio/virtq.h"

/* The used ring on a cache line of its own: the device writes it, the driver the rest. */
#define USED_RING_ALIGN 64

static size_t used_offset(uint16_t size)
{
	size_t end = virtq_desc_bytes(size) + virtq_avail_bytes(size);

	return (end + USED_RING_ALIGN - 1) & ~(size_t)(USED_RING_ALIGN - 1);
}

size_t virtq_mem_bytes(uint16_t size)
{
	return used_offset(size) + virtq_used_bytes(size);
}

void virtq_init(struct virtq *q, uint16_t size, void *mem, bool event_idx)
{
	uint8_t *base = mem;

	memset(q, 0, sizeof(*q));
	memset(mem, 0, virtq_mem_bytes(size));
	q->ring.size = size;
	q->ring.desc = mem;
	q->ring.avail = (struct virtq_avail *)(void *)(base + virtq_desc_bytes(size));
	q->ring.used = (struct virtq_used *)(void *)(base + used_offset(size));
	q->event_idx = event_idx;
	q->interrupts = true;
	q->nfree = size;
	for (uint16_t i = 0; i + 1 < size; i++)
		q->ring.desc[i].next = i + 1;
}

paddr_t virtq_desc_pa(const struct virtq *q)
{
	return pa_from_ptr(q->ring.desc);
}

paddr_t virtq_avail_pa(const struct virtq *q)
{
	return pa_from_ptr(q->ring.avail);
}

paddr_t virtq_used_pa(const struct virtq *q)
{
	return pa_from_ptr(q->ring.used);
}

/* Takes a free descriptor and fills it; the chain's link is set by the caller. */
static uint16_t take_desc(struct virtq *q, const struct virtq_buf *b, uint16_t flags)
{
	uint16_t i = q->free_head;
	struct virtq_desc *d = &q->ring.desc[i];

	q->free_head = d->next;
	q->nfree--;
	d->addr = pa_addr(b->addr);
	d->len = b->len;
	d->flags = flags;
	return i;
}

int virtq_add(struct virtq *q, const struct virtq_buf *out, unsigned int nout,
	      const struct virtq_buf *in, unsigned int nin, void *token)
{
	unsigned int n = nout + nin;
	uint16_t head = q->free_head, prev = 0;
	uint32_t writable = 0;

	if (!n || n > q->nfree || !token)
		return -1;
	for (unsigned int k = 0; k < n; k++) {
		bool writes = k >= nout;
		const struct virtq_buf *b = writes ? &in[k - nout] : &out[k];
		uint16_t i = take_desc(q, b, writes ? VIRTQ_DESC_F_WRITE : 0);

		if (k) {
			q->ring.desc[prev].flags |= VIRTQ_DESC_F_NEXT;
			q->ring.desc[prev].next = i;
		}
		prev = i;
		if (writes)
			writable += b->len;
	}
	q->token[head] = token;
	q->ndesc[head] = (uint16_t)n;
	q->writable[head] = writable;
	q->chains++;
	q->ring.avail->ring[q->avail_idx % q->ring.size] = head;
	q->avail_idx++;
	return 0;
}

bool virtq_publish(struct virtq *q)
{
	uint16_t old = q->published, now = q->avail_idx;

	if (old == now)
		return false;
	/* The descriptors and ring entries before the index that makes them the device's. */
	arch_dma_wmb();
	virtq_write16(&q->ring.avail->idx, now);
	q->published = now;
	/* The index out before reading whether the device wants to hear (2.7.13.4). */
	arch_dma_mb();
	if (q->event_idx)
		return virtq_need_event(virtq_read16(virtq_avail_event(&q->ring)), now, old);
	return !(virtq_read16(&q->ring.used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

/* Gives the chain @c back to the free list. */
static void free_chain(struct virtq *q, const struct virtq_chain *c)
{
	q->ring.desc[c->seg[c->nseg - 1].desc].next = q->free_head;
	q->free_head = c->head;
	q->nfree += (uint16_t)c->nseg;
	q->token[c->head] = NULL;
	q->chains--;
}

/* The used entry at @slot, checked against what is in flight; -1 with @err if wrong. */
static int check_used(struct virtq *q, uint16_t slot, uint32_t *id, uint32_t *len, char *err,
		      size_t errlen)
{
	struct virtq_used_elem *e = &q->ring.used->ring[slot % q->ring.size];

	*id = virtq_read32(&e->id);
	*len = virtq_read32(&e->len);
	if (*id >= q->ring.size || !q->token[*id]) {
		format(err, errlen, "used entry %u names descriptor %u, which is not in flight",
		       slot, *id);
		return -1;
	}
	if (*len > q->writable[*id]) {
		format(err, errlen,
		       "used entry %u says %u bytes were written into descriptor %u's chain "
		       "of %u writable bytes",
		       slot, *len, *id, q->writable[*id]);
		return -1;
	}
	return 0;
}

/*
 * Asks for an interrupt when the device uses its next chain (used_event with
 * EVENT_IDX; without it the NO_INTERRUPT flag is already clear), then looks
 * again: true when a chain was used before the request was seen.
 */
static bool rearm(struct virtq *q)
{
	if (!q->interrupts)
		return false;
	if (q->event_idx)
		virtq_write16(virtq_used_event(&q->ring), q->last_used);
	/* The request out before the index is read again (2.7.10.1). */
	arch_dma_mb();
	return virtq_read16(&q->ring.used->idx) != q->last_used;
}

int virtq_get(struct virtq *q, void **token, uint32_t *len, char *err, size_t errlen)
{
	uint16_t used_idx = virtq_read16(&q->ring.used->idx);
	uint16_t ahead = (uint16_t)(used_idx - q->last_used);
	struct virtq_chain c;
	uint32_t id;

	if (!ahead) {
		if (!rearm(q))
			return 0;
		used_idx = virtq_read16(&q->ring.used->idx);
		ahead = (uint16_t)(used_idx - q->last_used);
	}
	if (ahead > q->chains) {
		format(err, errlen,
		       "the used index moved %u entries past %u, with %u chains in flight", ahead,
		       q->last_used, q->chains);
		return -1;
	}
	/* The entry after the index that says it is there (2.7.13.3). */
	arch_dma_rmb();
	if (check_used(q, q->last_used, &id, len, err, errlen) ||
	    virtq_chain_read(&q->ring, (uint16_t)id, &c, err, errlen))
		return -1;
	if (c.nseg != q->ndesc[id]) {
		format(err, errlen, "the chain at %u has %u descriptors, %u were given", id, c.nseg,
		       q->ndesc[id]);
		return -1;
	}
	*token = q->token[id];
	free_chain(q, &c);
	q->last_used++;
	return 1;
}

bool virtq_set_interrupts(struct virtq *q, bool on)
{
	q->interrupts = on;
	/*
	 * Off with EVENT_IDX: used_event stays where it is, so at most one more
	 * interrupt comes before the index wraps; a polling driver takes it.
	 */
	if (!q->event_idx)
		virtq_write16(&q->ring.avail->flags, on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT);
	return rearm(q);
}

uint16_t virtq_nfree(const struct virtq *q)
{
	return q->nfree;
}

uint16_t virtq_in_flight(const struct virtq *q)
{
	return q->chains;
}
