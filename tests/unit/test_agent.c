// SPDX-License-Identifier: MIT
/*
 * The agents' handshake (enclave/agent.c): a source and a destination agent in
 * one process, joined by a fake link that is the attacker (it drops, alters,
 * duplicates, reorders, replaces and replays frames, and cuts the link at any
 * step). Each attack has its exact outcome: which side ends, how (refused or
 * failed), with which reason, and that the destination created no enclave
 * shell (nothing allocated) unless the whole handshake passed; secrets wiped.
 * Known answers: RFC 7748's X25519 vectors through BearSSL as the agents use it.
 */
#define _GNU_SOURCE /* memmem */
#include <bearssl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enclave/agent.h"
#include "enclave_fixture.h"

#define MAX_FRAMES 32
#define FRAME_MAX  (AGENT_PLAIN_MAX + AGENT_RECORD_OVERHEAD)

struct frame {
	uint8_t type;
	size_t len;
	uint8_t data[FRAME_MAX];
};

/* One host: its agent, its random generator, what it logged, what reached it. */
struct host {
	struct agent agent;
	br_hmac_drbg_context rng;
	struct attest_key key;
	struct platform_claims claims;
	struct host *peer;
	unsigned int shells, shells_dropped;
	char log[8][AGENT_WHY_MAX + 100];
	unsigned int nlog;
	/* Frames it sent, in order (the attacker's recording) and those not yet delivered. */
	struct frame sent[MAX_FRAMES];
	unsigned int nsent, delivered;
	uint8_t data_in[256];
	size_t data_len;
	unsigned int data_records;
	/* Called once this host's frame @index was sent (a hook for a lying destination). */
	void (*after_send)(struct host *h, unsigned int index);
};

static struct host src, dst;
static struct attest_key owner, attacker;
static uint8_t policy[POLICY_MAX_LEN];
static size_t policy_len;

static void key(struct attest_key *k, const char *hex)
{
	unsigned char sk[ATTEST_SCALAR_LEN];

	assert_int_equal(attest_scalar_from_hex(hex, sk), ATTEST_KEY_OK);
	assert_int_equal(attest_key_from_scalar(k, sk), 0);
}

static int io_send(void *ctx, uint8_t type, const uint8_t *p, size_t len)
{
	struct host *h = ctx;
	struct frame *f;

	assert_true(h->nsent < MAX_FRAMES);
	assert_true(len <= FRAME_MAX);
	f = &h->sent[h->nsent++];
	f->type = type;
	f->len = len;
	memcpy(f->data, p, len);
	if (h->after_send)
		h->after_send(h, h->nsent - 1);
	return 0;
}

static void io_random(void *ctx, void *buf, size_t len)
{
	struct host *h = ctx;

	h->rng.vtable->generate(&h->rng.vtable, buf, len);
}

static int io_create_shell(void *ctx, const struct migration_policy *pol, char *why, size_t len)
{
	struct host *h = ctx;

	(void)why;
	(void)len;
	assert_true(pol->migratable);
	h->shells++;
	return 0;
}

static void io_drop_shell(void *ctx)
{
	struct host *h = ctx;

	h->shells_dropped++;
}

static void io_note(void *ctx, enum agent_level level, const char *text)
{
	struct host *h = ctx;

	(void)level;
	if (h->nlog < 8)
		snprintf(h->log[h->nlog++], sizeof(h->log[0]), "%s", text);
}

static void io_data(void *ctx, const uint8_t *p, size_t len)
{
	struct host *h = ctx;

	assert_true(len <= sizeof(h->data_in));
	memcpy(h->data_in, p, len);
	h->data_len = len;
	h->data_records++;
}

static const struct agent_io io_template = {
	.send = io_send,
	.random = io_random,
	.create_shell = io_create_shell,
	.drop_shell = io_drop_shell,
	.note = io_note,
	.data = io_data,
};

