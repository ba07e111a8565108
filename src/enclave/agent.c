// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <stdarg.h>
#include <string.h>

#include "enclave/agent.h"
#include "lib/format.h"

/* Labels: HKDF's info strings, the signed attestation's prefix, the records' AAD. */
#define LABEL_HS_S2D  "skiff-agent v1 handshake s2d"
#define LABEL_HS_D2S  "skiff-agent v1 handshake d2s"
#define LABEL_APP_S2D "skiff-agent v1 channel s2d"
#define LABEL_APP_D2S "skiff-agent v1 channel d2s"
#define LABEL_ATTEST  "skiff-agent v1 attest" /* then "src" or "dst" */
#define LABEL_ABORT   "skiff-agent v1 abort"
#define LABEL_TOKEN   "skiff-agent v1 abort token"
#define AAD_LEN	      (4 + 1 + 1 + AGENT_SEQ_LEN)

static const char *const state_names[] = {
	[AGENT_IDLE] = "idle",
	[AGENT_WAIT_HELLO] = "waiting for HELLO",
	[AGENT_WAIT_POLICY] = "waiting for POLICY",
	[AGENT_WAIT_RESULT] = "waiting for POLICY_RESULT",
	[AGENT_WAIT_ATTEST_DEST] = "waiting for the destination's ATTEST",
	[AGENT_WAIT_ATTEST_SOURCE] = "waiting for the source's ATTEST",
	[AGENT_WAIT_FINISHED] = "waiting for FINISHED",
	[AGENT_WAIT_READY] = "waiting for READY",
	[AGENT_ESTABLISHED] = "established",
	[AGENT_REFUSED] = "refused",
	[AGENT_FAILED] = "failed",
};

static const char *const msg_names[] = {
	[0] = "message 0",
	[AGENT_M_POLICY] = "POLICY",
	[AGENT_M_POLICY_RESULT] = "POLICY_RESULT",
	[AGENT_M_ATTEST] = "ATTEST",
	[AGENT_M_FINISHED] = "FINISHED",
	[AGENT_M_READY] = "READY",
	[AGENT_M_ERROR] = "ERROR",
	[AGENT_M_DATA] = "DATA",
};

const char *agent_state_name(enum agent_state s)
{
	return (unsigned int)s <= AGENT_FAILED ? state_names[s] : "?";
}

static const char *msg_name(unsigned int m)
{
	return m <= AGENT_M_DATA ? msg_names[m] : "an unknown message";
}

