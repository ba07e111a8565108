// SPDX-License-Identifier: MIT
#include <string.h>

#include "hypercall/message.h"

#define STATUS(s) ((uint64_t)(s) << 16)

static uint32_t lo16(uint64_t v)
{
	return (uint32_t)v & 0xffff;
}

static uint32_t hi16(uint64_t v)
{
	return ((uint32_t)v >> 16) & 0xffff;
}

/* The open channel the call names (dx high half) with the cookies it must carry. */
static struct msg_channel *find(struct msg_channel *channels, uint64_t dx, uint32_t high,
				uint32_t low)
{
	uint32_t id = hi16(dx);
	struct msg_channel *c;

	if (id >= MSG_MAX_CHANNELS)
		return 0;
	c = &channels[id];
	if (!c->open || c->cookie_high != high || c->cookie_low != low)
		return 0;
	return c;
}

/* A complete message arrived: its answer becomes the reply to receive. */
static void deliver(struct msg_channel *c, const struct msg_handler *h)
{
	size_t n = h->answer(h->ctx, c->proto, c->in, c->in_len, c->out);

	c->out_size = (uint32_t)(n > MSG_MAX_SIZE ? MSG_MAX_SIZE : n);
	c->out_pos = 0;
	c->out_ready = true;
	c->in_size = c->in_len = 0;
}

static bool open_channel(struct msg_channel *channels, struct bdoor_regs *r,
			 const struct msg_handler *h)
{
	uint32_t proto = (uint32_t)r->bx & ~MSG_FLAG_COOKIE;
	uint64_t cookies;
	unsigned int i;

	if (proto != MSG_PROTO_RPCI && proto != MSG_PROTO_TCLO)
		return false;
	for (i = 0; i < MSG_MAX_CHANNELS && channels[i].open; i++)
		;
	if (i == MSG_MAX_CHANNELS)
		return false; /* too many channels */
	memset(&channels[i], 0, sizeof(channels[i]));
	channels[i].open = true;
	channels[i].proto = proto;
	/* The cookies are the channel's secret: its owner's, not other programs'. */
	cookies = h->new_cookies(h->ctx);
	channels[i].cookie_high = (uint32_t)(cookies >> 32);
	channels[i].cookie_low = (uint32_t)cookies;
	r->cx = STATUS(MSG_STATUS_SUCCESS);
	r->dx = (uint64_t)i << 16;
	r->si = channels[i].cookie_high;
	r->di = channels[i].cookie_low;
	if (h->opened)
		h->opened(h->ctx, proto);
	return true;
}

static bool send_size(struct msg_channel *c, struct bdoor_regs *r, const struct msg_handler *h)
{
	uint32_t size = (uint32_t)r->bx;

	if (size > MSG_MAX_SIZE)
		return false; /* oversized */
	c->in_size = size;
	c->in_len = 0;
	c->out_ready = false;
	if (!size)
		deliver(c, h);
	r->cx = STATUS(MSG_STATUS_SUCCESS | MSG_STATUS_HB);
	return true;
}

static bool send_payload(struct msg_channel *c, struct bdoor_regs *r, const struct msg_handler *h)
{
	uint32_t word = (uint32_t)r->bx, n = c->in_size - c->in_len;

	if (!c->in_size || c->in_len >= c->in_size)
		return false; /* no message announced, or it is complete */
	n = n > 4 ? 4 : n;
	memcpy(c->in + c->in_len, &word, n);
	c->in_len += n;
	if (c->in_len == c->in_size)
		deliver(c, h);
	r->cx = STATUS(MSG_STATUS_SUCCESS);
	return true;
}

static bool recv_size(struct msg_channel *c, struct bdoor_regs *r)
{
	if (!c->out_ready) {
		r->cx = STATUS(MSG_STATUS_SUCCESS); /* nothing to receive */
		r->bx = 0;
		return true;
	}
	c->out_pos = 0;
	r->cx = STATUS(MSG_STATUS_SUCCESS | MSG_STATUS_DORECV | MSG_STATUS_HB);
	r->bx = c->out_size;
	r->dx = (uint64_t)MSG_SENDSIZE << 16;
	return true;
}

static bool recv_payload(struct msg_channel *c, struct bdoor_regs *r)
{
	uint32_t word = 0, n;

	if (!c->out_ready || c->out_pos >= c->out_size)
		return false;
	n = c->out_size - c->out_pos;
	n = n > 4 ? 4 : n;
	memcpy(&word, c->out + c->out_pos, n);
	c->out_pos += n;
	r->bx = word;
	r->cx = STATUS(MSG_STATUS_SUCCESS);
	r->dx = (uint64_t)MSG_SENDPAYLOAD << 16;
	return true;
}

bool msg_call_lb(struct msg_channel *channels, struct bdoor_regs *r, const struct msg_handler *h)
{
	unsigned int type = hi16(r->cx);
	struct msg_channel *c;
	bool ok = false;

	if (type == MSG_OPEN) {
		ok = open_channel(channels, r, h);
	} else if ((c = find(channels, r->dx, (uint32_t)r->si, (uint32_t)r->di))) {
		switch (type) {
		case MSG_SENDSIZE:
			ok = send_size(c, r, h);
			break;
		case MSG_SENDPAYLOAD:
			ok = send_payload(c, r, h);
			break;
		case MSG_RECVSIZE:
			ok = recv_size(c, r);
			break;
		case MSG_RECVPAYLOAD:
			ok = recv_payload(c, r);
			break;
		case MSG_RECVSTATUS:
			/* The guest says whether it got the reply; either way it is done. */
			c->out_ready = false;
			r->cx = STATUS(MSG_STATUS_SUCCESS);
			ok = true;
			break;
		case MSG_CLOSE:
			c->open = false;
			r->cx = STATUS(MSG_STATUS_SUCCESS);
			ok = true;
			break;
		default:
			break;
		}
	}
	if (!ok)
		r->cx = STATUS(MSG_STATUS_FAIL);
	return ok;
}

bool msg_call_hb(struct msg_channel *channels, struct bdoor_regs *r, bool to_guest,
		 const struct msg_handler *h, const struct msg_guest_mem *mem)
{
	/* Cookies: out (guest to host) has high in ebp, low in edi; in has high in esi, low in ebp.
	 */
	uint32_t high = (uint32_t)(to_guest ? r->si : r->bp);
	uint32_t low = (uint32_t)(to_guest ? r->bp : r->di);
	struct msg_channel *c = find(channels, r->dx, high, low);
	uint32_t size = (uint32_t)r->cx;
	bool ok = false;

	if (c && lo16(r->bx) == 0 /* BDOORHB_CMD_MESSAGE */) {
		if (to_guest) {
			ok = c->out_ready && size == c->out_size &&
			     mem->write(mem->ctx, r->di, c->out, size);
			if (ok)
				c->out_pos = size;
		} else {
			ok = c->in_size && size == c->in_size && !c->in_len &&
			     mem->read(mem->ctx, r->si, c->in, size);
			if (ok) {
				c->in_len = size;
				deliver(c, h);
			}
		}
	}
	r->bx = STATUS(ok ? MSG_STATUS_SUCCESS : MSG_STATUS_FAIL);
	return ok;
}