/* A host with attestation key @hex, claims as the fixture's (a Cortex-A72 in class fleet-b). */
static void host_init(struct host *h, enum agent_role role, const char *hex, const char *seed)
{
	struct agent_io io = io_template;

	memset(h, 0, sizeof(*h));
	key(&h->key, hex);
	fixture_claims(&h->claims, h->key.id);
	br_hmac_drbg_init(&h->rng, &br_sha256_vtable, seed, strlen(seed));
	io.ctx = h;
	agent_init(&h->agent, role, &io, &h->key, &h->claims);
}

/* The fixture's policy, accepting host A (the destination, d = 3) and class fleet-a. */
static void make_policy(void (*change)(struct migration_policy *p))
{
	struct migration_policy p;
	struct attest_key a;

	key(&a, FIXTURE_HOST_A_KEY);
	fixture_policy(&p, owner.pub, a.id);
	/* The source (d = 4) is accepted by its class. */
	strcpy(p.classes[0], "fleet-src");
	if (change)
		change(&p);
	policy_len = policy_encode(&p, POLICY_ALL_FIELDS, owner.sk, policy, sizeof(policy));
	assert_true(policy_len);
}

/* Source on host B (d = 4, class fleet-src), destination on host A (d = 3). */
static void setup_pair(const char *seed)
{
	char s[64];

	snprintf(s, sizeof(s), "source %s", seed);
	host_init(&src, AGENT_SOURCE, FIXTURE_HOST_B_KEY, s);
	strcpy(src.claims.host_class, "fleet-src");
	src.agent.claims = src.claims;
	snprintf(s, sizeof(s), "destination %s", seed);
	host_init(&dst, AGENT_DESTINATION, FIXTURE_HOST_A_KEY, s);
	src.peer = &dst;
	dst.peer = &src;
}

static int setup(void **state)
{
	(void)state;
	key(&owner, FIXTURE_OWNER_KEY);
	key(&attacker, FIXTURE_OTHER_KEY);
	make_policy(NULL);
	setup_pair("1");
	return 0;
}

/*
 * What the attacker does with the frame @f (the @index-th @from sent): returns
 * how many copies to deliver (0: dropped). It may change the frame.
 */
typedef unsigned int (*attack_fn)(const struct host *from, unsigned int index, struct frame *f);

/* Delivers what each side sent, in turns, through @attack, until nothing moves. */
static void run(attack_fn attack)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (struct host *h = &src; h; h = h == &src ? &dst : NULL) {
			while (h->delivered < h->nsent) {
				unsigned int i = h->delivered++, copies = 1;
				struct frame f = h->sent[i];

				if (attack)
					copies = attack(h, i, &f);
				while (copies--)
					agent_receive(&h->peer->agent, f.type, f.data, f.len);
				moved = true;
			}
		}
	}
}

static void expect_end(struct host *h, enum agent_state state, const char *why)
{
	if (h->agent.state != state)
		fail_msg("%s is %s (%s); expected %s", h == &src ? "the source" : "the destination",
			 agent_state_name(h->agent.state), h->agent.why, agent_state_name(state));
	if (why && strcmp(h->agent.why, why))
		fail_msg("%s: \"%s\"\n expected \"%s\"", h == &src ? "source" : "destination",
			 h->agent.why, why);
}

static void expect_wiped(const struct host *h)
{
	const struct agent *a = &h->agent;
	uint8_t zero[sizeof(a->tx)] = { 0 };

	if (!agent_done(a))
		return; /* still waiting: a cut or a timeout ends it (test_link_cut_at_every_step)
			 */
	assert_true(!memcmp(a->eph_sk, zero, sizeof(a->eph_sk)));
	assert_true(!memcmp(a->shared, zero, sizeof(a->shared)));
	if (a->state != AGENT_ESTABLISHED) {
		assert_memory_equal(&a->tx, zero, sizeof(a->tx));
		assert_memory_equal(&a->rx, zero, sizeof(a->rx));
		assert_memory_equal(a->abort_key, zero, sizeof(a->abort_key));
	}
}

/* No shell lives on the destination (none made, or every one dropped). */
static void expect_no_shell(void)
{
	assert_int_equal(dst.shells, dst.shells_dropped);
}

static void start(void)
{
	assert_int_equal(agent_start(&src.agent, policy, policy_len), 0);
}

