// SPDX-License-Identifier: MIT
/*
 * The agents' handshake (enclave/agent.c) against a peer the fuzzer plays:
 * the agent under test (source or destination) first runs an honest handshake
 * with a real peer agent for a few frames, then takes the fuzzer's frames:
 * raw ones (any type, any bytes), or records sealed right under the honest
 * peer's current key and number (so that the fuzzer reaches what is parsed
 * after authentication: POLICY, POLICY_RESULT, ATTEST, FINISHED, READY,
 * ERROR, DATA). Checked: what the agent sends is a HELLO of its length or a
 * record at least a record's overhead long; the lines it logs are printable;
 * an ended agent holds no secret and says why; a destination has a shell only
 * while established, and only for a source its policy accepts; an
 * established agent knows its peer by a key the policy accepts.
 *
 * Input: a setup byte (bit 0: the agent under test is the destination; bits
 * 1-3: how many frames the honest handshake exchanges first, 0-7), then
 * frames: a selector byte (bit 0: sealed by the harness, else raw; bit 1:
 * raw frames are HELLOs, else records), a u16 length (little-endian), the
 * bytes (for a sealed record: the plaintext, message type first).
 */
#include "enclave/agent.h"
#include "enclave_fixture.h"
#include "fuzz.h"

struct side {
	struct agent agent;
	br_hmac_drbg_context rng;
	struct platform_claims claims;
	unsigned int shells;
	uint8_t out[8][AGENT_PLAIN_MAX + AGENT_RECORD_OVERHEAD];
	size_t out_len[8];
	uint8_t out_type[8];
	unsigned int nout, taken;
};

static struct side target, peer;
static struct attest_key owner, key_src, key_dst;
static uint8_t policy[POLICY_MAX_LEN];
static size_t policy_len;

FUZZ_ORACLE static int io_send(void *ctx, uint8_t type, const uint8_t *p, size_t len)
{
	struct side *s = ctx;

	FUZZ_CHECK(type == AGENT_T_HELLO
			   ? len == AGENT_HELLO_LEN
			   : type == AGENT_T_RECORD && len >= AGENT_RECORD_OVERHEAD + 1,
		   "sent a frame of type 0x%02x and %zu bytes", type, len);
	FUZZ_CHECK(len <= sizeof(s->out[0]), "a frame of %zu bytes", len);
	if (s->nout == 8)
		return 0; /* the rest is not delivered (the harness does not need it) */
	memcpy(s->out[s->nout], p, len);
	s->out_len[s->nout] = len;
	s->out_type[s->nout++] = type;
	return 0;
}

FUZZ_ORACLE static void io_random(void *ctx, void *buf, size_t len)
{
	struct side *s = ctx;

	s->rng.vtable->generate(&s->rng.vtable, buf, len);
}

FUZZ_ORACLE static int io_create_shell(void *ctx, const struct migration_policy *pol, char *why,
				       size_t len)
{
	struct side *s = ctx;

	(void)pol;
	(void)why;
	(void)len;
	s->shells++;
	FUZZ_CHECK(s->shells == 1, "a second shell");
	return 0;
}

FUZZ_ORACLE static void io_drop_shell(void *ctx)
{
	struct side *s = ctx;

	FUZZ_CHECK(s->shells == 1, "a shell dropped that was not made");
	s->shells--;
}

FUZZ_ORACLE static void io_note(void *ctx, enum agent_level level, const char *text)
{
	(void)ctx;
	(void)level;
	for (const char *c = text; *c; c++)
		FUZZ_CHECK(*c >= 0x20 && *c < 0x7f, "a line with byte 0x%02x: %s", (uint8_t)*c,
			   text);
}

FUZZ_ORACLE static void key(struct attest_key *k, const char *hex)
{
	unsigned char sk[ATTEST_SCALAR_LEN];

	FUZZ_CHECK(attest_scalar_from_hex(hex, sk) == ATTEST_KEY_OK, "key");
	FUZZ_CHECK(!attest_key_from_scalar(k, sk), "key");
}