bool agent_done(const struct agent *a)
{
	return a->state >= AGENT_ESTABLISHED;
}

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void note(struct agent *a, enum agent_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct agent *a, enum agent_level level, const char *fmt, ...)
{
	char line[AGENT_WHY_MAX + 80];
	va_list ap;

	va_start(ap, fmt);
	format_v(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (a->io.note)
		a->io.note(a->io.ctx, level, line);
}

static const char *role_name(const struct agent *a)
{
	return a->role == AGENT_SOURCE ? "source" : "destination";
}

/* Every secret of the handshake, whichever way it ends. */
static void wipe(struct agent *a)
{
	secret_wipe(a->eph_sk, sizeof(a->eph_sk));
	secret_wipe(a->shared, sizeof(a->shared));
	secret_wipe(&a->tx, sizeof(a->tx));
	secret_wipe(&a->rx, sizeof(a->rx));
	secret_wipe(a->abort_key, sizeof(a->abort_key));
	secret_wipe(a->plain, sizeof(a->plain));
	secret_wipe(a->sealed, sizeof(a->sealed));
	secret_wipe(&a->transcript, sizeof(a->transcript));
}

/* From the HELLOs on, until the handshake ends: the states in which records flow. */
static bool have_keys(const struct agent *a)
{
	return a->state >= AGENT_WAIT_POLICY && a->state <= AGENT_ESTABLISHED;
}

static int seal_send(struct agent *a, uint8_t msg, const uint8_t *body, size_t len);

/* Ends the handshake: why in the log, and in a sealed ERROR to the peer when keys exist. */
static void end(struct agent *a, enum agent_state how, bool tell, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void end(struct agent *a, enum agent_state how, bool tell, const char *fmt, ...)
{
	va_list ap;

	if (agent_done(a) && a->state != AGENT_ESTABLISHED)
		return;
	va_start(ap, fmt);
	format_v(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
	if (tell && have_keys(a))
		seal_send(a, AGENT_M_ERROR, (const uint8_t *)a->why, strlen(a->why));
	wipe(a);
	a->state = how;
	note(a, AGENT_ERROR, "agent (%s): handshake %s: %s", role_name(a),
	     how == AGENT_REFUSED ? "refused" : "failed", a->why);
	if (a->shell && a->io.drop_shell)
		a->io.drop_shell(a->io.ctx);
	a->shell = false;
}

/* The transcript: each message as u8 type, u32 length, its bytes. */
static void absorb(struct agent *a, uint8_t type, const void *body, size_t len)
{
	uint8_t head[5];

	head[0] = type;
	put_le(head + 1, len, 4);
	br_sha256_update(&a->transcript, head, sizeof(head));
	br_sha256_update(&a->transcript, body, len);
}

static void transcript_hash(const struct agent *a, unsigned char out[32])
{
	br_sha256_out(&a->transcript, out);
}

static void hkdf(const unsigned char salt[32], const unsigned char ikm[32], const char *info,
		 unsigned char out[AGENT_KEY_LEN])
{
	br_hkdf_context hc;

	br_hkdf_init(&hc, &br_sha256_vtable, salt, 32);
	br_hkdf_inject(&hc, ikm, 32);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, strlen(info), out, AGENT_KEY_LEN);
	secret_wipe(&hc, sizeof(hc));
}

/* Keys per direction from the shared secret and the transcript so far; numbering from 0. */
static void derive(struct agent *a, const char *s2d, const char *d2s)
{
	unsigned char salt[32];
	bool src = a->role == AGENT_SOURCE;

	transcript_hash(a, salt);
	hkdf(salt, a->shared, src ? s2d : d2s, a->tx.key);
	hkdf(salt, a->shared, src ? d2s : s2d, a->rx.key);
	/* The channel's: the key both sides make ABORT tokens with (agent_abort_token). */
	if (!strcmp(s2d, LABEL_APP_S2D))
		hkdf(salt, a->shared, LABEL_ABORT, a->abort_key);
	a->tx.seq = a->rx.seq = 0;
}

static void record_aad(uint8_t aad[AAD_LEN], enum agent_role sender, uint64_t seq)
{
	memcpy(aad, "SKAG", 4);
	aad[4] = AGENT_VERSION;
	aad[5] = (uint8_t)sender;
	put_le(aad + 6, seq, AGENT_SEQ_LEN);
}

static void record_nonce(uint8_t iv[12], uint64_t seq)
{
	memset(iv, 0, 4);
	put_le(iv + 4, seq, AGENT_SEQ_LEN);
}

static int seal_send(struct agent *a, uint8_t msg, const uint8_t *body, size_t len)
{
	uint8_t *rec = a->sealed, aad[AAD_LEN], iv[12];
	size_t n = 1 + len;
	int r;

	if (n > AGENT_OPEN_MAX)
		return -1;
	put_le(rec, a->tx.seq, AGENT_SEQ_LEN);
	rec[AGENT_SEQ_LEN] = msg;
	memcpy(rec + AGENT_SEQ_LEN + 1, body, len);
	record_aad(aad, a->role, a->tx.seq);
	record_nonce(iv, a->tx.seq);
	br_poly1305_ctmul_run(a->tx.key, iv, rec + AGENT_SEQ_LEN, n, aad, sizeof(aad),
			      rec + AGENT_SEQ_LEN + n, br_chacha20_ct_run, 1);
	if (msg == AGENT_M_DATA)
		br_sha256_update(&a->data_sent, rec + AGENT_SEQ_LEN + n, AGENT_TAG_LEN);
	a->tx.seq++;
	r = a->io.send(a->io.ctx, AGENT_T_RECORD, rec, AGENT_SEQ_LEN + n + AGENT_TAG_LEN);
	secret_wipe(rec, AGENT_SEQ_LEN + n + AGENT_TAG_LEN);
	return r;
}

/* Sends, or fails the handshake when the link takes nothing. */
static int send_or_fail(struct agent *a, uint8_t msg, const uint8_t *body, size_t len)
{
	if (!seal_send(a, msg, body, len))
		return 0;
	end(a, AGENT_FAILED, false, "%s could not be sent (the link took nothing)", msg_name(msg));
	return -1;
}

static bool equal_ct(const uint8_t *x, const uint8_t *y, size_t len)
{
	uint8_t acc = 0;

	while (len--)
		acc |= *x++ ^ *y++;
	return !acc;
}

/*
 * Authenticates and opens a record into a->plain; its message in *msg, the
 * body after it. -1 when the handshake ended.
 */
static int open_record(struct agent *a, const uint8_t *p, size_t len, size_t *n)
{
	uint8_t aad[AAD_LEN], iv[12], tag[AGENT_TAG_LEN];
	uint64_t seq;
	size_t clen;
	enum agent_role sender = a->role == AGENT_SOURCE ? AGENT_DESTINATION : AGENT_SOURCE;

	if (len < AGENT_RECORD_OVERHEAD + 1) {
		end(a, AGENT_FAILED, true, "a record of %zu bytes; the shortest has %u", len,
		    AGENT_RECORD_OVERHEAD + 1);
		return -1;
	}
	clen = len - AGENT_RECORD_OVERHEAD;
	seq = get_le(p, AGENT_SEQ_LEN);
	if (seq != a->rx.seq) {
		end(a, AGENT_FAILED, true,
		    "record %lu arrived where record %lu was due (dropped, repeated or reordered)",
		    (unsigned long)seq, (unsigned long)a->rx.seq);
		return -1;
	}
	if (clen > AGENT_OPEN_MAX) {
		end(a, AGENT_FAILED, true, "record %lu holds %zu bytes; the most is %u",
		    (unsigned long)seq, clen, AGENT_OPEN_MAX);
		return -1;
	}
	memcpy(a->plain, p + AGENT_SEQ_LEN, clen);
	record_aad(aad, sender, seq);
	record_nonce(iv, seq);
	br_poly1305_ctmul_run(a->rx.key, iv, a->plain, clen, aad, sizeof(aad), tag,
			      br_chacha20_ct_run, 0);
	if (!equal_ct(tag, p + AGENT_SEQ_LEN + clen, AGENT_TAG_LEN)) {
		secret_wipe(a->plain, clen);
		/* Told under this side's key: if the keys differ, the peer fails on it too. */
		end(a, AGENT_FAILED, true,
		    "record %lu does not authenticate (altered, or sealed under another key: "
		    "another session's or a replayed one)",
		    (unsigned long)seq);
		return -1;
	}
	a->rx.seq++;
	*n = clen;
	return 0;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	unsigned char acc = 0;

	while (len--)
		acc |= *p++;
	return !acc;
}

static void hello_encode(const struct agent *a, uint8_t out[AGENT_HELLO_LEN])
{
	put_le(out, AGENT_VERSION, 2);
	out[2] = (uint8_t)a->role;
	memcpy(out + 3, a->nonce, AGENT_NONCE_LEN);
	memcpy(out + 3 + AGENT_NONCE_LEN, a->eph_pub, AGENT_X25519_LEN);
}

/* A fresh ephemeral key and nonce, and the HELLO that carries them. */
static int send_hello(struct agent *a)
{
	uint8_t hello[AGENT_HELLO_LEN];

	a->io.random(a->io.ctx, a->eph_sk, sizeof(a->eph_sk));
	a->io.random(a->io.ctx, a->nonce, sizeof(a->nonce));
	if (br_ec_c25519_m31.mulgen(a->eph_pub, a->eph_sk, sizeof(a->eph_sk), BR_EC_curve25519) !=
	    AGENT_X25519_LEN) {
		end(a, AGENT_FAILED, false, "no X25519 key could be made");
		return -1;
	}
	hello_encode(a, hello);
	if (a->io.send(a->io.ctx, AGENT_T_HELLO, hello, sizeof(hello))) {
		end(a, AGENT_FAILED, false, "HELLO could not be sent (the link took nothing)");
		return -1;
	}
	return 0;
}

/* Both HELLOs known: the transcript starts, the shared secret, the handshake keys. */
static int key_exchange(struct agent *a)
{
	uint8_t mine[AGENT_HELLO_LEN], peer[AGENT_HELLO_LEN];

	hello_encode(a, mine);
	put_le(peer, AGENT_VERSION, 2);
	peer[2] = a->role == AGENT_SOURCE ? AGENT_DESTINATION : AGENT_SOURCE;
	memcpy(peer + 3, a->peer_nonce, AGENT_NONCE_LEN);
	memcpy(peer + 3 + AGENT_NONCE_LEN, a->peer_eph, AGENT_X25519_LEN);
	br_sha256_init(&a->transcript);
	br_sha256_update(&a->transcript, "skiff-agent v1", 14);
	absorb(a, AGENT_T_HELLO, a->role == AGENT_SOURCE ? mine : peer, AGENT_HELLO_LEN);
	absorb(a, AGENT_T_HELLO, a->role == AGENT_SOURCE ? peer : mine, AGENT_HELLO_LEN);
	memcpy(a->shared, a->peer_eph, AGENT_X25519_LEN);
	if (br_ec_c25519_m31.mul(a->shared, AGENT_X25519_LEN, a->eph_sk, sizeof(a->eph_sk),
				 BR_EC_curve25519) != 1 ||
	    all_zero(a->shared, sizeof(a->shared))) {
		char hex[2 * AGENT_X25519_LEN + 1];

		format_hex(hex, sizeof(hex), a->peer_eph, AGENT_X25519_LEN);
		end(a, AGENT_FAILED, false,
		    "HELLO: the X25519 shared secret is all zero: the peer's key %s is of low "
		    "order",
		    hex);
		return -1;
	}
	secret_wipe(a->eph_sk, sizeof(a->eph_sk));
	derive(a, LABEL_HS_S2D, LABEL_HS_D2S);
	return 0;
}

static void on_hello(struct agent *a, const uint8_t *p, size_t len)
{
	enum agent_role want = a->role == AGENT_SOURCE ? AGENT_DESTINATION : AGENT_SOURCE;
	bool expected = (a->role == AGENT_SOURCE && a->state == AGENT_WAIT_HELLO) ||
			(a->role == AGENT_DESTINATION && a->state == AGENT_IDLE);

	if (!expected) {
		end(a, AGENT_FAILED, true, "a HELLO while %s (a replayed or duplicated one)",
		    agent_state_name(a->state));
		return;
	}
	if (len != AGENT_HELLO_LEN) {
		end(a, AGENT_FAILED, false, "HELLO of %zu bytes; it has %u", len, AGENT_HELLO_LEN);
		return;
	}
	if (get_le(p, 2) != AGENT_VERSION) {
		end(a, AGENT_FAILED, false, "HELLO of agent version %u; this host speaks %u",
		    (unsigned int)get_le(p, 2), AGENT_VERSION);
		return;
	}
	if (p[2] != want) {
		end(a, AGENT_FAILED, false, "HELLO from a %s; a %s was expected",
		    p[2] == AGENT_SOURCE	? "source"
		    : p[2] == AGENT_DESTINATION ? "destination"
						: "peer of unknown role",
		    want == AGENT_SOURCE ? "source" : "destination");
		return;
	}
	memcpy(a->peer_nonce, p + 3, AGENT_NONCE_LEN);
	memcpy(a->peer_eph, p + 3 + AGENT_NONCE_LEN, AGENT_X25519_LEN);
	if (a->role == AGENT_DESTINATION && send_hello(a))
		return;
	if (key_exchange(a))
		return;
	if (a->role == AGENT_DESTINATION) {
		a->state = AGENT_WAIT_POLICY;
		return;
	}
	/* The policy first, before anything else is said. */
	if (send_or_fail(a, AGENT_M_POLICY, a->policy, a->policy_len))
		return;
	absorb(a, AGENT_M_POLICY, a->pol.digest, sizeof(a->pol.digest));
	a->state = AGENT_WAIT_RESULT;
}

/* The signed hash: label, role, the transcript hash, the claims. */
static void attest_hash(const unsigned char t[32], const uint8_t claims[CLAIMS_LEN],
			enum agent_role signer, unsigned char out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, LABEL_ATTEST, sizeof(LABEL_ATTEST) - 1);
	br_sha256_update(&h, signer == AGENT_SOURCE ? "src" : "dst", 3);
	br_sha256_update(&h, t, 32);
	br_sha256_update(&h, claims, CLAIMS_LEN);
	br_sha256_out(&h, out);
}

/* This host's ATTEST: its claims, its public key, its signature; into the transcript. */
static int send_attest(struct agent *a)
{
	uint8_t body[AGENT_ATTEST_LEN];
	unsigned char t[32], hash[32], sk[ATTEST_SCALAR_LEN];
	br_ec_private_key key = { BR_EC_secp256r1, sk, sizeof(sk) };
	size_t n;

	claims_encode(&a->claims, body);
	memcpy(body + CLAIMS_LEN, a->key->pub, ATTEST_PUB_LEN);
	transcript_hash(a, t);
	attest_hash(t, body, a->role, hash);
	memcpy(sk, a->key->sk, sizeof(sk));
	n = br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, hash, &key,
				  body + CLAIMS_LEN + ATTEST_PUB_LEN);
	secret_wipe(sk, sizeof(sk));
	if (n != POLICY_SIG_LEN) {
		end(a, AGENT_FAILED, true, "ATTEST could not be signed");
		return -1;
	}
	if (send_or_fail(a, AGENT_M_ATTEST, body, sizeof(body)))
		return -1;
	absorb(a, AGENT_M_ATTEST, body, sizeof(body));
	return 0;
}