/* RFC 7748, 5.2 and 6.1: X25519 as BearSSL's c25519_m31 computes it for the agents. */
static void test_x25519_known_answers(void **state)
{
	static const char *const vec[][3] = {
		{ "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
		{ "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		  "09" /* base */,
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" },
	};
	static const char shared_hex[] =
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
	static const char bob_pub_hex[] =
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
	unsigned char k[32], u[32], want[32], out[32];

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int j = 0; j < 32; j++)
			sscanf(vec[i][0] + 2 * j, "%2hhx", &k[j]);
		memset(u, 0, sizeof(u));
		for (unsigned int j = 0; 2 * j < strlen(vec[i][1]); j++)
			sscanf(vec[i][1] + 2 * j, "%2hhx", &u[j]);
		for (unsigned int j = 0; j < 32; j++)
			sscanf(vec[i][2] + 2 * j, "%2hhx", &want[j]);
		memcpy(out, u, 32);
		assert_int_equal(br_ec_c25519_m31.mul(out, 32, k, 32, BR_EC_curve25519), 1);
		assert_memory_equal(out, want, 32);
	}
	/* Alice's key times Bob's public key: the shared secret of 6.1. */
	for (unsigned int j = 0; j < 32; j++) {
		sscanf(vec[1][0] + 2 * j, "%2hhx", &k[j]);
		sscanf(bob_pub_hex + 2 * j, "%2hhx", &out[j]);
		sscanf(shared_hex + 2 * j, "%2hhx", &want[j]);
	}
	assert_int_equal(br_ec_c25519_m31.mul(out, 32, k, 32, BR_EC_curve25519), 1);
	assert_memory_equal(out, want, 32);
}

static void test_handshake_and_channel(void **state)
{
	static const uint8_t page[] = "page 7 of the enclave";
	uint8_t d1[32], d2[32];

	(void)state;
	start();
	run(NULL);
	expect_end(&src, AGENT_ESTABLISHED, "");
	expect_end(&dst, AGENT_ESTABLISHED, "");
	assert_int_equal(dst.shells, 1);
	assert_int_equal(dst.shells_dropped, 0);
	/* HELLO, POLICY, ATTEST, FINISHED one way; HELLO, POLICY_RESULT, ATTEST, READY back. */
	assert_int_equal(src.nsent, 4);
	assert_int_equal(dst.nsent, 4);
	assert_int_equal(src.sent[0].type, AGENT_T_HELLO);
	assert_int_equal(src.sent[0].len, AGENT_HELLO_LEN);
	assert_int_equal(src.sent[1].type, AGENT_T_RECORD);
	/* The policy is never in the clear on the link. */
	assert_null(memmem(src.sent[1].data, src.sent[1].len, "SKMP", 4));
	assert_int_equal(src.sent[1].len, 8 + 1 + policy_len + 16);
	/* One key per direction, the same on both ends. */
	assert_memory_equal(src.agent.tx.key, dst.agent.rx.key, AGENT_KEY_LEN);
	assert_memory_equal(src.agent.rx.key, dst.agent.tx.key, AGENT_KEY_LEN);
	assert_memory_not_equal(src.agent.tx.key, src.agent.rx.key, AGENT_KEY_LEN);
	expect_wiped(&src);
	expect_wiped(&dst);
	/* Each side knows who the other is, by what it signed. */
	assert_memory_equal(src.agent.peer_claims.host_id, dst.key.id, 32);
	assert_memory_equal(dst.agent.peer_claims.host_id, src.key.id, 32);
	assert_string_equal(dst.agent.peer_claims.host_class, "fleet-src");
	/* Records both ways, numbered on. */
	assert_int_equal(agent_send_data(&src.agent, page, sizeof(page)), 0);
	assert_int_equal(agent_send_data(&dst.agent, page, 5), 0);
	run(NULL);
	assert_int_equal(dst.data_records, 1);
	assert_memory_equal(dst.data_in, page, sizeof(page));
	assert_int_equal(src.data_records, 1);
	assert_int_equal(src.data_len, 5);
	/* Each side's digest of the data it sent is the other's of what it took. */
	agent_data_digest(&src.agent, true, d1);
	agent_data_digest(&dst.agent, false, d2);
	assert_memory_equal(d1, d2, sizeof(d1));
	agent_data_digest(&dst.agent, true, d2);
	assert_memory_not_equal(d1, d2, sizeof(d1));
	agent_data_digest(&src.agent, false, d1);
	assert_memory_equal(d1, d2, sizeof(d1));
	/* Both ends make the same ABORT token for the same thing, another for another. */
	assert_int_equal(agent_abort_token(&src.agent, page, 4, d1), 0);
	assert_int_equal(agent_abort_token(&dst.agent, page, 4, d2), 0);
	assert_memory_equal(d1, d2, sizeof(d1));
	assert_int_equal(agent_abort_token(&dst.agent, page, 5, d2), 0);
	assert_memory_not_equal(d1, d2, sizeof(d1));
	/* A replayed data record: refused, and the channel ends on both sides' word. */
	agent_receive(&dst.agent, src.sent[4].type, src.sent[4].data, src.sent[4].len);
	expect_end(&dst, AGENT_FAILED,
		   "record 1 arrived where record 2 was due (dropped, repeated or reordered)");
	assert_int_equal(dst.shells_dropped, 1);
	expect_wiped(&dst);
	run(NULL);
	expect_end(&src, AGENT_FAILED,
		   "the peer ended the handshake: record 1 arrived where record 2 was due "
		   "(dropped, repeated or reordered)");
}

