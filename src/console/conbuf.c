// SPDX-License-Identifier: MIT
#include "console/conbuf.h"

#define ESC 0x1b
#define BEL 0x07

void conbuf_init(struct conbuf *cb, char *ring, size_t size)
{
	cb->ring = ring;
	cb->size = size;
	cb->written = 0;
	cb->total = 0;
	cb->filter = CONBUF_TEXT;
	cb->lock.locked = false;
}

/* Whether @c is kept, given the escape-sequence filter's state (which it moves on). */
static int keep(struct conbuf *cb, unsigned char c)
{
	switch (cb->filter) {
	case CONBUF_ESC:
		cb->filter = c == '[' ? CONBUF_CSI : c == ']' ? CONBUF_OSC : CONBUF_TEXT;
		return 0;
	case CONBUF_CSI:
		/* A final byte (0x40-0x7e) ends it, and so does a byte no CSI has (cut short). */
		if (c >= 0x40 || c < 0x20)
			cb->filter = CONBUF_TEXT;
		return 0;
	case CONBUF_OSC: /* a title and the like, up to BEL or ESC \ */
		if (c == BEL)
			cb->filter = CONBUF_TEXT;
		else if (c == ESC)
			cb->filter = CONBUF_OSC_ESC;
		return 0;
	case CONBUF_OSC_ESC:
		cb->filter = c == '\\' ? CONBUF_TEXT : CONBUF_OSC;
		return 0;
	case CONBUF_TEXT:
	default:
		if (c == ESC) {
			cb->filter = CONBUF_ESC;
			return 0;
		}
		return c != '\r' && c != 0;
	}
}

static void put_locked(struct conbuf *cb, char c)
{
	cb->total++;
	if (!keep(cb, (unsigned char)c))
		return;
	cb->ring[cb->written & (cb->size - 1)] = c;
	__atomic_store_n(&cb->written, cb->written + 1, __ATOMIC_RELEASE);
}

void conbuf_put(struct conbuf *cb, char c)
{
	spin_lock(&cb->lock);
	put_locked(cb, c);
	spin_unlock(&cb->lock);
}

void conbuf_write(struct conbuf *cb, const char *s, size_t len)
{
	spin_lock(&cb->lock);
	for (size_t i = 0; i < len; i++)
		put_locked(cb, s[i]);
	spin_unlock(&cb->lock);
}

size_t conbuf_tail(struct conbuf *cb, char *out, size_t max)
{
	size_t n;
	uint64_t from;

	spin_lock(&cb->lock);
	n = cb->written < cb->size ? (size_t)cb->written : cb->size;
	if (n > max)
		n = max;
	from = cb->written - n;
	for (size_t i = 0; i < n; i++)
		out[i] = cb->ring[(from + i) & (cb->size - 1)];
	spin_unlock(&cb->lock);
	return n;
}

uint64_t conbuf_lost(const struct conbuf *cb)
{
	uint64_t w = conbuf_version(cb);

	return w > cb->size ? w - cb->size : 0;
}
