// SPDX-License-Identifier: MIT
/*
 * The host link's sessions (migrate/session.c), two endpoints joined back to
 * back: frames one sends are queued until the test hands them to the other,
 * after dropping, repeating, reordering or changing them if it likes. Every
 * fault must end the session with a line saying what was wrong on the host
 * that saw it, and the peer must hear why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/session.h"
#include "migrate/wire.h"

#define HZ	    1000000ULL /* the fake clock: microseconds */
#define PAYLOAD_MAX 2000
#define QMAX	    64
#define NOTES	    64

struct frame {
	uint8_t b[WIRE_HDRS + PAYLOAD_MAX];
	size_t len;
};

struct end {
	const char *name;
	uint8_t mac[6];
	struct session s;
	uint8_t txbuf[WIRE_HDRS + PAYLOAD_MAX];
	bool full; /* tx_begin finds no room */
	struct frame out[QMAX];
	unsigned int nout;
	char notes[NOTES][400];
	unsigned int nnotes;
	unsigned int delivered;
	uint8_t delivered_type;
	uint16_t delivered_len;
};

static struct end A, B;
static uint64_t now;

static uint8_t *io_tx_begin(void *ctx, size_t *cap)
{
	struct end *e = ctx;

	if (e->full)
		return NULL;
	*cap = PAYLOAD_MAX;
	return e->txbuf + WIRE_HDRS;
}

static void io_tx_end(void *ctx, uint8_t type, uint32_t id, uint32_t seq, uint16_t len)
{
	struct end *e = ctx;
	struct frame *f;

	assert_true(e->nout < QMAX);
	f = &e->out[e->nout++];
	f->len = wire_seal(e->txbuf, e->mac, type, id, seq, len);
	memcpy(f->b, e->txbuf, f->len);
}

static void io_note(void *ctx, enum session_level level, const char *text)
{
	struct end *e = ctx;
	static const char *const lv[] = { "info", "warn", "error" };

	assert_true(e->nnotes < NOTES);
	snprintf(e->notes[e->nnotes++], sizeof(e->notes[0]), "%s: %s", lv[level], text);
}

static void io_deliver(void *ctx, uint8_t type, const uint8_t *payload, uint16_t len)
{
	struct end *e = ctx;

	(void)payload;
	e->delivered++;
	e->delivered_type = type;
	e->delivered_len = len;
}

static const struct session_io io = { .tx_begin = io_tx_begin,
				      .tx_end = io_tx_end,
				      .note = io_note };

static void setup_end(struct end *e, const char *name, uint8_t last, uint64_t host_id)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	memcpy(e->mac, "\x52\x54\x00\x5b\x00", 5);
	e->mac[5] = last;
	session_init(&e->s, &io, host_id, PAYLOAD_MAX, HZ);
	e->s.io.ctx = e;
}

static int setup(void **state)
{
	(void)state;
	now = 1000 * HZ;
	setup_end(&A, "a", 1, 0xaaaa000000000001ULL);
	setup_end(&B, "b", 2, 0xbbbb000000000002ULL);
	return 0;
}

/* Hands every frame @from has sent to @to, in order; returns how many. */
static unsigned int deliver(struct end *from, struct end *to)
{
	unsigned int n = from->nout;
	static struct frame q[QMAX];

	memcpy(q, from->out, n * sizeof(q[0]));
	from->nout = 0;
	for (unsigned int i = 0; i < n; i++)
		session_receive(&to->s, q[i].b, q[i].len, now);
	return n;
}

/* Both ways until nothing moves. */
static void pump(void)
{
	for (int i = 0; i < 100; i++)
		if (!deliver(&A, &B) && !deliver(&B, &A))
			return;
	fail_msg("the two ends never stopped talking");
}

static bool noted(const struct end *e, const char *text)
{
	for (unsigned int i = 0; i < e->nnotes; i++)
		if (strstr(e->notes[i], text))
			return true;
	return false;
}

static void expect_note(const struct end *e, const char *text)
{
	if (noted(e, text))
		return;
	for (unsigned int i = 0; i < e->nnotes; i++)
		print_message("%s| %s\n", e->name, e->notes[i]);
	fail_msg("host %s never said \"%s\"", e->name, text);
}

static void open_session(void)
{
	char err[200];

	assert_int_equal(session_open(&A.s, 0x1234abcd, now, err, sizeof(err)), 0);
	assert_int_equal(A.s.state, SESSION_OFFERED);
	pump();
	assert_int_equal(A.s.state, SESSION_OPEN);
	assert_int_equal(B.s.state, SESSION_OPEN);
}