/* A destination whose platform fails the policy: refused at POLICY_RESULT, nothing allocated. */
static void refused_case(void (*change_dst)(struct host *h), const char *field, const char *why)
{
	char want_src[AGENT_WHY_MAX], want_dst[AGENT_WHY_MAX];

	setup_pair("refused");
	if (change_dst) {
		change_dst(&dst);
		dst.agent.claims = dst.claims;
	}
	start();
	run(NULL);
	snprintf(want_dst, sizeof(want_dst), "this host fails the enclave's policy: %s", why);
	snprintf(want_src, sizeof(want_src), "the destination refused the policy (field %s): %s",
		 field, why);
	expect_end(&dst, AGENT_REFUSED, want_dst);
	expect_end(&src, AGENT_REFUSED, want_src);
	assert_int_equal(dst.shells, 0);
	/* It sent its HELLO and the result, and no attestation. */
	assert_int_equal(dst.nsent, 2);
	expect_wiped(&src);
	expect_wiped(&dst);
}

static void old_min_svn(struct host *h)
{
	h->claims.min_policy_svn = 4;
}

static void no_lse(struct host *h)
{
	(void)h; /* the policy asks armv8.2 below */
}

static void unknown_destination(struct host *h)
{
	key(&h->key, FIXTURE_OTHER_KEY);
	memcpy(h->claims.host_id, h->key.id, 32);
}

static void armv82(struct migration_policy *p)
{
	cpu_profile_named("armv8.2", &p->cpu_profile);
}

static void test_destination_fails_policy(void **state)
{
	char why[400], id[65], first[65];
	struct attest_key a;

	(void)state;
	refused_case(old_min_svn, "policy-svn",
		     "policy-svn: the policy's is 3, this host accepts 4 at least (an older "
		     "policy: downgrade refused)");
	make_policy(armv82);
	refused_case(no_lse, "cpu-profile",
		     "cpu-profile: armv8.2 needs FEAT_LSE (ID_AA64ISAR0_EL1.Atomic 2), this "
		     "host has 0 (and 19 more fields)");
	make_policy(NULL);
	key(&a, FIXTURE_HOST_A_KEY);
	for (unsigned int i = 0; i < 32; i++) {
		sprintf(id + 2 * i, "%02x", attacker.id[i]);
		sprintf(first + 2 * i, "%02x", a.id[i]);
	}
	snprintf(why, sizeof(why),
		 "host-keys: this host (identity %s, class \"fleet-b\") is none of the policy's "
		 "1 host keys (first %s) and 1 host classes (first \"fleet-src\")",
		 id, first);
	refused_case(unknown_destination, "host-keys", why);
}

