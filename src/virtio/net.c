// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/mem.h"
#include "lib/format.h"
#include "virtio/mmio_regs.h"
#include "virtio/net.h"

#define QUEUE_RX 0
#define QUEUE_TX 1
/* Buffer memory per direction, at most: many short buffers, or fewer jumbo ones. */
#define BUF_BUDGET (1UL << 20)
#define BUF_MIN	   16
#define PAGE	   4096UL
/* virtio-net config space (5.1.4). */
#define CONFIG_MAC 0
#define CONFIG_MTU 10

static uint32_t buf_size_for(uint16_t mtu)
{
	uint32_t need = VNET_HDR_LEN + VNET_ETH_HDR_LEN + mtu + VNET_RX_SLACK;

	return (uint32_t)((need + PAGE - 1) & ~(PAGE - 1));
}

static uint16_t buffers_for(uint32_t buf_size, uint16_t qsize)
{
	unsigned long n = BUF_BUDGET / buf_size;

	if (n < BUF_MIN)
		n = BUF_MIN;
	return n < qsize ? (uint16_t)n : qsize;
}

static int read_config(struct vnet *n, char *err, size_t errlen)
{
	uint16_t mtu = VNET_MTU_DEFAULT;

	if ((n->dev.features & VIRTIO_FEATURE(VIRTIO_NET_F_MAC)) &&
	    virtio_mmio_config_read(&n->dev, CONFIG_MAC, n->mac, sizeof(n->mac), 1, err, errlen))
		return -1;
	if ((n->dev.features & VIRTIO_FEATURE(VIRTIO_NET_F_MTU)) &&
	    virtio_mmio_config_read(&n->dev, CONFIG_MTU, &mtu, sizeof(mtu), 2, err, errlen))
		return -1;
	if (mtu < VNET_MTU_MIN) {
		format(err, errlen, "virtio-net at 0x%lx: MTU %u is below the minimum %u",
		       (unsigned long)pa_addr(n->dev.base), mtu, VNET_MTU_MIN);
		return -1;
	}
	n->mtu = mtu;
	n->buf_size = buf_size_for(mtu);
	return 0;
}

/* One queue: its size, its memory, given to the device. */
static int setup_queue(struct vnet *n, unsigned int index, struct virtq *q, char *err,
		       size_t errlen)
{
	uint16_t size = virtio_mmio_queue_size(&n->dev, index, VIRTQ_MAX_SIZE, err, errlen);
	void *mem;

	if (!size)
		return -1;
	mem = mem_alloc(virtq_mem_bytes(size), PAGE);
	if (!mem) {
		format(err, errlen, "virtio-net: no memory for queue %u (%u entries)", index, size);
		return -1;
	}
	virtq_init(q, size, mem, n->dev.features & VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX));
	virtq_set_interrupts(q, n->interrupts);
	return virtio_mmio_queue_setup(&n->dev, index, q, err, errlen);
}

static uint8_t *alloc_bufs(uint16_t count, uint32_t size)
{
	return mem_alloc((uint64_t)count * size, PAGE);
}

/* Gives the receive buffer @buf to the device (it writes the whole of it). */
static void post_rx(struct vnet *n, uint8_t *buf)
{
	struct virtq_buf in = { pa_from_ptr(buf), n->buf_size };

	/* Cannot fail: there are no more receive buffers than descriptors. */
	virtq_add(&n->rx, NULL, 0, &in, 1, buf);
}

static int setup_buffers(struct vnet *n, char *err, size_t errlen)
{
	uint16_t nrx = buffers_for(n->buf_size, n->rx.ring.size);
	uint16_t ntx = buffers_for(n->buf_size, n->tx.ring.size);

	n->rx_bufs = alloc_bufs(nrx, n->buf_size);
	n->tx_bufs = alloc_bufs(ntx, n->buf_size);
	if (!n->rx_bufs || !n->tx_bufs) {
		format(err, errlen, "virtio-net: no memory for %u + %u buffers of %u bytes", nrx,
		       ntx, n->buf_size);
		return -1;
	}
	for (uint16_t i = 0; i < nrx; i++)
		post_rx(n, n->rx_bufs + (size_t)i * n->buf_size);
	for (uint16_t i = 0; i < ntx; i++)
		n->tx_free[n->ntx_free++] = i;
	return 0;
}