/* A's pings of @size bytes, sent and not yet delivered. */
static void ping(unsigned int count, unsigned int size)
{
	char err[200];

	assert_int_equal(session_ping(&A.s, count, size, now, err, sizeof(err)), 0);
}

static void test_open_and_ping(void **state)
{
	(void)state;
	open_session();
	assert_int_equal(A.s.id, 0x1234abcd);
	assert_int_equal(B.s.id, 0x1234abcd);
	assert_int_equal(A.s.peer_host, 0xbbbb000000000002ULL);
	assert_int_equal(B.s.peer_host, 0xaaaa000000000001ULL);
	expect_note(&A, "info: session 1234abcd open with host bbbb000000000002");
	expect_note(&B, "info: session 1234abcd opened by host aaaa000000000001");
	/* Seven pings, four in flight at most: the rest go as answers come. */
	ping(7, 1000);
	assert_int_equal(A.nout, SESSION_PING_WINDOW);
	now += 300;
	pump();
	expect_note(&A, "info: ping 4/7: 1000 bytes back intact in 0.300 ms");
	/* The last three went when the first answers came, and came back at once. */
	expect_note(&A, "info: ping 7/7: 1000 bytes back intact in 0.000 ms");
	expect_note(&A, "info: ping: 7 of 7 answered, round trip min/avg/max");
	assert_int_equal(A.s.stats.opened, 1);
	assert_int_equal(B.s.stats.frames_in, 8); /* the offer and seven pings */
	assert_int_equal(A.s.tx_seq, 8);
	assert_int_equal(B.s.rx_seq, 8);
}

static void test_pings_can_wait_for_the_session(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(session_open(&A.s, 77, now, err, sizeof(err)), 0);
	ping(2, 10);
	assert_int_equal(A.nout, 1); /* the offer only: no pings before the session is open */
	pump();
	expect_note(&A, "ping: 2 of 2 answered");
}

/* @end_here must have ended the session saying @why, and its peer must have heard it. */
static void expect_ended(struct end *here, struct end *there, const char *why)
{
	char line[400];

	pump();
	snprintf(line, sizeof(line), "error: session 1234abcd with host %016lx ended: %s",
		 (unsigned long)there->s.host_id, why);
	expect_note(here, line);
	snprintf(line, sizeof(line), "warn: host %016lx ended session 1234abcd: %s",
		 (unsigned long)here->s.host_id, why);
	expect_note(there, line);
	assert_int_equal(here->s.state, SESSION_IDLE);
	assert_int_equal(there->s.state, SESSION_IDLE);
	assert_int_equal(here->s.stats.ended, 1);
	assert_int_equal(there->s.stats.ended, 1);
}

static void test_a_changed_byte_ends_the_session(void **state)
{
	(void)state;
	open_session();
	ping(1, 100);
	A.out[0].b[A.out[0].len - 1] ^= 0x40;
	expect_ended(&B, &A, "a malformed frame where frame 1 was due: checksum mismatch");
	expect_note(&A, "warn: ping: 0 of 1 answered before the peer ended the session");
	assert_int_equal(B.s.stats.malformed, 1);
}

static void test_a_truncated_frame_ends_the_session(void **state)
{
	(void)state;
	open_session();
	ping(1, 100);
	A.out[0].len -= 30;
	expect_ended(&B, &A,
		     "a malformed frame where frame 1 was due: truncated frame: its header says "
		     "112 payload bytes, 82 arrived");
}

static void test_a_lost_frame_ends_the_session(void **state)
{
	(void)state;
	open_session();
	ping(2, 10);
	A.out[0] = A.out[1];
	A.nout = 1;
	expect_ended(&B, &A,
		     "frame 2 arrived where frame 1 was due (a frame was lost, repeated or "
		     "reordered)");
}

static void test_a_repeated_frame_ends_the_session(void **state)
{
	(void)state;
	open_session();
	ping(1, 10);
	A.out[1] = A.out[0];
	A.nout = 2;
	expect_ended(&B, &A,
		     "frame 1 arrived where frame 2 was due (a frame was lost, repeated or "
		     "reordered)");
}

static void test_reordered_frames_end_the_session(void **state)
{
	struct frame t;

	(void)state;
	open_session();
	ping(2, 10);
	t = A.out[0];
	A.out[0] = A.out[1];
	A.out[1] = t;
	expect_ended(&B, &A,
		     "frame 2 arrived where frame 1 was due (a frame was lost, repeated or "
		     "reordered)");
}

