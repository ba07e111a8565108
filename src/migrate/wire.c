// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "lib/crc32.h"
#include "lib/format.h"
#include "migrate/wire.h"

/* Offsets in the link header. */
#define H_MAGIC	  0
#define H_VERSION 2
#define H_TYPE	  3
#define H_SESSION 4
#define H_SEQ	  8
#define H_LEN	  12
#define H_FLAGS	  14
#define H_CRC	  16

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void wire_put32(uint8_t *p, uint32_t v)
{
	wire_put16(p, (uint16_t)(v >> 16));
	wire_put16(p + 2, (uint16_t)v);
}

void wire_put64(uint8_t *p, uint64_t v)
{
	wire_put32(p, (uint32_t)(v >> 32));
	wire_put32(p + 4, (uint32_t)v);
}

uint16_t wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)wire_get16(p) << 16 | wire_get16(p + 2);
}

uint64_t wire_get64(const uint8_t *p)
{
	return (uint64_t)wire_get32(p) << 32 | wire_get32(p + 4);
}

/*
 * The CRC of the whole frame, Ethernet header included, with the CRC field
 * taken as 0: every byte a receiver uses is covered.
 */
static uint32_t frame_crc(const uint8_t *frame, size_t plen)
{
	static const uint8_t zero[4];
	uint32_t crc = crc32_update(0, frame, WIRE_ETH_HDR + H_CRC);

	crc = crc32_update(crc, zero, sizeof(zero));
	return crc32_update(crc, frame + WIRE_HDRS, plen);
}

size_t wire_seal(uint8_t *buf, const uint8_t src[6], uint8_t type, uint32_t session, uint32_t seq,
		 uint16_t len)
{
	uint8_t *h = buf + WIRE_ETH_HDR;

	memcpy(buf, broadcast, 6);
	memcpy(buf + 6, src, 6);
	wire_put16(buf + 12, WIRE_ETHERTYPE);
	wire_put16(h + H_MAGIC, WIRE_MAGIC);
	h[H_VERSION] = WIRE_VERSION;
	h[H_TYPE] = type;
	wire_put32(h + H_SESSION, session);
	wire_put32(h + H_SEQ, seq);
	wire_put16(h + H_LEN, len);
	wire_put16(h + H_FLAGS, 0);
	wire_put32(h + H_CRC, frame_crc(buf, len));
	return WIRE_HDRS + (size_t)len;
}

static bool known_type(uint8_t t)
{
	switch (t) {
	case LINK_T_HELLO:
	case LINK_T_CLOSE:
	case LINK_T_PING:
	case LINK_T_PONG:
		return true;
	default:
		return t >= LINK_T_USER_FIRST && t <= LINK_T_USER_LAST;
	}
}

/* The header's fixed fields: magic, version, flags. */
static enum wire_verdict check_fixed(const uint8_t *h, char *err, size_t errlen)
{
	if (wire_get16(h + H_MAGIC) != WIRE_MAGIC) {
		format(err, errlen, "bad magic 0x%04x in a frame of the link's EtherType",
		       wire_get16(h + H_MAGIC));
		return WIRE_BAD;
	}
	if (h[H_VERSION] != WIRE_VERSION) {
		format(err, errlen, "frame of link version %u; this host speaks version %u",
		       h[H_VERSION], WIRE_VERSION);
		return WIRE_BAD;
	}
	if (wire_get16(h + H_FLAGS)) {
		format(err, errlen, "reserved flags 0x%04x set", wire_get16(h + H_FLAGS));
		return WIRE_BAD;
	}
	return WIRE_OK;
}

/* The payload length against what the link carries and what arrived (@have bytes). */
static enum wire_verdict check_length(size_t plen, size_t have, size_t frame_len,
				      size_t max_payload, char *err, size_t errlen)
{
	if (plen > max_payload) {
		format(err, errlen,
		       "oversized frame: its header says %zu payload bytes, the link carries at "
		       "most %zu",
		       plen, max_payload);
		return WIRE_BAD;
	}
	if (plen > have) {
		format(err, errlen,
		       "truncated frame: its header says %zu payload bytes, %zu arrived", plen,
		       have);
		return WIRE_BAD;
	}
	/* Bytes beyond the payload: Ethernet padding of a short frame, nothing else. */
	if (plen < have && frame_len > WIRE_ETH_MIN) {
		format(err, errlen,
		       "oversized frame: %zu bytes, %zu of them after its %zu-byte payload",
		       frame_len, have - plen, plen);
		return WIRE_BAD;
	}
	return WIRE_OK;
}

enum wire_verdict wire_parse(const uint8_t *frame, size_t len, size_t max_payload,
			     struct wire_frame *out, char *err, size_t errlen)
{
	const uint8_t *h = frame + WIRE_ETH_HDR;
	uint32_t want, got;
	size_t plen;

	if (len < WIRE_ETH_HDR) {
		format(err, errlen, "runt frame: %zu bytes, shorter than an Ethernet header (%u)",
		       len, WIRE_ETH_HDR);
		return WIRE_BAD;
	}
	if (wire_get16(frame + 12) != WIRE_ETHERTYPE)
		return WIRE_FOREIGN;
	if (len < WIRE_HDRS) {
		format(err, errlen,
		       "truncated frame: %zu bytes, shorter than the link's headers (%u)", len,
		       WIRE_HDRS);
		return WIRE_BAD;
	}
	plen = wire_get16(h + H_LEN);
	if (check_fixed(h, err, errlen) != WIRE_OK ||
	    check_length(plen, len - WIRE_HDRS, len, max_payload, err, errlen) != WIRE_OK)
		return WIRE_BAD;
	want = wire_get32(h + H_CRC);
	got = frame_crc(frame, plen);
	if (want != got) {
		format(err, errlen,
		       "checksum mismatch: the frame says 0x%08x, its bytes give 0x%08x", want,
		       got);
		return WIRE_BAD;
	}
	if (!known_type(h[H_TYPE])) {
		format(err, errlen, "unknown frame type 0x%02x", h[H_TYPE]);
		return WIRE_BAD;
	}
	*out = (struct wire_frame){
		frame + 6,	h[H_TYPE],	  wire_get32(h + H_SESSION), wire_get32(h + H_SEQ),
		(uint16_t)plen, h + WIRE_LINK_HDR
	};
	return WIRE_OK;
}
