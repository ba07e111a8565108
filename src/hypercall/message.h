/* SPDX-License-Identifier: MIT */
/*
 * The backdoor's message channels (command 30, "GuestRPC"): a guest opens a
 * channel for a protocol (RPCI: the guest asks, Skiff answers; TCLO: Skiff
 * asks, the guest's tools answer), sends a message (its size, then its bytes:
 * 4 at a time in ebx, or all at once through the high-bandwidth port from a
 * guest buffer), then receives the reply the same way. The x86 register view
 * (eax..ebp = x0..x6) is kept so the code reads like the protocol.
 */
#ifndef SKIFF_HYPERCALL_MESSAGE_H
#define SKIFF_HYPERCALL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSG_MAX_CHANNELS 4
#define MSG_MAX_SIZE	 8192 /* the largest message either way */

#define MSG_PROTO_RPCI	0x49435052U /* "RPCI" */
#define MSG_PROTO_TCLO	0x4f4c4354U /* "TCLO" */
#define MSG_FLAG_COOKIE 0x80000000U

enum msg_type {
	MSG_OPEN = 0,
	MSG_SENDSIZE = 1,
	MSG_SENDPAYLOAD = 2,
	MSG_RECVSIZE = 3,
	MSG_RECVPAYLOAD = 4,
	MSG_RECVSTATUS = 5,
	MSG_CLOSE = 6,
};

#define MSG_STATUS_FAIL	   0x0000U
#define MSG_STATUS_SUCCESS 0x0001U
#define MSG_STATUS_DORECV  0x0002U
#define MSG_STATUS_CLOSED  0x0004U
#define MSG_STATUS_HB	   0x0080U

/* The call's registers in the x86 view. */
struct bdoor_regs {
	uint64_t ax, bx, cx, dx, si, di, bp;
};

struct msg_channel {
	bool open;
	uint32_t proto;
	uint32_t cookie_high, cookie_low;
	uint32_t in_size, in_len;   /* guest to host: announced size, bytes so far */
	uint32_t out_size, out_pos; /* host to guest: the reply, bytes taken */
	bool out_ready;
	char in[MSG_MAX_SIZE];
	char out[MSG_MAX_SIZE];
};

/*
 * Who answers a complete message from the guest: writes the reply (at most
 * MSG_MAX_SIZE bytes) and returns its length.
 */
struct msg_handler {
	size_t (*answer)(void *ctx, uint32_t proto, const char *msg, size_t len, char *reply);
	void (*opened)(void *ctx, uint32_t proto); /* a channel was opened (may be NULL) */
	/*
	 * The cookies of a channel being opened (high half: cookie_high, low half:
	 * cookie_low). They are all that keeps one program in the guest from using
	 * another's channel, so they must be unpredictable: random, not derived from
	 * anything the guest sees (time, PC, channel number, other channels' cookies).
	 */
	uint64_t (*new_cookies)(void *ctx);
	void *ctx;
};

/* Copies between the guest's buffer at @va and Skiff; false if it cannot (bad address). */
struct msg_guest_mem {
	bool (*read)(void *ctx, uint64_t va, void *dst, size_t len);
	bool (*write)(void *ctx, uint64_t va, const void *src, size_t len);
	void *ctx;
};

/*
 * Serves a low-bandwidth message call (ecx = 30 | type << 16) on @channels.
 * Returns false when the call was malformed (reported as a failure status to
 * the guest either way).
 */
bool msg_call_lb(struct msg_channel *channels, struct bdoor_regs *r, const struct msg_handler *h);

/* Serves a high-bandwidth transfer (port 0x5659); @to_guest for "rep insb". */
bool msg_call_hb(struct msg_channel *channels, struct bdoor_regs *r, bool to_guest,
		 const struct msg_handler *h, const struct msg_guest_mem *mem);

#endif