int vnet_init(struct vnet *n, const struct virtio_mmio *dev, bool interrupts, char *err,
	      size_t errlen)
{
	uint64_t wanted = VIRTIO_FEATURE(VIRTIO_NET_F_MAC) | VIRTIO_FEATURE(VIRTIO_NET_F_MTU) |
			  VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX);

	memset(n, 0, sizeof(*n));
	n->dev = *dev;
	n->interrupts = interrupts;
	if (virtio_mmio_begin(&n->dev, err, errlen) ||
	    virtio_mmio_negotiate(&n->dev, 0, wanted, err, errlen) || read_config(n, err, errlen) ||
	    setup_queue(n, QUEUE_RX, &n->rx, err, errlen) ||
	    setup_queue(n, QUEUE_TX, &n->tx, err, errlen) || setup_buffers(n, err, errlen) ||
	    virtio_mmio_driver_ok(&n->dev, err, errlen)) {
		virtio_mmio_fail(&n->dev);
		return -1;
	}
	if (virtq_publish(&n->rx))
		virtio_mmio_notify(&n->dev, QUEUE_RX);
	return 0;
}

size_t vnet_max_frame(const struct vnet *n)
{
	return VNET_ETH_HDR_LEN + (size_t)n->mtu;
}

static void set_broken(struct vnet *n, const char *what, const char *detail)
{
	if (n->broken)
		return;
	n->broken = true;
	format(n->why, sizeof(n->why), "virtio-net at 0x%lx: %s%s",
	       (unsigned long)pa_addr(n->dev.base), what, detail);
	virtio_mmio_fail(&n->dev);
}

/* Takes back every transmit buffer the device is done with. */
static void reap_tx(struct vnet *n)
{
	char err[120];
	void *token;
	uint32_t len;
	int r;

	while ((r = virtq_get(&n->tx, &token, &len, err, sizeof(err))) == 1)
		n->tx_free[n->ntx_free++] =
			(uint16_t)(((uint8_t *)token - n->tx_bufs) / n->buf_size);
	if (r < 0)
		set_broken(n, "transmit queue: ", err);
}

uint8_t *vnet_tx_buffer(struct vnet *n, size_t *cap)
{
	if (n->broken)
		return NULL;
	if (!n->tx_held) {
		if (!n->ntx_free)
			reap_tx(n);
		if (!n->ntx_free)
			return NULL;
		n->tx_held = n->tx_bufs + (size_t)n->tx_free[--n->ntx_free] * n->buf_size;
		memset(n->tx_held, 0, VNET_HDR_LEN); /* no offloads: an all-zero header */
	}
	*cap = vnet_max_frame(n);
	return n->tx_held + VNET_HDR_LEN;
}

unsigned int vnet_tx_room(struct vnet *n)
{
	if (n->broken)
		return 0;
	reap_tx(n);
	return n->ntx_free;
}

void vnet_tx_commit(struct vnet *n, size_t len)
{
	struct virtq_buf out = { pa_from_ptr(n->tx_held), (uint32_t)(VNET_HDR_LEN + len) };

	if (!n->tx_held || len > vnet_max_frame(n))
		return;
	/* Cannot fail: there are no more transmit buffers than descriptors. */
	virtq_add(&n->tx, &out, 1, NULL, 0, n->tx_held);
	n->tx_held = NULL;
	n->stats.tx_frames++;
	n->stats.tx_bytes += len;
}

/* Takes the next received frame into rx_held; false when there is none (or it is bad). */
static bool take_rx(struct vnet *n)
{
	char err[120];
	void *token;
	uint32_t written;
	int r = virtq_get(&n->rx, &token, &written, err, sizeof(err));

	if (r < 0)
		set_broken(n, "receive queue: ", err);
	if (r <= 0)
		return false;
	n->rx_held = token;
	n->rx_held_len = written;
	if (written < VNET_HDR_LEN) {
		format(err, sizeof(err), "%u bytes, less than its header", written);
		set_broken(n, "received a frame of ", err);
		return false;
	}
	n->stats.rx_frames++;
	n->stats.rx_bytes += written - VNET_HDR_LEN;
	return true;
}

const uint8_t *vnet_rx_peek(struct vnet *n, size_t *len)
{
	if (n->broken || (!n->rx_held && !take_rx(n)))
		return NULL;
	*len = n->rx_held_len - VNET_HDR_LEN;
	return n->rx_held + VNET_HDR_LEN;
}

void vnet_rx_release(struct vnet *n)
{
	if (!n->rx_held)
		return;
	post_rx(n, n->rx_held);
	n->rx_held = NULL;
}

static void publish(struct vnet *n, struct virtq *q, unsigned int index)
{
	if (virtq_publish(q)) {
		virtio_mmio_notify(&n->dev, index);
		n->stats.kicks++;
	}
}

int vnet_service(struct vnet *n)
{
	if (n->broken)
		return -1;
	reap_tx(n);
	publish(n, &n->tx, QUEUE_TX);
	publish(n, &n->rx, QUEUE_RX);
	if (virtio_mmio_needs_reset(&n->dev))
		set_broken(n, "the device needs a reset (it stopped working)", "");
	return n->broken ? -1 : 0;
}

void vnet_irq_ack(struct vnet *n)
{
	n->stats.irqs++;
	virtio_mmio_irq_ack(&n->dev);
}
