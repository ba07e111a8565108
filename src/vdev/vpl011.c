// SPDX-License-Identifier: MIT
#include <string.h>

#include "vdev/vpl011.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTIMSC    0x038
#define UARTRIS	    0x03c
#define UARTMIS	    0x040
#define UARTICR	    0x044
#define UARTFR_RXFE (1U << 4)
#define UARTFR_RXFF (1U << 6)
#define UARTFR_TXFE (1U << 7)
#define INT_RX	    (1U << 4)
#define INT_TX	    (1U << 5)
#define INT_RT	    (1U << 6)
#define INT_MASK    0x7ffU

/* PrimeCell identification registers of a PL011 r1p5, as Linux's amba bus reads them. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vpl011_init(struct vpl011 *u, const char *owner, void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx)
{
	memset(u, 0, sizeof(*u));
	lineout_init(&u->out, owner);
	u->set_irq = set_irq;
	u->irq_ctx = irq_ctx;
}

/* Raw interrupt status: the transmit FIFO is always drained, so TX is always raised. */
static uint32_t raw_status(const struct vpl011 *u)
{
	return INT_TX | (u->rx_count ? INT_RX | INT_RT : 0);
}

/* Called with the lock held, after any change of state. */
static void update_irq(struct vpl011 *u)
{
	if (u->set_irq)
		u->set_irq(u->irq_ctx, (raw_status(u) & u->imsc) != 0);
}

unsigned int vpl011_rx_room(struct vpl011 *u)
{
	return VPL011_RX_FIFO - __atomic_load_n(&u->rx_count, __ATOMIC_RELAXED);
}

bool vpl011_receive(struct vpl011 *u, char c)
{
	bool ok;

	spin_lock(&u->lock);
	ok = u->rx_count < VPL011_RX_FIFO;
	if (ok)
		u->rx[(u->rx_head + u->rx_count++) % VPL011_RX_FIFO] = (uint8_t)c;
	else
		u->rx_dropped++;
	update_irq(u);
	spin_unlock(&u->lock);
	return ok;
}

static uint32_t rx_pop(struct vpl011 *u)
{
	uint32_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VPL011_RX_FIFO;
	u->rx_count--;
	return c;
}

void vpl011_flush(struct vpl011 *u)
{
	spin_lock(&u->lock);
	lineout_flush(&u->out);
	spin_unlock(&u->lock);
}

static uint64_t vpl011_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vpl011 *u = dev;
	uint64_t v = 0;

	(void)vcpu;
	(void)size;
	if (off >= 0xfe0 && off < 0x1000)
		return pl011_id[(off - 0xfe0) / 4];
	spin_lock(&u->lock);
	switch (off) {
	case UARTDR:
		v = rx_pop(u);
		update_irq(u);
		break;
	case UARTFR:
		/* Transmit always drained. */
		v = UARTFR_TXFE | (u->rx_count ? 0 : UARTFR_RXFE) |
		    (u->rx_count == VPL011_RX_FIFO ? UARTFR_RXFF : 0);
		break;
	case UARTIMSC:
		v = u->imsc;
		break;
	case UARTRIS:
		v = raw_status(u);
		break;
	case UARTMIS:
		v = raw_status(u) & u->imsc;
		break;
	default:
		break;
	}
	spin_unlock(&u->lock);
	return v;
}

static void vpl011_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vpl011 *u = dev;

	(void)vcpu;
	(void)size;
	spin_lock(&u->lock);
	if (off == UARTDR) {
		lineout_put(&u->out, (char)(value & 0xff));
	} else if (off == UARTIMSC) {
		u->imsc = (uint32_t)value & INT_MASK;
		update_irq(u);
	}
	/* UARTICR: the RX and TX conditions are levels here; clearing them changes nothing. */
	spin_unlock(&u->lock);
}

const struct mmio_ops vpl011_ops = {
	.read = vpl011_read,
	.write = vpl011_write,
};