/*
 * The peer's ATTEST: signed over this transcript by the key whose identity its
 * claims name. 0 with the claims in a->peer_claims, or -1 with @err.
 */
static int check_attest(struct agent *a, const uint8_t *body, size_t len, char *err, size_t errlen)
{
	enum agent_role peer = a->role == AGENT_SOURCE ? AGENT_DESTINATION : AGENT_SOURCE;
	unsigned char t[32], hash[32], id[32];
	uint8_t pub[ATTEST_PUB_LEN];
	br_ec_public_key pk = { BR_EC_secp256r1, pub, sizeof(pub) };
	br_sha256_context h;
	char why[200];

	if (len != AGENT_ATTEST_LEN) {
		format(err, errlen, "ATTEST of %zu bytes; it has %u", len, AGENT_ATTEST_LEN);
		return -1;
	}
	if (claims_decode(body, &a->peer_claims, why, sizeof(why))) {
		format(err, errlen, "ATTEST: %s", why);
		return -1;
	}
	memcpy(pub, body + CLAIMS_LEN, sizeof(pub));
	br_sha256_init(&h);
	br_sha256_update(&h, pub, sizeof(pub));
	br_sha256_out(&h, id);
	if (memcmp(id, a->peer_claims.host_id, sizeof(id))) {
		format(err, errlen,
		       "ATTEST: the claims name a host identity that is not the signing key's");
		return -1;
	}
	transcript_hash(a, t);
	attest_hash(t, body, peer, hash);
	if (br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk,
				  body + CLAIMS_LEN + ATTEST_PUB_LEN, POLICY_SIG_LEN) != 1) {
		format(err, errlen,
		       "ATTEST: the %s's signature over the transcript does not verify "
		       "(impersonation, or a transcript that differs)",
		       peer == AGENT_SOURCE ? "source" : "destination");
		return -1;
	}
	return 0;
}

