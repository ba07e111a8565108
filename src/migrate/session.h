/* SPDX-License-Identifier: MIT */
/*
 * The host link's sessions (docs/migration.md, "Sessions"): the protocol two
 * Skiff hosts run over the frames of migrate/wire.h.
 *
 * A session is opened by a HELLO offer and its acceptance, carries frames
 * numbered from 0 in each direction, is kept alive by pings, and ends with a
 * CLOSE, with a silence, or at the first thing wrong: a malformed frame, a
 * number out of order (a frame lost, repeated or reordered: the link below
 * never does that by itself), a payload that is not what its type says. The
 * end is said on the log of the host that saw it and, in a CLOSE, on the
 * peer's. Nothing is retried: the layer above (migration) stops what it was
 * doing and may start again in a new session.
 *
 * The link is untrusted: each frame is checked whole by wire_parse() and its
 * payload against its type before anything in it is used; text from the peer
 * is escaped before it is shown.
 *
 * No device, clock or lock here: the caller passes received frames and the
 * time (counter ticks) in, and gets frames to send and lines for the log out
 * through struct session_io, so host-side unit tests and the fuzzer drive it
 * directly. migrate/link.c is the caller on a Skiff host; it serialises calls.
 */
#ifndef SKIFF_MIGRATE_SESSION_H
#define SKIFF_MIGRATE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_OFFER_MS     5000 /* an offer nobody accepts is given up */
#define SESSION_SILENCE_MS   5000 /* an open session that hears nothing ends */
#define SESSION_KEEPALIVE_MS 1000 /* an open session sends at least this often */
#define SESSION_MIN_PAYLOAD  256  /* the least a host may say it receives */
#define SESSION_REASON_MAX   200  /* a CLOSE's text */
#define SESSION_PING_HDR     12	  /* a ping's id and send time, before its data */
#define SESSION_PING_WINDOW  4	  /* the operator's pings in flight at once */
#define SESSION_PING_MAX     1000 /* pings one `link ping` may ask for */

enum session_state {
	SESSION_IDLE,
	SESSION_OFFERED, /* a HELLO offer sent, no answer yet */
	SESSION_OPEN,
};

enum session_level { SESSION_INFO, SESSION_WARN, SESSION_ERROR };

struct session_io {
	void *ctx;
	/*
	 * Room for one payload of up to *cap bytes in the device's next frame,
	 * or NULL when it has none now; the same room until tx_end().
	 */
	uint8_t *(*tx_begin)(void *ctx, size_t *cap);
	/* Sends the @len bytes written there as a frame of @type, session @id, number @seq. */
	void (*tx_end)(void *ctx, uint8_t type, uint32_t id, uint32_t seq, uint16_t len);
	/* A line for the operator (the log). */
	void (*note)(void *ctx, enum session_level level, const char *text);
	/* Frames the device has room for now; NULL: as many as asked for. */
	unsigned int (*tx_room)(void *ctx);
	/*
	 * A frame of the layer above (LINK_T_USER_*) in the open session; NULL
	 * when there is none, and such a frame ends the session.
	 */
	void (*deliver)(void *ctx, uint8_t type, const uint8_t *payload, uint16_t len);
};

struct session_stats {
	uint64_t frames_in, frames_out, bytes_in, bytes_out;
	uint64_t malformed; /* frames wire_parse() refused */
	uint64_t stray;	    /* well-formed frames of no session open here */
	uint64_t foreign;   /* frames of another EtherType */
	uint64_t opened, ended;
};

/* The operator's pings: COUNT of SIZE data bytes, each checked when it comes back. */
struct session_pings {
	unsigned int count, size;
	unsigned int sent, answered;
	uint32_t first_id;
	uint64_t sent_at[SESSION_PING_WINDOW]; /* by id modulo the window */
	uint64_t rtt_min, rtt_max, rtt_sum;    /* counter ticks */
};

struct session {
	struct session_io io;
	uint64_t hz;
	uint64_t host_id;     /* this host's, random at boot: tells a loop back */
	uint16_t max_payload; /* the most this host sends or receives in one frame */
	enum session_state state;
	uint32_t id;
	uint32_t tx_seq, rx_seq; /* the next numbers to send and to receive */
	uint64_t peer_host;
	uint16_t peer_max_payload;
	uint64_t now;	/* the time of the call being served */
	uint64_t since; /* when the offer went or the session opened */
	uint64_t last_rx, last_tx;
	struct session_pings ping;
	uint32_t next_ping_id; /* 0 is the keepalive's */
	uint32_t expect_pong;
	struct session_stats stats;
	char last_end[SESSION_REASON_MAX + 1]; /* why the last session ended */
	/* A CLOSE that found no room: sent at the next tick (it says last_end). */
	bool close_owed;
	uint32_t close_id, close_seq;
	/* Lines about frames outside any session: one a second, the rest counted. */
	uint64_t quiet_until;
	unsigned int quieted;
};

/*
 * A session endpoint for the host @host_id, whose device carries payloads of
 * up to @max_payload bytes, its clock at @hz ticks a second. No session open.
 */
void session_init(struct session *s, const struct session_io *io, uint64_t host_id,
		  uint16_t max_payload, uint64_t hz);

/*
 * Offers session @id (random, not 0) to whoever is on the link. 0, or -1 with
 * @err: a session is open or offered already, or the offer could not be sent.
 */
int session_open(struct session *s, uint32_t id, uint64_t now, char *err, size_t errlen);

/*
 * Whether a layer that sends in bulk (the migration stream) may send its next
 * frame: the device has room for more than SESSION_TX_RESERVE frames, which
 * stay for the session's own answers (PONG, keepalive, CLOSE). A stream that
 * took the last one would end the session on the peer's next ping.
 */
#define SESSION_TX_RESERVE 2
bool session_bulk_room(struct session *s);

/* Ends the open session (or the offer), telling the peer @why. */
void session_close(struct session *s, const char *why);

/*
 * Sends @count pings of @size data bytes in the open (or offered) session,
 * SESSION_PING_WINDOW at a time; each answer is checked and reported, then a
 * summary. -1 with @err when no session is open or offered, pings are
 * already under way, or @count or @size is out of range.
 */
int session_ping(struct session *s, unsigned int count, unsigned int size, uint64_t now, char *err,
		 size_t errlen);

/*
 * Sends a frame of the layer above (@type in LINK_T_USER_*). 0, or -1 with
 * @err: no open session, a payload longer than the peer takes, no room.
 */
int session_send(struct session *s, uint8_t type, const uint8_t *payload, uint16_t len, char *err,
		 size_t errlen);

/* One Ethernet frame of @len bytes read from the link. */
void session_receive(struct session *s, const uint8_t *frame, size_t len, uint64_t now);

/* Keepalives, timeouts, pings waiting for room: at least every time slice. */
void session_tick(struct session *s, uint64_t now);

/* The most a frame's payload may hold in the open session. */
uint16_t session_payload_limit(const struct session *s);

const char *session_state_name(enum session_state state);

#endif