FUZZ_ORACLE static void setup_once(void)
{
	struct migration_policy p;

	if (policy_len)
		return;
	key(&owner, FIXTURE_OWNER_KEY);
	key(&key_src, FIXTURE_HOST_B_KEY);
	key(&key_dst, FIXTURE_HOST_A_KEY);
	fixture_policy(&p, owner.pub, key_dst.id);
	strcpy(p.classes[0], "fleet-src");
	policy_len = policy_encode(&p, POLICY_ALL_FIELDS, owner.sk, policy, sizeof(policy));
	FUZZ_CHECK(policy_len, "policy");
}

FUZZ_ORACLE static void side_init(struct side *s, enum agent_role role)
{
	const struct agent_io io = { .ctx = s,
				     .send = io_send,
				     .random = io_random,
				     .create_shell = io_create_shell,
				     .drop_shell = io_drop_shell,
				     .note = io_note };
	const struct attest_key *k = role == AGENT_SOURCE ? &key_src : &key_dst;

	memset(s, 0, offsetof(struct side, out));
	s->nout = s->taken = 0;
	br_hmac_drbg_init(&s->rng, &br_sha256_vtable, role == AGENT_SOURCE ? "s" : "d", 1);
	fixture_claims(&s->claims, k->id);
	if (role == AGENT_SOURCE)
		strcpy(s->claims.host_class, "fleet-src");
	agent_init(&s->agent, role, &io, k, &s->claims);
}

/* Passes one frame @from sent to the other side; false when it has none waiting. */
FUZZ_ORACLE static bool pass_one(struct side *from, struct side *to)
{
	unsigned int i = from->taken;

	if (i >= from->nout)
		return false;
	from->taken++;
	agent_receive(&to->agent, from->out_type[i], from->out[i], from->out_len[i]);
	return true;
}

/* A record sealed as the honest peer would seal its next one (docs/enclaves.md). */
FUZZ_ORACLE static size_t seal(struct side *s, const uint8_t *plain, size_t len, uint8_t *rec)
{
	uint8_t aad[14], iv[12];
	uint64_t seq = s->agent.tx.seq++;

	for (unsigned int i = 0; i < 8; i++)
		rec[i] = (uint8_t)(seq >> (8 * i));
	memcpy(rec + 8, plain, len);
	memcpy(aad, "SKAG", 4);
	aad[4] = AGENT_VERSION;
	aad[5] = (uint8_t)s->agent.role;
	memcpy(aad + 6, rec, 8);
	memset(iv, 0, 4);
	memcpy(iv + 4, rec, 8);
	br_poly1305_ctmul_run(s->agent.tx.key, iv, rec + 8, len, aad, sizeof(aad), rec + 8 + len,
			      br_chacha20_ct_run, 1);
	return 8 + len + AGENT_TAG_LEN;
}

FUZZ_ORACLE static void check(const struct side *s, bool destination)
{
	const struct agent *a = &s->agent;
	static const uint8_t zero[sizeof(a->tx)];
	struct policy_verdict v;

	if (a->state == AGENT_FAILED || a->state == AGENT_REFUSED) {
		FUZZ_CHECK(a->why[0], "ended without a reason");
		FUZZ_CHECK(!memcmp(a->eph_sk, zero, sizeof(a->eph_sk)) &&
				   !memcmp(a->shared, zero, sizeof(a->shared)) &&
				   !memcmp(&a->tx, zero, sizeof(a->tx)) &&
				   !memcmp(&a->rx, zero, sizeof(a->rx)),
			   "secrets left after the end (%s)", a->why);
	}
	if (destination)
		FUZZ_CHECK(s->shells == (a->state == AGENT_ESTABLISHED), "%u shell(s) while %s",
			   s->shells, agent_state_name(a->state));
	if (a->state == AGENT_ESTABLISHED) {
		FUZZ_CHECK(!policy_check_host(&a->pol, &a->peer_claims, &v),
			   "established with a host the policy refuses: %s", v.why);
		FUZZ_CHECK(!memcmp(a->peer_claims.host_id, destination ? key_src.id : key_dst.id,
				   TOKEN_HOST_ID_LEN),
			   "established with a host that is not the honest peer");
	}
}

/* The honest part: frames alternate source, destination, ... as they come. */
FUZZ_ORACLE static void warm_up(struct side *src, struct side *dst, unsigned int warm)
{
	side_init(src, AGENT_SOURCE);
	side_init(dst, AGENT_DESTINATION);
	FUZZ_CHECK(!agent_start(&src->agent, policy, policy_len), "start: %s", src->agent.why);
	for (unsigned int i = 0; i < warm;) {
		bool moved = false;

		while (i < warm && pass_one(src, dst))
			i++, moved = true;
		while (i < warm && pass_one(dst, src))
			i++, moved = true;
		if (!moved)
			break;
	}
}