/* The source's own policy is never sent when it says no. */
static void not_migratable(struct migration_policy *p)
{
	p->migratable = false;
}

static void test_source_refuses_unmigratable(void **state)
{
	(void)state;
	make_policy(not_migratable);
	setup_pair("nm");
	assert_int_equal(agent_start(&src.agent, policy, policy_len), -1);
	expect_end(&src, AGENT_REFUSED,
		   "migratable: the policy says 0 (never), a migration needs 1");
	assert_int_equal(src.nsent, 0);
	make_policy(NULL);
}

/* A destination with a key the policy does not name, claiming a named host's identity. */
static void test_destination_impersonation(void **state)
{
	(void)state;
	/* The claims say host A; the key that signs is another. */
	setup_pair("imp1");
	key(&dst.key, FIXTURE_OTHER_KEY);
	start();
	run(NULL);
	expect_end(&src, AGENT_FAILED,
		   "ATTEST: the claims name a host identity that is not the signing key's");
	expect_end(&dst, AGENT_FAILED,
		   "the peer ended the handshake: ATTEST: the claims name a host identity that is "
		   "not the signing key's");
	expect_no_shell();
	assert_int_equal(dst.shells, 0);
	/* Host A's public key and identity, but not its private key: the signature fails. */
	setup_pair("imp2");
	memcpy(dst.key.sk, attacker.sk, sizeof(attacker.sk));
	start();
	run(NULL);
	expect_end(&src, AGENT_FAILED,
		   "ATTEST: the destination's signature over the transcript does not verify "
		   "(impersonation, or a transcript that differs)");
	assert_int_equal(dst.shells, 0);
	expect_wiped(&src);
	expect_wiped(&dst);
}

/* A source the policy does not accept (its own key and class): the destination refuses it. */
static void test_source_impersonation(void **state)
{
	(void)state;
	setup_pair("srcimp");
	strcpy(src.claims.host_class, "rogue");
	src.agent.claims = src.claims;
	start();
	run(NULL);
	expect_end(&dst, AGENT_FAILED, NULL);
	assert_non_null(strstr(dst.agent.why, "the source host is not one the enclave's policy "
					      "accepts: host-keys: this host (identity "));
	expect_end(&src, AGENT_FAILED, NULL);
	assert_non_null(strstr(src.agent.why, "the peer ended the handshake: the source host"));
	assert_int_equal(dst.shells, 0);
	/* A source that lies about its identity: the key does not match. */
	setup_pair("srcimp2");
	memcpy(src.agent.claims.host_id, dst.key.id, 32);
	start();
	run(NULL);
	expect_end(&dst, AGENT_FAILED,
		   "ATTEST: the claims name a host identity that is not the signing key's");
	expect_end(&src, AGENT_FAILED,
		   "the peer ended the handshake: ATTEST: the claims name a host identity that is "
		   "not the signing key's");
	assert_int_equal(dst.shells, 0);
}

/* A destination whose software says yes and whose signed claims say otherwise. */
static void lie_after_result(struct host *h, unsigned int index)
{
	if (index == 1) /* POLICY_RESULT went out: the attestation that follows says 1 GHz */
		h->agent.claims.counter_hz = 1000000000;
}

static void native(struct migration_policy *p)
{
	p->counter_mode = POLICY_COUNTER_NATIVE;
}

static void test_source_rechecks_signed_claims(void **state)
{
	(void)state;
	make_policy(native);
	setup_pair("lie");
	dst.after_send = lie_after_result;
	start();
	run(NULL);
	expect_end(&src, AGENT_FAILED,
		   "the destination's signed claims fail the enclave's policy: counter: the policy "
		   "needs the host's counter at 62500000 Hz (native), this host's runs at "
		   "1000000000 Hz");
	expect_end(&dst, AGENT_FAILED, NULL);
	assert_int_equal(dst.shells, 0);
	make_policy(NULL);
}