static void on_policy(struct agent *a, const uint8_t *body, size_t len)
{
	uint8_t result[2 + POLICY_WHY_MAX];
	char err[POLICY_WHY_MAX];
	size_t n;

	/* Nothing is allocated for the VM before this verdict, and nothing if it refuses. */
	if (policy_decode(body, len, &a->pol, err, sizeof(err))) {
		a->verdict.field = POLICY_F_SIGNATURE;
		format(a->verdict.why, sizeof(a->verdict.why), "the policy is refused: %s", err);
	} else {
		absorb(a, AGENT_M_POLICY, a->pol.digest, sizeof(a->pol.digest));
		policy_check(&a->pol, &a->claims, &a->verdict);
		/* Kept: the enclave that arrives under it keeps it, to move on later. */
		memcpy(a->received, body, len);
		a->policy = a->received;
		a->policy_len = len;
	}
	result[0] = a->verdict.field == POLICY_ACCEPTED;
	result[1] = (uint8_t)a->verdict.field;
	n = strlen(a->verdict.why);
	memcpy(result + 2, a->verdict.why, n);
	if (send_or_fail(a, AGENT_M_POLICY_RESULT, result, 2 + n))
		return;
	if (a->verdict.field != POLICY_ACCEPTED) {
		end(a, AGENT_REFUSED, false, "this host fails the enclave's policy: %s",
		    a->verdict.why);
		return;
	}
	absorb(a, AGENT_M_POLICY_RESULT, result, 2 + n);
	if (!send_attest(a))
		a->state = AGENT_WAIT_ATTEST_SOURCE;
}

