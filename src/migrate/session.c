// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <string.h>

#include "lib/format.h"
#include "migrate/session.h"
#include "migrate/wire.h"

/* HELLO's payload: kind, 0, the most the sender receives in a frame, its host id. */
#define HELLO_LEN    12
#define HELLO_OFFER  1
#define HELLO_ACCEPT 2
#define NOTE_LEN     320

static uint64_t ms_ticks(const struct session *s, uint64_t ms)
{
	return s->hz * ms / 1000;
}

/* Microseconds in @ticks, for lines that say a time. */
static uint64_t ticks_us(const struct session *s, uint64_t ticks)
{
	return s->hz ? ticks * 1000000 / s->hz : 0;
}

static void note(struct session *s, enum session_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct session *s, enum session_level level, const char *fmt, ...)
{
	char text[NOTE_LEN];
	va_list ap;

	va_start(ap, fmt);
	format_v(text, sizeof(text), fmt, ap);
	va_end(ap);
	s->io.note(s->io.ctx, level, text);
}

/*
 * A line about a frame outside any session: those come from whoever is on the
 * link, as fast as it likes, so one a second is said and the rest counted.
 */
static void quiet_note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void quiet_note(struct session *s, const char *fmt, ...)
{
	char text[NOTE_LEN];
	va_list ap;
	size_t n;

	if (s->now < s->quiet_until) {
		s->quieted++;
		return;
	}
	va_start(ap, fmt);
	n = format_clamped_v(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (s->quieted)
		format(text + n, sizeof(text) - n, " (and %u such frames not shown)", s->quieted);
	s->io.note(s->io.ctx, SESSION_WARN, text);
	s->quiet_until = s->now + s->hz;
	s->quieted = 0;
}

/* Room for one payload, or NULL; sent by commit(). */
static uint8_t *tx_begin(struct session *s, size_t *cap)
{
	return s->io.tx_begin(s->io.ctx, cap);
}

static void emit(struct session *s, uint8_t type, uint32_t id, uint32_t seq, uint16_t len)
{
	s->io.tx_end(s->io.ctx, type, id, seq, len);
	s->stats.frames_out++;
	s->stats.bytes_out += WIRE_HDRS + (uint64_t)len;
	s->last_tx = s->now;
}

bool session_bulk_room(struct session *s)
{
	return !s->io.tx_room || s->io.tx_room(s->io.ctx) > SESSION_TX_RESERVE;
}

/* Sends what tx_begin() gave room for as the session's next frame. */
static void commit(struct session *s, uint8_t type, uint16_t len)
{
	emit(s, type, s->id, s->tx_seq, len);
	s->tx_seq++;
}

/* Sends @len bytes of @payload as the session's next frame; false when there is no room. */
static bool send_frame(struct session *s, uint8_t type, const void *payload, uint16_t len)
{
	size_t cap;
	uint8_t *b = tx_begin(s, &cap);

	if (!b || len > cap)
		return false;
	if (len)
		memcpy(b, payload, len);
	commit(s, type, len);
	return true;
}

/*
 * Refuses an offer of session @id, whatever this host's own state: a CLOSE
 * numbered 0 in that session, best effort.
 */
static void refuse(struct session *s, uint32_t id, const char *why)
{
	size_t cap, len = strlen(why);
	uint8_t *b = tx_begin(s, &cap);

	if (!b)
		return;
	if (len > cap)
		len = cap;
	memcpy(b, why, len);
	emit(s, LINK_T_CLOSE, id, 0, (uint16_t)len);
}

static uint8_t ping_byte(uint32_t id, unsigned int i)
{
	return (uint8_t)(id * 37U + i + (i >> 8) * 13U);
}

/* The operator's pings end, answered or not: the summary. */
static void pings_done(struct session *s, const char *unless)
{
	struct session_pings *p = &s->ping;

	if (!p->count)
		return;
	if (p->answered < p->count) {
		note(s, SESSION_WARN, "ping: %u of %u answered before %s", p->answered, p->count,
		     unless);
	} else {
		uint64_t min = ticks_us(s, p->rtt_min), max = ticks_us(s, p->rtt_max);
		uint64_t avg = ticks_us(s, p->rtt_sum / p->count);

		note(s, SESSION_INFO,
		     "ping: %u of %u answered, round trip min/avg/max "
		     "%lu.%03lu/%lu.%03lu/%lu.%03lu "
		     "ms",
		     p->answered, p->count, (unsigned long)(min / 1000),
		     (unsigned long)(min % 1000), (unsigned long)(avg / 1000),
		     (unsigned long)(avg % 1000), (unsigned long)(max / 1000),
		     (unsigned long)(max % 1000));
	}
	memset(p, 0, sizeof(*p)); /* none in flight any more */
}

/* Sends the operator's pings that may go now: in an open session, within the window. */
static void send_pings(struct session *s)
{
	struct session_pings *p = &s->ping;

	while (s->state == SESSION_OPEN && p->sent < p->count &&
	       p->sent - p->answered < SESSION_PING_WINDOW) {
		uint16_t len = (uint16_t)(SESSION_PING_HDR + p->size);
		uint32_t id = p->first_id + p->sent;
		size_t cap;
		uint8_t *b;

		if (len > session_payload_limit(s)) {
			pings_done(s, "the peer said it takes fewer bytes in a frame");
			return;
		}
		b = tx_begin(s, &cap);
		if (!b || len > cap)
			return; /* at the next tick */
		wire_put32(b, id);
		wire_put64(b + 4, s->now);
		for (unsigned int i = 0; i < p->size; i++)
			b[SESSION_PING_HDR + i] = ping_byte(id, i);
		p->sent_at[id % SESSION_PING_WINDOW] = s->now;
		commit(s, LINK_T_PING, len);
		p->sent++;
	}
}

static void hello_payload(const struct session *s, uint8_t *b, uint8_t kind)
{
	b[0] = kind;
	b[1] = 0;
	wire_put16(b + 2, s->max_payload);
	wire_put64(b + 4, s->host_id);
}

/* Leaves the session (or the offer) behind, whatever state it was in. */
static void to_idle(struct session *s, const char *why, const char *pings_unless)
{
	format(s->last_end, sizeof(s->last_end), "%s", why);
	pings_done(s, pings_unless);
	if (s->state == SESSION_OPEN)
		s->stats.ended++;
	s->state = SESSION_IDLE;
}

/*
 * Ends the open session at @level, saying why on this host and, in a CLOSE,
 * to the peer (which may not hear it: the link may be what failed).
 */
static void end_session(struct session *s, enum session_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void end_session(struct session *s, enum session_level level, const char *fmt, ...)
{
	char why[SESSION_REASON_MAX + 1];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clamped_v(why, sizeof(why), fmt, ap);
	va_end(ap);
	note(s, level, "session %08x with host %016lx ended: %s", s->id,
	     (unsigned long)s->peer_host, why);
	s->close_owed = !send_frame(s, LINK_T_CLOSE, why, (uint16_t)n);
	s->close_id = s->id;
	s->close_seq = s->tx_seq;
	to_idle(s, why, "the session ended");
}

/* The CLOSE that found no room when the session ended, once there is room. */
static void send_owed_close(struct session *s)
{
	size_t cap, len = strlen(s->last_end);
	uint8_t *b;

	if (!s->close_owed)
		return;
	b = tx_begin(s, &cap);
	if (!b || len > cap)
		return;
	memcpy(b, s->last_end, len);
	emit(s, LINK_T_CLOSE, s->close_id, s->close_seq, (uint16_t)len);
	s->close_owed = false;
}

void session_init(struct session *s, const struct session_io *io, uint64_t host_id,
		  uint16_t max_payload, uint64_t hz)
{
	memset(s, 0, sizeof(*s));
	s->io = *io;
	s->host_id = host_id;
	s->max_payload = max_payload;
	s->hz = hz;
	s->next_ping_id = 1;
}

uint16_t session_payload_limit(const struct session *s)
{
	if (s->state == SESSION_OPEN && s->peer_max_payload < s->max_payload)
		return s->peer_max_payload;
	return s->max_payload;
}

const char *session_state_name(enum session_state state)
{
	switch (state) {
	case SESSION_IDLE:
		return "idle";
	case SESSION_OFFERED:
		return "offered";
	case SESSION_OPEN:
		return "open";
	default:
		return "?";
	}
}

int session_open(struct session *s, uint32_t id, uint64_t now, char *err, size_t errlen)
{
	uint8_t greeting[HELLO_LEN];

	s->now = now;
	if (s->state != SESSION_IDLE) {
		format(err, errlen, "session %08x is %s already", s->id,
		       session_state_name(s->state));
		return -1;
	}
	if (!id) {
		format(err, errlen, "session id 0 is not one");
		return -1;
	}
	s->id = id;
	s->tx_seq = 0;
	s->close_owed = false; /* the new HELLO ends the old session at the peer too */
	hello_payload(s, greeting, HELLO_OFFER);
	if (!send_frame(s, LINK_T_HELLO, greeting, sizeof(greeting))) {
		format(err, errlen, "no room on the link's transmit queue");
		return -1;
	}
	s->state = SESSION_OFFERED;
	s->since = now;
	note(s, SESSION_INFO, "offered session %08x", id);
	return 0;
}

void session_close(struct session *s, const char *why)
{
	if (s->state == SESSION_OPEN) {
		end_session(s, SESSION_INFO, "%s", why);
	} else if (s->state == SESSION_OFFERED) {
		note(s, SESSION_INFO, "offer of session %08x withdrawn: %s", s->id, why);
		to_idle(s, why, "the offer was withdrawn");
	}
}

int session_ping(struct session *s, unsigned int count, unsigned int size, uint64_t now, char *err,
		 size_t errlen)
{
	struct session_pings *p = &s->ping;
	unsigned int most = session_payload_limit(s) - SESSION_PING_HDR;

	s->now = now;
	if (s->state == SESSION_IDLE) {
		format(err, errlen, "no session is open or offered");
		return -1;
	}
	if (p->count) {
		format(err, errlen, "pings are under way (%u of %u answered)", p->answered,
		       p->count);
		return -1;
	}
	if (!count || count > SESSION_PING_MAX || size > most) {
		format(err, errlen, "1 to %u pings of 0 to %u data bytes", SESSION_PING_MAX, most);
		return -1;
	}
	if (s->next_ping_id > UINT32_MAX - count)
		s->next_ping_id = 1;
	*p = (struct session_pings){ .count = count, .size = size, .first_id = s->next_ping_id };
	s->next_ping_id += count;
	send_pings(s);
	return 0;
}

int session_send(struct session *s, uint8_t type, const uint8_t *payload, uint16_t len, char *err,
		 size_t errlen)
{
	if (s->state != SESSION_OPEN) {
		format(err, errlen, "no session is open");
		return -1;
	}
	if (type < LINK_T_USER_FIRST || type > LINK_T_USER_LAST) {
		format(err, errlen, "frame type 0x%02x is the link's own", type);
		return -1;
	}
	if (len > session_payload_limit(s)) {
		format(err, errlen, "%u bytes: a frame carries at most %u", len,
		       session_payload_limit(s));
		return -1;
	}
	if (!send_frame(s, type, payload, len)) {
		format(err, errlen, "no room on the link's transmit queue");
		return -1;
	}
	return 0;
}

/* A ping's answer; false with @why when it is not the answer due. */
static bool take_pong(struct session *s, const struct wire_frame *f, char *why, size_t n)
{
	struct session_pings *p = &s->ping;
	uint32_t id = wire_get32(f->payload);
	uint64_t rtt;

	if (id == 0) {
		if (f->len == SESSION_PING_HDR)
			return true;
		format(why, n, "a keepalive's answer of %u bytes, not %u", f->len,
		       SESSION_PING_HDR);
		return false;
	}
	if (!p->count || p->answered >= p->sent || id != p->first_id + p->answered) {
		format(why, n, "pong %u answers no ping in flight", id);
		return false;
	}
	if (f->len != SESSION_PING_HDR + p->size) {
		format(why, n, "pong %u has %u bytes, its ping had %u", id, f->len,
		       SESSION_PING_HDR + p->size);
		return false;
	}
	if (wire_get64(f->payload + 4) != p->sent_at[id % SESSION_PING_WINDOW]) {
		format(why, n, "pong %u does not carry its ping's send time", id);
		return false;
	}
	for (unsigned int i = 0; i < p->size; i++) {
		uint8_t want = ping_byte(id, i), got = f->payload[SESSION_PING_HDR + i];

		if (got != want) {
			format(why, n, "pong %u: data byte %u is 0x%02x, the ping's was 0x%02x", id,
			       i, got, want);
			return false;
		}
	}
	rtt = s->now - p->sent_at[id % SESSION_PING_WINDOW];
	if (!p->answered || rtt < p->rtt_min)
		p->rtt_min = rtt;
	if (rtt > p->rtt_max)
		p->rtt_max = rtt;
	p->rtt_sum += rtt;
	p->answered++;
	note(s, SESSION_INFO, "ping %u/%u: %u bytes back intact in %lu.%03lu ms", p->answered,
	     p->count, p->size, (unsigned long)(ticks_us(s, rtt) / 1000),
	     (unsigned long)(ticks_us(s, rtt) % 1000));
	if (p->answered == p->count)
		pings_done(s, "");
	else
		send_pings(s);
	return true;
}

/* The peer's ping, sent back as it came; false with @why when it cannot be. */
static bool answer_ping(struct session *s, const struct wire_frame *f, char *why, size_t n)
{
	if (f->len < SESSION_PING_HDR) {
		format(why, n, "a ping of %u bytes, shorter than its %u-byte header", f->len,
		       SESSION_PING_HDR);
		return false;
	}
	if (!send_frame(s, LINK_T_PONG, f->payload, f->len)) {
		format(why, n,
		       "no room to answer ping %u: the peer sends faster than the link carries",
		       wire_get32(f->payload));
		return false;
	}
	return true;
}

static void peer_closed(struct session *s, const struct wire_frame *f)
{
	char text[4 * SESSION_REASON_MAX + 1];
	size_t len = f->len > SESSION_REASON_MAX ? SESSION_REASON_MAX : f->len;

	format_escaped(text, sizeof(text), (const char *)f->payload, len);
	note(s, SESSION_WARN, "host %016lx ended session %08x: %s%s", (unsigned long)s->peer_host,
	     s->id, text, f->len > len ? " (cut: an overlong reason)" : "");
	to_idle(s, "ended by the peer", "the peer ended the session");
}

/* A frame of the open session. */
static void in_session(struct session *s, const struct wire_frame *f)
{
	char why[160];

	if (f->seq != s->rx_seq) {
		end_session(s, SESSION_ERROR,
			    "frame %u arrived where frame %u was due (a frame was lost, repeated "
			    "or reordered)",
			    f->seq, s->rx_seq);
		return;
	}
	s->rx_seq++;
	s->last_rx = s->now;
	switch (f->type) {
	case LINK_T_CLOSE:
		peer_closed(s, f);
		return;
	case LINK_T_PING:
		if (!answer_ping(s, f, why, sizeof(why)))
			end_session(s, SESSION_ERROR, "%s", why);
		return;
	case LINK_T_PONG:
		if (f->len < SESSION_PING_HDR)
			end_session(s, SESSION_ERROR, "a pong of %u bytes, shorter than a ping",
				    f->len);
		else if (!take_pong(s, f, why, sizeof(why)))
			end_session(s, SESSION_ERROR, "%s", why);
		return;
	case LINK_T_HELLO:
		end_session(s, SESSION_ERROR, "a HELLO inside the open session");
		return;
	default:
		if (s->io.deliver)
			s->io.deliver(s->io.ctx, f->type, f->payload, f->len);
		else
			end_session(s, SESSION_ERROR, "frame type 0x%02x: nothing here takes it",
				    f->type);
		return;
	}
}

/* The payload of a HELLO, checked: 0, or -1 with @why. */
static int read_hello(const struct session *s, const struct wire_frame *f, uint8_t *kind,
		      uint16_t *max, uint64_t *host, char *why, size_t n)
{
	if (f->len != HELLO_LEN) {
		format(why, n, "a HELLO of %u bytes, not %u", f->len, HELLO_LEN);
		return -1;
	}
	*kind = f->payload[0];
	*max = wire_get16(f->payload + 2);
	*host = wire_get64(f->payload + 4);
	if ((*kind != HELLO_OFFER && *kind != HELLO_ACCEPT) || f->payload[1]) {
		format(why, n, "a HELLO of kind %u/%u (1 offers, 2 accepts)", *kind, f->payload[1]);
		return -1;
	}
	if (f->seq) {
		format(why, n, "a HELLO numbered %u, not 0", f->seq);
		return -1;
	}
	if (*max < SESSION_MIN_PAYLOAD) {
		format(why, n, "the peer takes %u bytes a frame, fewer than %u", *max,
		       SESSION_MIN_PAYLOAD);
		return -1;
	}
	if (*host == s->host_id) {
		format(why, n, "a HELLO from this very host (%016lx): the link loops back",
		       (unsigned long)*host);
		return -1;
	}
	return 0;
}

/* Takes the peer's offer of session f->session. */
static void accept_offer(struct session *s, const struct wire_frame *f, uint64_t host, uint16_t max)
{
	uint8_t greeting[HELLO_LEN];

	s->id = f->session;
	s->tx_seq = 0;
	s->rx_seq = 1;
	s->close_owed = false; /* the peer has left the old session */
	s->peer_host = host;
	s->peer_max_payload = max;
	hello_payload(s, greeting, HELLO_ACCEPT);
	if (!send_frame(s, LINK_T_HELLO, greeting, sizeof(greeting))) {
		note(s, SESSION_WARN, "no room to accept session %08x from host %016lx", s->id,
		     (unsigned long)host);
		to_idle(s, "no room to accept it", "the offer could not be answered");
		return;
	}
	s->state = SESSION_OPEN;
	s->since = s->last_rx = s->now;
	s->stats.opened++;
	note(s, SESSION_INFO, "session %08x opened by host %016lx (frames of up to %u bytes)",
	     s->id, (unsigned long)host, session_payload_limit(s));
	send_pings(s);
}

/* Our offer was taken. */
static void offer_accepted(struct session *s, uint64_t host, uint16_t max)
{
	s->state = SESSION_OPEN;
	s->rx_seq = 1;
	s->peer_host = host;
	s->peer_max_payload = max;
	s->since = s->last_rx = s->now;
	s->stats.opened++;
	note(s, SESSION_INFO, "session %08x open with host %016lx (frames of up to %u bytes)",
	     s->id, (unsigned long)host, session_payload_limit(s));
	send_pings(s);
}

/*
 * A HELLO of another session than the open one. A bad one is refused with a
 * CLOSE in its session, so that whoever offered it hears why.
 */
static void take_hello(struct session *s, const struct wire_frame *f)
{
	uint64_t host = 0;
	uint16_t max = 0;
	uint8_t kind = 0;
	char why[160];

	if (read_hello(s, f, &kind, &max, &host, why, sizeof(why))) {
		quiet_note(s, "refused a HELLO of session %08x: %s", f->session, why);
		refuse(s, f->session, why);
		return;
	}
	if (kind == HELLO_ACCEPT) {
		if (s->state == SESSION_OFFERED && f->session == s->id)
			offer_accepted(s, host, max);
		else
			s->stats.stray++;
		return;
	}
	if (s->state == SESSION_OPEN)
		end_session(s, SESSION_WARN, "host %016lx offers a new session, %08x",
			    (unsigned long)host, f->session);
	else if (s->state == SESSION_OFFERED && f->session <= s->id)
		return; /* both offered: the larger id is taken, the peer will take ours */
	else if (s->state == SESSION_OFFERED)
		note(s, SESSION_INFO, "both hosts offered a session: %08x taken, %08x dropped",
		     f->session, s->id);
	accept_offer(s, f, host, max);
}

/* A refusal of our offer: a CLOSE numbered 0 in the offered session. */
static void offer_refused(struct session *s, const struct wire_frame *f)
{
	char text[4 * SESSION_REASON_MAX + 1];
	size_t len = f->len > SESSION_REASON_MAX ? SESSION_REASON_MAX : f->len;

	format_escaped(text, sizeof(text), (const char *)f->payload, len);
	note(s, SESSION_ERROR, "the offer of session %08x was refused: %s", s->id, text);
	to_idle(s, "the offer was refused", "the offer was refused");
}

static void malformed(struct session *s, const char *err)
{
	s->stats.malformed++;
	if (s->state == SESSION_OPEN) {
		end_session(s, SESSION_ERROR, "a malformed frame where frame %u was due: %s",
			    s->rx_seq, err);
	} else if (s->state == SESSION_OFFERED) {
		note(s, SESSION_ERROR, "offer of session %08x given up: a malformed frame: %s",
		     s->id, err);
		to_idle(s, "a malformed frame", "the offer was given up");
	} else {
		quiet_note(s, "ignored a malformed frame (no session is open): %s", err);
	}
}

void session_receive(struct session *s, const uint8_t *frame, size_t len, uint64_t now)
{
	struct wire_frame f;
	char err[160];
	enum wire_verdict v = wire_parse(frame, len, s->max_payload, &f, err, sizeof(err));

	s->now = now;
	s->stats.frames_in++;
	s->stats.bytes_in += len;
	if (v == WIRE_FOREIGN) {
		s->stats.foreign++;
		return;
	}
	if (v != WIRE_OK) {
		malformed(s, err);
		return;
	}
	if (s->state == SESSION_OPEN && f.session == s->id) {
		in_session(s, &f);
	} else if (f.type == LINK_T_HELLO) {
		take_hello(s, &f);
	} else if (s->state == SESSION_OFFERED && f.session == s->id && f.type == LINK_T_CLOSE &&
		   f.seq == 0) {
		offer_refused(s, &f);
	} else {
		/* Frames of a session that ended here may still come: the peer had not heard. */
		s->stats.stray++;
		if (!(f.session == s->id && s->state == SESSION_IDLE))
			quiet_note(s,
				   "ignored a frame of type 0x%02x of session %08x, which is not "
				   "open here",
				   f.type, f.session);
	}
}

void session_tick(struct session *s, uint64_t now)
{
	s->now = now;
	send_owed_close(s);
	if (s->state == SESSION_OFFERED && now - s->since >= ms_ticks(s, SESSION_OFFER_MS)) {
		note(s, SESSION_ERROR, "no host answered the offer of session %08x within %u s",
		     s->id, SESSION_OFFER_MS / 1000);
		to_idle(s, "the offer was not answered", "the offer was not answered");
		return;
	}
	if (s->state != SESSION_OPEN)
		return;
	if (now - s->last_rx >= ms_ticks(s, SESSION_SILENCE_MS)) {
		end_session(s, SESSION_ERROR,
			    "nothing from the peer for %u s (the link is cut, or the peer stopped)",
			    SESSION_SILENCE_MS / 1000);
		return;
	}
	if (now - s->last_tx >= ms_ticks(s, SESSION_KEEPALIVE_MS)) {
		uint8_t keepalive[SESSION_PING_HDR];

		wire_put32(keepalive, 0);
		wire_put64(keepalive + 4, now);
		send_frame(s, LINK_T_PING, keepalive, sizeof(keepalive));
	}
	send_pings(s);
}