/* The attacks on frames: which frame, what is done, and what each side must end with. */
static struct {
	struct host *from;
	unsigned int index;
	enum { DROP, DUP, FLIP, ZERO_KEY, SET_KEY, SHORTEN, SWAP_NEXT } what;
	size_t off;
	const uint8_t *bytes;
} attack;
static struct frame held;

static unsigned int do_attack(const struct host *from, unsigned int index, struct frame *f)
{
	if (from != attack.from)
		return 1;
	if (attack.what == SWAP_NEXT && index == attack.index + 1 && held.len) {
		/* Deliver this one now and the held one after it: see run_swapped. */
		return 1;
	}
	if (index != attack.index)
		return 1;
	switch (attack.what) {
	case DROP:
		return 0;
	case DUP:
		return 2;
	case FLIP:
		f->data[attack.off] ^= 0x01;
		return 1;
	case ZERO_KEY:
		memset(f->data + 3 + AGENT_NONCE_LEN, 0, AGENT_X25519_LEN);
		return 1;
	case SET_KEY:
		memcpy(f->data + 3 + AGENT_NONCE_LEN, attack.bytes, AGENT_X25519_LEN);
		return 1;
	case SHORTEN:
		f->len = attack.off;
		return 1;
	case SWAP_NEXT:
	default:
		return 1;
	}
}

static void attack_case(struct host *from, unsigned int index, int what, size_t off,
			const char *src_why, const char *dst_why)
{
	setup_pair("attack");
	attack.from = from;
	attack.index = index;
	attack.what = what;
	attack.off = off;
	start();
	run(do_attack);
	if (src_why)
		expect_end(&src, AGENT_FAILED, src_why);
	if (dst_why)
		expect_end(&dst, AGENT_FAILED, dst_why);
	assert_int_equal(dst.shells, dst.shells_dropped);
	if (dst.agent.state != AGENT_ESTABLISHED)
		assert_int_equal(dst.shells_dropped, dst.shells);
	expect_wiped(&src);
	expect_wiped(&dst);
}

static void test_altered_dropped_duplicated_records(void **state)
{
	(void)state;
	/* The POLICY record: a bit of its ciphertext, of its tag, of its number. */
	attack_case(&src, 1, FLIP, 8 + 20, NULL,
		    "record 0 does not authenticate (altered, or sealed under another key: another "
		    "session's or a replayed one)");
	attack_case(&src, 1, FLIP, 0, NULL,
		    "record 1 arrived where record 0 was due (dropped, repeated or reordered)");
	attack_case(&src, 1, FLIP, 8 + 1 + policy_len + 15, NULL,
		    "record 0 does not authenticate (altered, or sealed under another key: another "
		    "session's or a replayed one)");
	/* The destination's attestation altered on its way. */
	attack_case(&dst, 2, FLIP, 100,
		    "record 1 does not authenticate (altered, or sealed under another key: another "
		    "session's or a replayed one)",
		    NULL);
	/* POLICY_RESULT dropped: the attestation after it comes out of turn. */
	attack_case(
		&dst, 1, DROP, 0,
		"record 1 arrived where record 0 was due (dropped, repeated or reordered)",
		"the peer ended the handshake: record 1 arrived where record 0 was due (dropped, "
		"repeated or reordered)");
	/* POLICY duplicated. */
	attack_case(&src, 1, DUP, 0, NULL,
		    "record 0 arrived where record 1 was due (dropped, repeated or reordered)");
	/* HELLO duplicated. */
	attack_case(&src, 0, DUP, 0, NULL,
		    "a HELLO while waiting for POLICY (a replayed or duplicated one)");
	/* FINISHED dropped: the destination never creates the shell; the cut ends both. */
	attack_case(&src, 3, DROP, 0, NULL, NULL);
	assert_int_equal(dst.agent.state, AGENT_WAIT_FINISHED);
	assert_int_equal(dst.shells, 0);
	agent_link_lost(&dst.agent, "nothing from the peer for 5 s");
	expect_end(&dst, AGENT_FAILED,
		   "the link was lost (waiting for FINISHED): nothing from the peer for 5 s");
	expect_wiped(&dst);
	/* A record cut short. */
	attack_case(&src, 1, SHORTEN, 20, NULL, "a record of 20 bytes; the shortest has 25");
	/* A HELLO nonce changed: the keys differ, the first record does not open. */
	attack_case(&src, 0, FLIP, 5, NULL,
		    "record 0 does not authenticate (altered, or sealed under another key: another "
		    "session's or a replayed one)");
	/* Version narrowing: the only version there is, and another refused. */
	attack_case(&src, 0, FLIP, 1, NULL, "HELLO of agent version 257; this host speaks 1");
	attack_case(&src, 0, SHORTEN, 66, NULL, "HELLO of 66 bytes; it has 67");
}