static void on_policy_result(struct agent *a, const uint8_t *body, size_t len)
{
	if (len < 2 || body[0] > 1 || (body[0] == 1 && (body[1] || len != 2))) {
		end(a, AGENT_FAILED, true, "POLICY_RESULT malformed (%zu bytes, verdict %u)", len,
		    len ? body[0] : 0);
		return;
	}
	if (!body[0]) {
		char text[POLICY_WHY_MAX];

		format_escaped(text, sizeof(text), (const char *)body + 2, len - 2);
		end(a, AGENT_REFUSED, false, "the destination refused the policy (field %s): %s",
		    policy_field_name(body[1]), text);
		return;
	}
	absorb(a, AGENT_M_POLICY_RESULT, body, len);
	a->state = AGENT_WAIT_ATTEST_DEST;
}

static int send_finished(struct agent *a, uint8_t msg)
{
	unsigned char t[32];

	transcript_hash(a, t);
	return send_or_fail(a, msg, t, sizeof(t));
}

static bool finished_ok(struct agent *a, const uint8_t *body, size_t len)
{
	unsigned char t[32];

	transcript_hash(a, t);
	return len == sizeof(t) && equal_ct(body, t, sizeof(t));
}

static void on_attest(struct agent *a, const uint8_t *body, size_t len)
{
	struct policy_verdict v;
	char err[AGENT_WHY_MAX];
	int r = check_attest(a, body, len, err, sizeof(err));

	if (a->role == AGENT_DESTINATION) {
		if (!r && policy_check_host(&a->pol, &a->peer_claims, &v)) {
			format(err, sizeof(err),
			       "the source host is not one the enclave's policy accepts: %s",
			       v.why);
			r = -1;
		}
		/*
		 * The source sent FINISHED under the channel's keys right after its
		 * ATTEST: the keys come first, so that a refusal reaches it under
		 * the keys it now expects.
		 */
		absorb(a, AGENT_M_ATTEST, body, len);
		derive(a, LABEL_APP_S2D, LABEL_APP_D2S);
		a->app_keys = true;
		if (r) {
			end(a, AGENT_FAILED, true, "%s", err);
			return;
		}
		a->state = AGENT_WAIT_FINISHED;
		return;
	}
	if (r) {
		end(a, AGENT_FAILED, true, "%s", err);
		return;
	}
	absorb(a, AGENT_M_ATTEST, body, len);
	/* Again, on what the destination signed: what it said before was unauthenticated. */
	if (policy_check(&a->pol, &a->peer_claims, &v)) {
		end(a, AGENT_FAILED, true,
		    "the destination's signed claims fail the enclave's policy: %s", v.why);
		return;
	}
	if (send_attest(a))
		return;
	derive(a, LABEL_APP_S2D, LABEL_APP_D2S);
	a->app_keys = true;
	if (!send_finished(a, AGENT_M_FINISHED))
		a->state = AGENT_WAIT_READY;
}

