/* SPDX-License-Identifier: MIT */
/*
 * The host link's frames on the wire (docs/migration.md, "The link"): an
 * Ethernet frame of EtherType 0x88b5 (IEEE 802's local experimental one) to
 * the broadcast address, carrying a 20-byte link header and a payload. All
 * numbers big-endian:
 *
 *   0  u16 magic 0x534b ("SK")      8  u32 sequence number
 *   2  u8  version (1)             12  u16 payload length
 *   3  u8  type (LINK_T_*)         14  u16 flags (0)
 *   4  u32 session                 16  u32 CRC-32 of the frame (Ethernet header,
 *                                          link header with this field 0, payload)
 *
 * wire_parse() is where everything read from the link starts: a frame is
 * checked whole (sizes, magic, version, length against what arrived and what
 * the link carries, checksum, type) before any field is used, and a refusal
 * names what was wrong. The checksum catches accidents only; the layer above
 * authenticates.
 */
#ifndef SKIFF_MIGRATE_WIRE_H
#define SKIFF_MIGRATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_ETHERTYPE	 0x88b5
#define WIRE_ETH_HDR	 14
#define WIRE_LINK_HDR	 20
#define WIRE_HDRS	 (WIRE_ETH_HDR + WIRE_LINK_HDR) /* where the payload starts */
#define WIRE_MAGIC	 0x534b
#define WIRE_VERSION	 1
#define WIRE_ETH_MIN	 60 /* the shortest Ethernet frame: shorter ones may arrive padded */
#define WIRE_PAYLOAD_MAX 65535U

/* Frame types. */
#define LINK_T_HELLO	  0x01 /* handshake, outside any session */
#define LINK_T_CLOSE	  0x02 /* the sender ends the session: a reason in text */
#define LINK_T_PING	  0x03
#define LINK_T_PONG	  0x04 /* a ping's payload, sent back */
#define LINK_T_USER_FIRST 0x20 /* the layers above (migration) */
#define LINK_T_USER_LAST  0x3f

struct wire_frame {
	const uint8_t *src; /* the sender's MAC address */
	uint8_t type;
	uint32_t session;
	uint32_t seq;
	uint16_t len;
	const uint8_t *payload;
};

enum wire_verdict {
	WIRE_OK,
	WIRE_FOREIGN, /* another EtherType: not the link's, ignored */
	WIRE_BAD,     /* the link's, malformed: the reason is in err */
};

/*
 * Checks the Ethernet frame of @len bytes at @frame, whose payload may be at
 * most @max_payload bytes, and fills @out (pointing into @frame) if it is good.
 */
enum wire_verdict wire_parse(const uint8_t *frame, size_t len, size_t max_payload,
			     struct wire_frame *out, char *err, size_t errlen);

/*
 * Writes the headers and checksum around the @len payload bytes already at
 * @buf + WIRE_HDRS; returns the frame's length.
 */
size_t wire_seal(uint8_t *buf, const uint8_t src[6], uint8_t type, uint32_t session, uint32_t seq,
		 uint16_t len);

/* Big-endian numbers in payloads. */
void wire_put16(uint8_t *p, uint16_t v);
void wire_put32(uint8_t *p, uint32_t v);
void wire_put64(uint8_t *p, uint64_t v);
uint16_t wire_get16(const uint8_t *p);
uint32_t wire_get32(const uint8_t *p);
uint64_t wire_get64(const uint8_t *p);

#endif