/* ATTEST_S and FINISHED swapped on the way. */
static void test_reordered_records(void **state)
{
	struct frame f;

	(void)state;
	setup_pair("reorder");
	start();
	/* HELLO, HELLO, POLICY, POLICY_RESULT + ATTEST_D: by hand to hold the source's pair. */
	agent_receive(&dst.agent, src.sent[0].type, src.sent[0].data, src.sent[0].len);
	agent_receive(&src.agent, dst.sent[0].type, dst.sent[0].data, dst.sent[0].len);
	agent_receive(&dst.agent, src.sent[1].type, src.sent[1].data, src.sent[1].len);
	agent_receive(&src.agent, dst.sent[1].type, dst.sent[1].data, dst.sent[1].len);
	agent_receive(&src.agent, dst.sent[2].type, dst.sent[2].data, dst.sent[2].len);
	assert_int_equal(src.nsent, 4);
	f = src.sent[3]; /* FINISHED before ATTEST */
	agent_receive(&dst.agent, f.type, f.data, f.len);
	expect_end(&dst, AGENT_FAILED,
		   "record 0 arrived where record 1 was due (dropped, repeated or reordered)");
	assert_int_equal(dst.shells, 0);
}

/* Low-order X25519 keys from the attacker, both ways: the zero shared secret is refused. */
static void test_low_order_keys(void **state)
{
	/* RFC 7748's curve: u = 0, u = 1, and a point of order 8. */
	static const uint8_t one[32] = { 1 };
	static const uint8_t order8[32] = { 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae,
					    0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
					    0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd,
					    0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 };
	const uint8_t *keys[] = { NULL, one, order8 };

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		char want[200], hex[65];

		for (unsigned int j = 0; j < 32; j++)
			sprintf(hex + 2 * j, "%02x", keys[i] ? keys[i][j] : 0);
		snprintf(want, sizeof(want),
			 "HELLO: the X25519 shared secret is all zero: the peer's key %s is of low "
			 "order",
			 hex);
		attack.bytes = keys[i];
		attack_case(&src, 0, keys[i] ? SET_KEY : ZERO_KEY, 0, NULL, want);
		assert_int_equal(dst.shells, 0);
		assert_int_equal(dst.nsent, 1); /* its HELLO; nothing sealed */
		/* The source hears nothing more: its host's timeout ends it, and wipes it. */
		assert_int_equal(src.agent.state, AGENT_WAIT_RESULT);
		agent_give_up(&src.agent, "no answer from the peer within 10 s");
		expect_end(&src, AGENT_FAILED,
			   "no answer from the peer within 10 s (waiting for POLICY_RESULT)");
		expect_wiped(&src);
		/* The other way: the source refuses the destination's. */
		attack_case(&dst, 0, keys[i] ? SET_KEY : ZERO_KEY, 0, want, NULL);
		assert_int_equal(src.nsent, 1); /* no POLICY sent */
	}
}

/* A whole recorded session replayed to a new destination: the first record does not open. */
static void test_replayed_session(void **state)
{
	struct frame rec[4];

	(void)state;
	setup_pair("replay");
	start();
	run(NULL);
	expect_end(&dst, AGENT_ESTABLISHED, "");
	memcpy(rec, src.sent, sizeof(rec));
	setup_pair("replay-2");
	for (unsigned int i = 0; i < 4 && !agent_done(&dst.agent); i++)
		agent_receive(&dst.agent, rec[i].type, rec[i].data, rec[i].len);
	expect_end(&dst, AGENT_FAILED,
		   "record 0 does not authenticate (altered, or sealed under another key: another "
		   "session's or a replayed one)");
	assert_int_equal(dst.shells, 0);
}