static void established(struct agent *a)
{
	char id[2 * TOKEN_HOST_ID_LEN + 1];

	format_hex(id, sizeof(id), a->peer_claims.host_id, TOKEN_HOST_ID_LEN);
	/* Only the channel's keys are needed from here. */
	secret_wipe(a->shared, sizeof(a->shared));
	secret_wipe(&a->transcript, sizeof(a->transcript));
	br_sha256_init(&a->data_sent);
	br_sha256_init(&a->data_taken);
	a->state = AGENT_ESTABLISHED;
	note(a, AGENT_INFO, "agent (%s): channel established with host %s", role_name(a), id);
}

static void on_finished(struct agent *a, const uint8_t *body, size_t len)
{
	char why[200] = "";

	if (!finished_ok(a, body, len)) {
		end(a, AGENT_FAILED, true, "FINISHED does not carry this transcript's hash");
		return;
	}
	if (a->io.create_shell && a->io.create_shell(a->io.ctx, &a->pol, why, sizeof(why))) {
		end(a, AGENT_FAILED, true, "the enclave's shell could not be created: %s", why);
		return;
	}
	a->shell = a->io.create_shell != NULL;
	if (!send_finished(a, AGENT_M_READY))
		established(a);
}

static void on_record(struct agent *a, const uint8_t *p, size_t len)
{
	static const uint8_t due[] = {
		[AGENT_WAIT_POLICY] = AGENT_M_POLICY,
		[AGENT_WAIT_RESULT] = AGENT_M_POLICY_RESULT,
		[AGENT_WAIT_ATTEST_DEST] = AGENT_M_ATTEST,
		[AGENT_WAIT_ATTEST_SOURCE] = AGENT_M_ATTEST,
		[AGENT_WAIT_FINISHED] = AGENT_M_FINISHED,
		[AGENT_WAIT_READY] = AGENT_M_READY,
		[AGENT_ESTABLISHED] = AGENT_M_DATA,
	};
	size_t n;
	uint8_t msg;

	if (!have_keys(a)) {
		end(a, AGENT_FAILED, false, "a record while %s", agent_state_name(a->state));
		return;
	}
	if (open_record(a, p, len, &n))
		return;
	msg = a->plain[0];
	if (msg == AGENT_M_ERROR) {
		char text[AGENT_WHY_MAX];

		format_escaped(text, sizeof(text), (const char *)a->plain + 1, n - 1);
		end(a, AGENT_FAILED, false, "the peer ended the handshake: %s", text);
		return;
	}
	if (msg != due[a->state]) {
		end(a, AGENT_FAILED, true, "%s while %s", msg_name(msg),
		    agent_state_name(a->state));
		return;
	}
	switch (msg) {
	case AGENT_M_POLICY:
		on_policy(a, a->plain + 1, n - 1);
		break;
	case AGENT_M_POLICY_RESULT:
		on_policy_result(a, a->plain + 1, n - 1);
		break;
	case AGENT_M_ATTEST:
		on_attest(a, a->plain + 1, n - 1);
		break;
	case AGENT_M_FINISHED:
		on_finished(a, a->plain + 1, n - 1);
		break;
	case AGENT_M_READY:
		if (finished_ok(a, a->plain + 1, n - 1))
			established(a);
		else
			end(a, AGENT_FAILED, true, "READY does not carry this transcript's hash");
		break;
	case AGENT_M_DATA:
		if (a->io.data)
			a->io.data(a->io.ctx, a->plain + 1, n - 1);
		/* After the layer above took it: what it asks for covers the records before. */
		if (a->state == AGENT_ESTABLISHED)
			br_sha256_update(&a->data_taken, p + len - AGENT_TAG_LEN, AGENT_TAG_LEN);
		break;
	default:
		break;
	}
	secret_wipe(a->plain, n);
}