/*
 * Both sides after the honest frames, kept per (role, count) once computed: the
 * handshake's X25519 and ECDSA steps cost milliseconds under the sanitizers, and
 * the fuzzer would spend nearly all its time on them. The warm-up is
 * deterministic (the DRBGs are seeded with fixed bytes, the agents allocate
 * nothing and keep no global state), which the first reuse of each entry
 * checks by running it again and comparing; an entry is copied back into the
 * same objects it was taken from, so the pointers inside (the io context, the
 * claims) stay right.
 */
struct warm_state {
	struct side target, peer;
	unsigned int runs; /* 0: not computed, 1: computed once, 2: checked */
};

static struct warm_state warm_cache[2][8];

/* The same side: its state, and the frames it sent (the rest of out[] is stale). */
FUZZ_ORACLE static bool same_side(const struct side *a, const struct side *b)
{
	if (memcmp(a, b, offsetof(struct side, out)) || a->nout != b->nout || a->taken != b->taken)
		return false;
	for (unsigned int i = 0; i < a->nout; i++)
		if (a->out_len[i] != b->out_len[i] || a->out_type[i] != b->out_type[i] ||
		    memcmp(a->out[i], b->out[i], a->out_len[i]))
			return false;
	return true;
}

/*
 * A side as it was kept, but for the agent's record buffers (plain, sealed:
 * scratch, wiped after use) and the frames' bytes beyond the ones sent: 70 of
 * the 80 KiB a side has, which copying whole made the harness 6 times slower.
 */
FUZZ_ORACLE static void restore(struct side *s, const struct side *kept)
{
	memcpy(&s->agent, &kept->agent, offsetof(struct agent, plain));
	memcpy(&s->rng, &kept->rng, offsetof(struct side, out) - offsetof(struct side, rng));
	for (unsigned int i = 0; i < kept->nout; i++)
		memcpy(s->out[i], kept->out[i], kept->out_len[i]);
	memcpy(s->out_len, kept->out_len, sizeof(s->out_len));
	memcpy(s->out_type, kept->out_type, sizeof(s->out_type));
	s->nout = kept->nout;
	s->taken = kept->taken;
}

FUZZ_ORACLE static void warm_up_cached(bool destination, unsigned int warm)
{
	struct warm_state *w = &warm_cache[destination][warm];
	struct side *src = destination ? &peer : &target;
	struct side *dst = destination ? &target : &peer;

	if (w->runs == 2) {
		restore(&target, &w->target);
		restore(&peer, &w->peer);
		return;
	}
	warm_up(src, dst, warm);
	if (w->runs == 1)
		FUZZ_CHECK(same_side(&target, &w->target) && same_side(&peer, &w->peer),
			   "the honest handshake of %u frame(s) is not deterministic", warm);
	memcpy(&w->target, &target, sizeof(target));
	memcpy(&w->peer, &peer, sizeof(peer));
	w->runs++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[65536 + AGENT_RECORD_OVERHEAD];
	struct fuzz_in in = { data, size };
	uint8_t setup;
	bool destination;

	setup_once();
	setup = fuzz_u8(&in);
	destination = setup & 1;
	warm_up_cached(destination, (setup >> 1) & 7);
	check(&target, destination);
	while (fuzz_more(&in)) {
		uint8_t sel = fuzz_u8(&in);
		size_t len = fuzz_u8(&in) | (size_t)fuzz_u8(&in) << 8, n;

		if (sel & 1) {
			uint8_t plain[AGENT_PLAIN_MAX];

			if (len > sizeof(plain))
				len = sizeof(plain);
			n = fuzz_bytes(&in, plain, len);
			if (!n)
				break;
			n = seal(&peer, plain, n, frame);
			agent_receive(&target.agent, AGENT_T_RECORD, frame, n);
		} else {
			n = fuzz_bytes(&in, frame, len);
			agent_receive(&target.agent, sel & 2 ? AGENT_T_HELLO : AGENT_T_RECORD,
				      frame, n);
		}
		check(&target, destination);
	}
	return 0;
}