/* Another session's POLICY record (another policy, validly sealed there) spliced in. */
static void older(struct migration_policy *p)
{
	p->svn = 2;
}

static void test_policy_substitution(void **state)
{
	struct frame other;

	(void)state;
	make_policy(older);
	setup_pair("subst-a");
	start();
	run(NULL);
	other = src.sent[1];
	make_policy(NULL);
	setup_pair("subst-b");
	start();
	agent_receive(&dst.agent, src.sent[0].type, src.sent[0].data, src.sent[0].len);
	agent_receive(&src.agent, dst.sent[0].type, dst.sent[0].data, dst.sent[0].len);
	agent_receive(&dst.agent, other.type, other.data, other.len);
	expect_end(&dst, AGENT_FAILED,
		   "record 0 does not authenticate (altered, or sealed under another key: another "
		   "session's or a replayed one)");
	assert_int_equal(dst.shells, 0);
}

/* The policy's bytes changed under a source: its signature fails at the destination. */
static void test_forged_policy(void **state)
{
	static uint8_t forged[POLICY_MAX_LEN];

	(void)state;
	setup_pair("forged");
	start();
	memcpy(forged, policy, policy_len);
	forged[8 + 4 + 65 + 5 + 4] = 2; /* policy-svn 3 -> 2 */
	src.agent.policy = forged;
	run(NULL);
	expect_end(&dst, AGENT_REFUSED,
		   "this host fails the enclave's policy: the policy is refused: signature: it "
		   "does not verify under the owner-key the policy names (the policy was "
		   "altered, or another key signed it)");
	expect_end(&src, AGENT_REFUSED, NULL);
	assert_non_null(strstr(src.agent.why, "the destination refused the policy (field "
					      "signature): the policy is refused: signature:"));
	assert_int_equal(dst.shells, 0);
}

/* The link cut after each frame: no shell outlives a handshake that did not end on both sides. */
static unsigned int cut_after, frames_seen;

static unsigned int cut(const struct host *from, unsigned int index, struct frame *f)
{
	(void)from;
	(void)index;
	(void)f;
	return frames_seen++ < cut_after;
}

static void test_link_cut_at_every_step(void **state)
{
	(void)state;
	for (cut_after = 0; cut_after <= 8; cut_after++) {
		setup_pair("cut");
		frames_seen = 0;
		start();
		run(cut);
		agent_link_lost(&src.agent, "cut");
		agent_link_lost(&dst.agent, "cut");
		if (cut_after == 8) {
			expect_end(&src, AGENT_FAILED, "the link was lost (established): cut");
			assert_int_equal(dst.shells, 1);
		} else {
			assert_true(src.agent.state == AGENT_FAILED);
			assert_true(dst.agent.state == AGENT_FAILED);
			assert_non_null(strstr(src.agent.why, "the link was lost "));
		}
		/* A shell made (from frame 7 on) is dropped when the link goes. */
		assert_int_equal(dst.shells, dst.shells_dropped);
		assert_int_equal(dst.shells, cut_after >= 7);
		expect_wiped(&src);
		expect_wiped(&dst);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x25519_known_answers),
		cmocka_unit_test(test_handshake_and_channel),
		cmocka_unit_test(test_destination_fails_policy),
		cmocka_unit_test(test_source_refuses_unmigratable),
		cmocka_unit_test(test_destination_impersonation),
		cmocka_unit_test(test_source_impersonation),
		cmocka_unit_test(test_source_rechecks_signed_claims),
		cmocka_unit_test(test_altered_dropped_duplicated_records),
		cmocka_unit_test(test_reordered_records),
		cmocka_unit_test(test_low_order_keys),
		cmocka_unit_test(test_replayed_session),
		cmocka_unit_test(test_policy_substitution),
		cmocka_unit_test(test_forged_policy),
		cmocka_unit_test(test_link_cut_at_every_step),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
