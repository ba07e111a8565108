// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/log.h"
#include "lib/format.h"
#include "vdev/vpl011.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_RXFE (1U << 4)
#define UARTFR_TXFE (1U << 7)

/* PrimeCell identification registers of a PL011 r1p5, as Linux's amba bus reads them. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vpl011_init(struct vpl011 *u, const char *owner)
{
	memset(u, 0, sizeof(*u));
	u->owner = owner;
}

static void emit_line(struct vpl011 *u)
{
	char out[VPL011_LINE_MAX + 40];
	int n = format(out, sizeof(out), "%s| %.*s\n", u->owner, (int)u->len, u->line);

	if (n > (int)sizeof(out) - 1)
		n = sizeof(out) - 1;
	log_write_raw(out, (size_t)n);
	u->len = 0;
}

static void put_char(struct vpl011 *u, char c)
{
	u->tx_bytes++;
	if (c == '\r')
		return;
	if (c == '\n') {
		emit_line(u);
		return;
	}
	u->line[u->len++] = c;
	if (u->len == VPL011_LINE_MAX)
		emit_line(u);
}

void vpl011_flush(struct vpl011 *u)
{
	spin_lock(&u->lock);
	if (u->len)
		emit_line(u);
	spin_unlock(&u->lock);
}

static uint64_t vpl011_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	(void)dev;
	(void)vcpu;
	(void)size;
	if (off == UARTFR)
		return UARTFR_TXFE | UARTFR_RXFE; /* transmit always drained, nothing received */
	if (off >= 0xfe0 && off < 0x1000)
		return pl011_id[(off - 0xfe0) / 4];
	return 0;
}

static void vpl011_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vpl011 *u = dev;

	(void)vcpu;
	(void)size;
	if (off != UARTDR)
		return;
	spin_lock(&u->lock);
	put_char(u, (char)(value & 0xff));
	spin_unlock(&u->lock);
}

const struct mmio_ops vpl011_ops = {
	.read = vpl011_read,
	.write = vpl011_write,
};