void agent_init(struct agent *a, enum agent_role role, const struct agent_io *io,
		const struct attest_key *key, const struct platform_claims *claims)
{
	memset(a, 0, sizeof(*a));
	a->io = *io;
	a->role = role;
	a->key = key;
	a->claims = *claims;
	a->state = AGENT_IDLE;
}

int agent_start(struct agent *a, const uint8_t *policy, size_t len)
{
	char err[POLICY_WHY_MAX];

	if (a->role != AGENT_SOURCE || a->state != AGENT_IDLE) {
		format(a->why, sizeof(a->why), "only an idle source agent starts a handshake");
		return -1;
	}
	if (policy_decode(policy, len, &a->pol, err, sizeof(err))) {
		end(a, AGENT_FAILED, false, "the enclave's policy is refused: %s", err);
		return -1;
	}
	if (!a->pol.migratable) {
		end(a, AGENT_REFUSED, false,
		    "migratable: the policy says 0 (never), a migration needs 1");
		return -1;
	}
	a->policy = policy;
	a->policy_len = len;
	if (send_hello(a))
		return -1;
	a->state = AGENT_WAIT_HELLO;
	return 0;
}

void agent_receive(struct agent *a, uint8_t type, const uint8_t *payload, size_t len)
{
	if (agent_done(a) && a->state != AGENT_ESTABLISHED)
		return; /* ended: what still comes is dropped */
	if (type == AGENT_T_HELLO)
		on_hello(a, payload, len);
	else if (type == AGENT_T_RECORD)
		on_record(a, payload, len);
	else
		end(a, AGENT_FAILED, true, "a frame of type 0x%02x, which no agent sends", type);
}