/* B answers with a changed pong, sealed right: a peer that lies, not a line that breaks. */
static void test_a_pong_that_is_not_the_ping_ends_the_session(void **state)
{
	struct frame *f;
	uint8_t kept[WIRE_HDRS + PAYLOAD_MAX];

	(void)state;
	open_session();
	ping(1, 20);
	deliver(&A, &B);
	assert_int_equal(B.nout, 1);
	f = &B.out[0];
	memcpy(kept, f->b, f->len);
	kept[WIRE_HDRS + SESSION_PING_HDR + 5] ^= 1;
	f->len = wire_seal(kept, B.mac, LINK_T_PONG, B.s.id, 1, (uint16_t)(f->len - WIRE_HDRS));
	memcpy(f->b, kept, f->len);
	expect_ended(&A, &B, "pong 1: data byte 5 is 0x");
}

static void test_a_pong_for_no_ping_ends_the_session(void **state)
{
	uint8_t b[WIRE_HDRS + SESSION_PING_HDR];

	(void)state;
	open_session();
	memset(b, 0, sizeof(b));
	wire_put32(b + WIRE_HDRS, 99);
	B.out[0].len = wire_seal(b, B.mac, LINK_T_PONG, B.s.id, B.s.tx_seq++, SESSION_PING_HDR);
	memcpy(B.out[0].b, b, B.out[0].len);
	B.nout = 1;
	expect_ended(&A, &B, "pong 99 answers no ping in flight");
}

static void test_silence_ends_the_session_and_keepalives_prevent_it(void **state)
{
	(void)state;
	open_session();
	/* Twenty seconds with both ends ticking and the frames delivered: still open. */
	for (int i = 0; i < 40; i++) {
		now += HZ / 2;
		session_tick(&A.s, now);
		session_tick(&B.s, now);
		pump();
	}
	assert_int_equal(A.s.state, SESSION_OPEN);
	assert_int_equal(B.s.state, SESSION_OPEN);
	assert_true(A.s.stats.frames_out >= 20);
	/* The link cut: nothing is delivered any more. */
	for (int i = 0; i < 11; i++) {
		now += HZ / 2;
		session_tick(&A.s, now);
		session_tick(&B.s, now);
		A.nout = B.nout = 0;
	}
	expect_note(&A, "ended: nothing from the peer for 5 s (the link is cut, or the peer "
			"stopped)");
	expect_note(&B, "ended: nothing from the peer for 5 s");
	assert_int_equal(A.s.state, SESSION_IDLE);
	assert_int_equal(B.s.state, SESSION_IDLE);
}

static void test_an_unanswered_offer_is_given_up(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(session_open(&A.s, 5, now, err, sizeof(err)), 0);
	A.nout = 0;
	now += SESSION_OFFER_MS * HZ / 1000 - 1;
	session_tick(&A.s, now);
	assert_int_equal(A.s.state, SESSION_OFFERED);
	now += 1;
	session_tick(&A.s, now);
	assert_int_equal(A.s.state, SESSION_IDLE);
	expect_note(&A, "error: no host answered the offer of session 00000005 within 5 s");
}

static void test_a_host_hearing_itself_refuses(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(session_open(&A.s, 9, now, err, sizeof(err)), 0);
	deliver(&A, &A); /* the offer comes back: refused with a CLOSE */
	expect_note(&A, "refused a HELLO of session 00000009: a HELLO from this very host "
			"(aaaa000000000001): the link loops back");
	deliver(&A, &A); /* the refusal comes back: the offer ends */
	expect_note(&A, "error: the offer of session 00000009 was refused: a HELLO from this very "
			"host");
	assert_int_equal(A.s.state, SESSION_IDLE);
}

static void test_both_offer_and_the_larger_id_wins(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(session_open(&A.s, 100, now, err, sizeof(err)), 0);
	assert_int_equal(session_open(&B.s, 200, now, err, sizeof(err)), 0);
	pump();
	assert_int_equal(A.s.state, SESSION_OPEN);
	assert_int_equal(B.s.state, SESSION_OPEN);
	assert_int_equal(A.s.id, 200);
	assert_int_equal(B.s.id, 200);
	expect_note(&A, "both hosts offered a session: 000000c8 taken, 00000064 dropped");
	ping(1, 1);
	pump();
	expect_note(&A, "ping: 1 of 1 answered");
}

