// SPDX-License-Identifier: MIT
/*
 * The guest side of the VMware-compatible backdoor (docs/hypercalls.md):
 * x0-x6 carry the x86 registers eax..ebp, x7 the encoding of the x86 I/O
 * instruction (0x86 in bits 63:32), and "mrs xzr, mdccsr_el0" makes the call.
 */
#include <string.h>

#include "libguest.h"

#define X7_MAGIC  (0x86UL << 32)
#define X7_IN	  (1UL << 2)
#define X7_WITHDX (1UL << 3)
#define X7_STRING (1UL << 4)

#define MSG_CMD	    30
#define ST_SUCCESS  0x1
#define ST_DORECV   0x2
#define ST_HB	    0x80
#define TYPE(t)	    ((uint64_t)(t) << 16)
#define HB_PORT	    0x5659
#define LB_PORT	    0x5658
#define COOKIE_FLAG 0x80000000U

void bdoor_call(struct bdoor_regs *r, uint64_t x7)
{
	/* The call's registers, bound to x0-x7 (assigned apart: cppcheck misreads the init). */
	register uint64_t x0 __asm__("x0"), x1 __asm__("x1"), x2 __asm__("x2"), x3 __asm__("x3");
	register uint64_t x4 __asm__("x4"), x5 __asm__("x5"), x6 __asm__("x6"), x7r __asm__("x7");

	x0 = r->ax;
	x1 = r->bx;
	x2 = r->cx;
	x3 = r->dx;
	x4 = r->si;
	x5 = r->di;
	x6 = r->bp;
	x7r = x7;
	__asm__ volatile("mrs xzr, mdccsr_el0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 : "r"(x7r)
			 : "memory");
	r->ax = x0;
	r->bx = x1;
	r->cx = x2;
	r->dx = x3;
	r->si = x4;
	r->di = x5;
	r->bp = x6;
}

void bdoor_lb(struct bdoor_regs *r)
{
	bdoor_call(r, BDOOR_X7_LB_IN);
}

static void bdoor_hb(struct bdoor_regs *r, bool in)
{
	bdoor_call(r, X7_MAGIC | X7_STRING | X7_WITHDX | (in ? X7_IN : 0));
}

/* A message call on @ch of type @type with ebx = @bx; returns the status. */
static unsigned int msg(struct bdoor_channel *ch, unsigned int type, uint64_t bx,
			struct bdoor_regs *r)
{
	*r = (struct bdoor_regs){ .ax = BDOOR_MAGIC,
				  .bx = bx,
				  .cx = MSG_CMD | TYPE(type),
				  .dx = ((uint64_t)ch->id << 16) | LB_PORT,
				  .si = ch->cookie_high,
				  .di = ch->cookie_low };
	bdoor_lb(r);
	return (unsigned int)(r->cx >> 16) & 0xffff;
}

bool bdoor_open(struct bdoor_channel *ch, uint32_t proto)
{
	struct bdoor_regs r = {
		.ax = BDOOR_MAGIC, .bx = proto | COOKIE_FLAG, .cx = MSG_CMD, .dx = LB_PORT
	};

	bdoor_lb(&r);
	if (!((r.cx >> 16) & ST_SUCCESS))
		return false;
	ch->id = (uint32_t)(r.dx >> 16) & 0xffff;
	ch->cookie_high = (uint32_t)r.si;
	ch->cookie_low = (uint32_t)r.di;
	return true;
}

bool bdoor_close(struct bdoor_channel *ch)
{
	struct bdoor_regs r;

	return msg(ch, 6, 0, &r) & ST_SUCCESS;
}

bool bdoor_send(struct bdoor_channel *ch, const char *buf, size_t len, bool hb)
{
	struct bdoor_regs r;
	unsigned int st = msg(ch, 1, len, &r);

	if (!(st & ST_SUCCESS))
		return false;
	if (hb && len) {
		if (!(st & ST_HB))
			return false;
		r = (struct bdoor_regs){ .bx = (uint64_t)ST_SUCCESS << 16,
					 .cx = len,
					 .dx = ((uint64_t)ch->id << 16) | HB_PORT,
					 .si = (uintptr_t)buf,
					 .di = ch->cookie_low,
					 .bp = ch->cookie_high };
		bdoor_hb(&r, false);
		return (r.bx >> 16) & ST_SUCCESS;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint32_t word = 0;

		memcpy(&word, buf + i, len - i < 4 ? len - i : 4);
		if (!(msg(ch, 2, word, &r) & ST_SUCCESS))
			return false;
	}
	return true;
}

long bdoor_recv(struct bdoor_channel *ch, char *buf, size_t max, bool hb)
{
	struct bdoor_regs r;
	unsigned int st = msg(ch, 3, 0, &r);
	size_t len = (size_t)(uint32_t)r.bx;

	if (!(st & ST_SUCCESS))
		return -1;
	if (!(st & ST_DORECV))
		return 0;
	if (len > max)
		return -1;
	if (hb && len) {
		r = (struct bdoor_regs){ .bx = (uint64_t)ST_SUCCESS << 16,
					 .cx = len,
					 .dx = ((uint64_t)ch->id << 16) | HB_PORT,
					 .si = ch->cookie_high,
					 .di = (uintptr_t)buf,
					 .bp = ch->cookie_low };
		bdoor_hb(&r, true);
		if (!((r.bx >> 16) & ST_SUCCESS))
			return -1;
	} else {
		for (size_t i = 0; i < len; i += 4) {
			uint32_t word;

			if (!(msg(ch, 4, ST_SUCCESS, &r) & ST_SUCCESS))
				return -1;
			word = (uint32_t)r.bx;
			memcpy(buf + i, &word, len - i < 4 ? len - i : 4);
		}
	}
	msg(ch, 5, ST_SUCCESS, &r);
	return (long)len;
}