void agent_link_lost(struct agent *a, const char *why)
{
	if (agent_done(a) && a->state != AGENT_ESTABLISHED)
		return;
	end(a, AGENT_FAILED, false, "the link was lost (%s): %s", agent_state_name(a->state), why);
}

void agent_give_up(struct agent *a, const char *why)
{
	if (agent_done(a) && a->state != AGENT_ESTABLISHED)
		return;
	end(a, AGENT_FAILED, true, "%s (%s)", why, agent_state_name(a->state));
}

int agent_send_data(struct agent *a, const uint8_t *data, size_t len)
{
	if (a->state != AGENT_ESTABLISHED || len > AGENT_DATA_MAX)
		return -1;
	return send_or_fail(a, AGENT_M_DATA, data, len);
}

void agent_data_digest(const struct agent *a, bool sent, uint8_t out[32])
{
	br_sha256_context h = sent ? a->data_sent : a->data_taken;

	br_sha256_out(&h, out);
}

int agent_abort_token(const struct agent *a, const uint8_t *what, size_t len,
		      uint8_t out[AGENT_TOKEN_LEN])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	if (a->state != AGENT_ESTABLISHED)
		return -1;
	br_hmac_key_init(&kc, &br_sha256_vtable, a->abort_key, sizeof(a->abort_key));
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, LABEL_TOKEN, sizeof(LABEL_TOKEN) - 1);
	br_hmac_update(&hc, what, len);
	br_hmac_out(&hc, out);
	secret_wipe(&kc, sizeof(kc));
	secret_wipe(&hc, sizeof(hc));
	return 0;
}