static void test_bad_hellos_are_refused_with_a_reason(void **state)
{
	static const struct {
		unsigned int len, offset;
		uint8_t value;
		uint32_t seq;
		const char *why;
	} cases[] = {
		{ 11, 0, 1, 0, "a HELLO of 11 bytes, not 12" },
		{ 12, 0, 3, 0, "a HELLO of kind 3/0 (1 offers, 2 accepts)" },
		{ 12, 1, 1, 0, "a HELLO of kind 1/1" },
		{ 12, 2, 0, 0, "the peer takes 255 bytes a frame, fewer than 256" },
		{ 12, 0, 1, 4, "a HELLO numbered 4, not 0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[WIRE_HDRS + 12];
		uint8_t *p = b + WIRE_HDRS;
		char line[300];

		setup(NULL);
		p[0] = 1;
		p[1] = 0;
		wire_put16(p + 2, 1000);
		wire_put64(p + 4, 0x1111);
		if (cases[i].offset == 2)
			wire_put16(p + 2, 255);
		else
			p[cases[i].offset] = cases[i].value;
		B.out[0].len =
			wire_seal(b, B.mac, LINK_T_HELLO, 42, cases[i].seq, (uint16_t)cases[i].len);
		memcpy(B.out[0].b, b, B.out[0].len);
		B.nout = 1;
		deliver(&B, &A);
		snprintf(line, sizeof(line), "refused a HELLO of session 0000002a: %s",
			 cases[i].why);
		expect_note(&A, line);
		assert_int_equal(A.s.state, SESSION_IDLE);
		/* The refusal goes to session 42, numbered 0, with the reason. */
		assert_int_equal(A.nout, 1);
		assert_memory_equal(A.out[0].b + WIRE_HDRS, cases[i].why, strlen(cases[i].why));
	}
}

static void test_malformed_frames_without_a_session_are_counted_not_flooded(void **state)
{
	uint8_t junk[100];

	(void)state;
	memset(junk, 0x5a, sizeof(junk));
	wire_put16(junk + 12, WIRE_ETHERTYPE);
	for (int i = 0; i < 1000; i++)
		session_receive(&A.s, junk, sizeof(junk), now);
	assert_int_equal(A.s.stats.malformed, 1000);
	assert_int_equal(A.nnotes, 1);
	expect_note(&A, "warn: ignored a malformed frame (no session is open): bad magic 0x5a5a");
	now += HZ;
	session_receive(&A.s, junk, sizeof(junk), now);
	expect_note(&A, "(and 999 such frames not shown)");
	assert_int_equal(A.nout, 0); /* nothing is said to whoever sent them */
}

static void test_the_peers_reason_is_escaped(void **state)
{
	uint8_t b[WIRE_HDRS + 32];
	static const char why[] = "bye\x1b[2J\\\n";

	(void)state;
	open_session();
	memcpy(b + WIRE_HDRS, why, sizeof(why) - 1);
	B.out[0].len = wire_seal(b, B.mac, LINK_T_CLOSE, B.s.id, B.s.tx_seq, sizeof(why) - 1);
	memcpy(B.out[0].b, b, B.out[0].len);
	B.nout = 1;
	deliver(&B, &A);
	expect_note(&A, "ended session 1234abcd: bye\\x1b[2J\\x5c\\x0a");
	assert_int_equal(A.s.state, SESSION_IDLE);
}

static void test_frames_of_the_layer_above(void **state)
{
	uint8_t data[300] = { 1, 2, 3 };
	char err[200];

	(void)state;
	open_session();
	/* Nothing takes them on B: the session ends, saying so. */
	assert_int_equal(session_send(&A.s, LINK_T_USER_FIRST, data, 3, err, sizeof(err)), 0);
	expect_ended(&B, &A, "frame type 0x20: nothing here takes it");
	setup(NULL);
	B.s.io.deliver = io_deliver;
	open_session();
	assert_int_equal(session_send(&A.s, LINK_T_USER_LAST, data, 300, err, sizeof(err)), 0);
	pump();
	assert_int_equal(B.delivered, 1);
	assert_int_equal(B.delivered_type, LINK_T_USER_LAST);
	assert_int_equal(B.delivered_len, 300);
	assert_int_equal(session_send(&A.s, LINK_T_PING, data, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "frame type 0x03 is the link's own");
	assert_int_equal(
		session_send(&A.s, LINK_T_USER_FIRST, data, PAYLOAD_MAX + 1, err, sizeof(err)), -1);
	assert_string_equal(err, "2001 bytes: a frame carries at most 2000");
	A.full = true;
	assert_int_equal(session_send(&A.s, LINK_T_USER_FIRST, data, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "no room on the link's transmit queue");
}

static void test_no_room_to_answer_ends_the_session(void **state)
{
	(void)state;
	open_session();
	ping(1, 10);
	B.full = true;
	deliver(&A, &B);
	assert_int_equal(B.nout, 0);
	/* The CLOSE goes as soon as there is room. */
	B.full = false;
	session_tick(&B.s, now);
	expect_ended(&B, &A,
		     "no room to answer ping 1: the peer sends faster than the link carries");
}

static void test_a_new_offer_replaces_the_open_session(void **state)
{
	char err[200];

	(void)state;
	open_session();
	session_close(&B.s, "going");
	assert_int_equal(B.s.state, SESSION_IDLE);
	B.nout = 0; /* the CLOSE is lost */
	assert_int_equal(session_open(&B.s, 0x55, now, err, sizeof(err)), 0);
	pump();
	expect_note(&A, "ended: host bbbb000000000002 offers a new session, 00000055");
	assert_int_equal(A.s.state, SESSION_OPEN);
	assert_int_equal(A.s.id, 0x55);
	assert_int_equal(B.s.state, SESSION_OPEN);
}

static void test_requests_out_of_range(void **state)
{
	char err[200];

	(void)state;
	assert_int_equal(session_ping(&A.s, 1, 1, now, err, sizeof(err)), -1);
	assert_string_equal(err, "no session is open or offered");
	open_session();
	assert_int_equal(session_ping(&A.s, 0, 1, now, err, sizeof(err)), -1);
	assert_string_equal(err, "1 to 1000 pings of 0 to 1988 data bytes");
	assert_int_equal(session_ping(&A.s, 1, PAYLOAD_MAX, now, err, sizeof(err)), -1);
	assert_int_equal(session_open(&A.s, 8, now, err, sizeof(err)), -1);
	assert_string_equal(err, "session 1234abcd is open already");
	ping(2, 1);
	assert_int_equal(session_ping(&A.s, 1, 1, now, err, sizeof(err)), -1);
	assert_string_equal(err, "pings are under way (0 of 2 answered)");
}

static void test_stray_frames_are_ignored(void **state)
{
	(void)state;
	open_session();
	session_close(&A.s, "done");
	A.nout = 0; /* the CLOSE is lost */
	/* B had not heard: its keepalive reaches A, which ignores it quietly. */
	now += 2 * HZ;
	session_tick(&B.s, now);
	assert_int_equal(deliver(&B, &A), 1);
	assert_int_equal(A.s.stats.stray, 1);
	assert_int_equal(A.nout, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_and_ping, setup),
		cmocka_unit_test_setup(test_pings_can_wait_for_the_session, setup),
		cmocka_unit_test_setup(test_a_changed_byte_ends_the_session, setup),
		cmocka_unit_test_setup(test_a_truncated_frame_ends_the_session, setup),
		cmocka_unit_test_setup(test_a_lost_frame_ends_the_session, setup),
		cmocka_unit_test_setup(test_a_repeated_frame_ends_the_session, setup),
		cmocka_unit_test_setup(test_reordered_frames_end_the_session, setup),
		cmocka_unit_test_setup(test_a_pong_that_is_not_the_ping_ends_the_session, setup),
		cmocka_unit_test_setup(test_a_pong_for_no_ping_ends_the_session, setup),
		cmocka_unit_test_setup(test_silence_ends_the_session_and_keepalives_prevent_it,
				       setup),
		cmocka_unit_test_setup(test_an_unanswered_offer_is_given_up, setup),
		cmocka_unit_test_setup(test_a_host_hearing_itself_refuses, setup),
		cmocka_unit_test_setup(test_both_offer_and_the_larger_id_wins, setup),
		cmocka_unit_test_setup(test_bad_hellos_are_refused_with_a_reason, setup),
		cmocka_unit_test_setup(
			test_malformed_frames_without_a_session_are_counted_not_flooded, setup),
		cmocka_unit_test_setup(test_the_peers_reason_is_escaped, setup),
		cmocka_unit_test_setup(test_frames_of_the_layer_above, setup),
		cmocka_unit_test_setup(test_no_room_to_answer_ends_the_session, setup),
		cmocka_unit_test_setup(test_a_new_offer_replaces_the_open_session, setup),
		cmocka_unit_test_setup(test_requests_out_of_range, setup),
		cmocka_unit_test_setup(test_stray_frames_are_ignored, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
