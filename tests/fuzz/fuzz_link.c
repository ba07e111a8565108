// SPDX-License-Identifier: MIT
/*
 * The host link's frames and sessions (migrate/wire.c, migrate/session.c) as
 * a peer, or whoever is on the link, drives them: raw frames of any bytes,
 * frames sealed right (so the fuzzer gets past the checksum) of any type,
 * session, number and payload, the passing of time, and the operator's
 * commands. Checked after every step: the session's state is one of its
 * states and its counters agree, the operator's pings in flight stay within
 * their window, every frame the session sends is one wire_parse() accepts,
 * and every line it logs is printable (the peer's text escaped).
 *
 * Input: a setup byte (bit 0: the layer above takes its frames), then
 * operations, each a byte (its value modulo 8) and its arguments:
 *   0 raw frame      u16 length, the bytes
 *   1 sealed frame   u8 type, u8 flags (bit 0: another session, u32 id
 *                    follows; bit 1: a number of its own, u32 follows, else
 *                    the next due), u16 payload length, the payload
 *   2 time           u16 milliseconds, then a tick
 *   3 open           u32 session id
 *   4 ping           u16 count, u16 size
 *   5 close
 *   6 send           u8 type, u16 length (a pattern)
 *   7 room           the transmit queue fills up or empties
 */
#include "migrate/session.h"
#include "migrate/wire.h"
#include "fuzz.h"

#define HZ	    1000000ULL
#define PAYLOAD_MAX 4096

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x5b, 0x00, 0x02 };

static struct session s;
static uint8_t txbuf[WIRE_HDRS + PAYLOAD_MAX];
static uint8_t frame[WIRE_HDRS + PAYLOAD_MAX + 64];
static bool full;
static uint64_t now;

static uint8_t *io_tx_begin(void *ctx, size_t *cap)
{
	(void)ctx;
	if (full)
		return NULL;
	*cap = PAYLOAD_MAX;
	return txbuf + WIRE_HDRS;
}

static void io_tx_end(void *ctx, uint8_t type, uint32_t id, uint32_t seq, uint16_t len)
{
	struct wire_frame f;
	char err[200];
	size_t n;

	(void)ctx;
	FUZZ_CHECK(len <= PAYLOAD_MAX, "a payload of %u bytes", len);
	n = wire_seal(txbuf, mac, type, id, seq, len);
	FUZZ_CHECK(wire_parse(txbuf, n, PAYLOAD_MAX, &f, err, sizeof(err)) == WIRE_OK,
		   "the session sent a frame wire_parse refuses: %s", err);
	FUZZ_CHECK(f.type == type && f.session == id && f.seq == seq && f.len == len,
		   "a frame that does not parse back to what was sent");
}

static void io_note(void *ctx, enum session_level level, const char *text)
{
	(void)ctx;
	FUZZ_CHECK(level <= SESSION_ERROR, "level %d", level);
	for (const char *c = text; *c; c++)
		FUZZ_CHECK(*c >= ' ' && *c < 0x7f, "byte 0x%x in line \"%s\"", (unsigned char)*c,
			   text);
}

static void io_deliver(void *ctx, uint8_t type, const uint8_t *payload, uint16_t len)
{
	(void)ctx;
	(void)payload;
	FUZZ_CHECK(type >= LINK_T_USER_FIRST && type <= LINK_T_USER_LAST,
		   "type 0x%02x handed to the layer above", type);
	FUZZ_CHECK(len <= PAYLOAD_MAX, "a payload of %u bytes handed up", len);
}

static void check(void)
{
	const struct session_pings *p = &s.ping;

	FUZZ_CHECK(s.state == SESSION_IDLE || s.state == SESSION_OFFERED || s.state == SESSION_OPEN,
		   "state %d", s.state);
	FUZZ_CHECK(s.state != SESSION_OPEN || s.rx_seq >= 1, "open with nothing received");
	FUZZ_CHECK(s.stats.malformed + s.stats.foreign <= s.stats.frames_in, "counters");
	FUZZ_CHECK(s.stats.ended <= s.stats.opened, "%lu ended of %lu opened",
		   (unsigned long)s.stats.ended, (unsigned long)s.stats.opened);
	FUZZ_CHECK(p->answered <= p->sent && p->sent <= p->count &&
			   p->sent - p->answered <= SESSION_PING_WINDOW,
		   "pings: %u sent, %u answered of %u", p->sent, p->answered, p->count);
	FUZZ_CHECK(session_payload_limit(&s) <= PAYLOAD_MAX, "limit %u", session_payload_limit(&s));
}

static void sealed_frame(struct fuzz_in *in)
{
	uint8_t type = fuzz_u8(in), flags = fuzz_u8(in);
	uint32_t id = flags & 1 ? fuzz_u32(in) : s.id;
	/* The number due: the next in an open session, 0 for an answer to an offer. */
	uint32_t seq = flags & 2 ? fuzz_u32(in) : s.state == SESSION_OPEN ? s.rx_seq : 0;
	uint16_t len = fuzz_u16(in) % (PAYLOAD_MAX + 1);
	size_t n;

	fuzz_bytes(in, frame + WIRE_HDRS, len);
	n = wire_seal(frame, mac, type, id, seq, len);
	session_receive(&s, frame, n, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct session_io io = { .tx_begin = io_tx_begin, .tx_end = io_tx_end, .note = io_note };
	char err[200];

	if (fuzz_u8(&in) & 1)
		io.deliver = io_deliver;
	session_init(&s, &io, 0x1111222233334444ULL, PAYLOAD_MAX, HZ);
	full = false;
	now = HZ;
	while (fuzz_more(&in)) {
		switch (fuzz_u8(&in) % 8) {
		case 0: {
			uint16_t len = fuzz_u16(&in) % sizeof(frame);

			fuzz_bytes(&in, frame, len);
			session_receive(&s, frame, len, now);
			break;
		}
		case 1:
			sealed_frame(&in);
			break;
		case 2:
			now += fuzz_u16(&in) * (HZ / 1000);
			session_tick(&s, now);
			break;
		case 3:
			session_open(&s, fuzz_u32(&in), now, err, sizeof(err));
			break;
		case 4: {
			uint16_t count = fuzz_u16(&in), psize = fuzz_u16(&in);

			session_ping(&s, count, psize, now, err, sizeof(err));
			break;
		}
		case 5:
			session_close(&s, "the fuzzer closes");
			break;
		case 6: {
			static uint8_t payload[PAYLOAD_MAX + 1];
			uint8_t type = fuzz_u8(&in);
			uint16_t len = fuzz_u16(&in) % sizeof(payload);

			memset(payload, type, len);
			session_send(&s, type, payload, len, err, sizeof(err));
			break;
		}
		default:
			full = !full;
			break;
		}
		check();
	}
	return 0;
}
