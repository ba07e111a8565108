/* SPDX-License-Identifier: MIT */
/*
 * The migration agents' handshake (docs/enclaves.md, "The agents' handshake"):
 * the part of an enclave's migration that runs in Skiff (EL2) on the source and
 * on the destination host before anything of the enclave moves. Over the host
 * link (whose frames and sessions the agents do not trust) they agree on
 * ephemeral X25519 keys, the source sends the enclave's migration policy first
 * under the handshake key, the destination checks it against its own platform
 * before it allocates anything, both attest (each signs the transcript hash
 * and its platform claims with its attestation key; the source checks the
 * policy again against the destination's signed claims), and both derive a key
 * per direction from HKDF over the transcript. Only then does the destination
 * create the enclave's non-runnable shell; records of the state transfer (the
 * next step, not written yet) are then sealed with agent_seal()/agent_open().
 *
 * All cryptography is BearSSL's: X25519 (br_ec_c25519_m31), SHA-256, HKDF,
 * ChaCha20-Poly1305 (br_poly1305_ctmul_run over br_chacha20_ct_run), ECDSA
 * P-256. Secrets are wiped on every path that ends a handshake.
 *
 * No device, clock, lock or allocation here: frames in through
 * agent_receive(), out and everything else through struct agent_io, so that
 * both agents run in one process in the unit tests. One handshake per agent;
 * a failure is final (the caller may start a new agent).
 */
#ifndef SKIFF_ENCLAVE_AGENT_H
#define SKIFF_ENCLAVE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "enclave/policy.h"
#include "enclave/token.h"

#define AGENT_VERSION 1U

/* Frame types on the host link (its LINK_T_USER range; the migration stream uses 0x20-0x2f). */
#define AGENT_T_HELLO  0x30 /* in the clear */
#define AGENT_T_RECORD 0x31 /* sealed: u64 sequence number, ciphertext, 16-byte tag */

/* Messages inside records: the first plaintext byte. */
#define AGENT_M_POLICY	      1
#define AGENT_M_POLICY_RESULT 2
#define AGENT_M_ATTEST	      3
#define AGENT_M_FINISHED      4
#define AGENT_M_READY	      5
#define AGENT_M_ERROR	      6 /* the sender ends the handshake: a reason in text */
#define AGENT_M_DATA	      7 /* the state transfer's records (the layer above) */

#define AGENT_NONCE_LEN	      32U
#define AGENT_X25519_LEN      32U
#define AGENT_KEY_LEN	      32U
#define AGENT_TAG_LEN	      16U
#define AGENT_SEQ_LEN	      8U
#define AGENT_HELLO_LEN	      (2 + 1 + AGENT_NONCE_LEN + AGENT_X25519_LEN) /* 67 */
#define AGENT_ATTEST_LEN      (CLAIMS_LEN + ATTEST_PUB_LEN + POLICY_SIG_LEN)
#define AGENT_RECORD_OVERHEAD (AGENT_SEQ_LEN + AGENT_TAG_LEN)
#define AGENT_PLAIN_MAX	      (1 + POLICY_MAX_LEN) /* the longest handshake message */
#define AGENT_DATA_MAX	      65510U /* the longest DATA body: a record fills a link frame */
/* The longest plaintext of a record: a DATA message (longer than any handshake one). */
#define AGENT_OPEN_MAX	(1 + AGENT_DATA_MAX)
#define AGENT_WHY_MAX	400
#define AGENT_TOKEN_LEN 32U

enum agent_role { AGENT_SOURCE = 1, AGENT_DESTINATION = 2 };

enum agent_state {
	AGENT_IDLE,
	AGENT_WAIT_HELLO,	  /* source: HELLO sent */
	AGENT_WAIT_POLICY,	  /* destination: HELLOs exchanged */
	AGENT_WAIT_RESULT,	  /* source: POLICY sent */
	AGENT_WAIT_ATTEST_DEST,	  /* source: the policy accepted */
	AGENT_WAIT_ATTEST_SOURCE, /* destination: its attestation sent */
	AGENT_WAIT_FINISHED,	  /* destination: both attested, keys derived */
	AGENT_WAIT_READY,	  /* source: FINISHED sent */
	AGENT_ESTABLISHED,	  /* the channel is up; the destination has its shell */
	AGENT_REFUSED,		  /* the destination's platform fails the policy */
	AGENT_FAILED,		  /* anything else: why says what */
};

enum agent_level { AGENT_INFO, AGENT_WARN, AGENT_ERROR };

struct agent_io {
	void *ctx;
	/* Sends a frame of @type (AGENT_T_*) with @len payload bytes; 0, or -1 when it cannot. */
	int (*send)(void *ctx, uint8_t type, const uint8_t *payload, size_t len);
	/* @len bytes from the host's random generator (the DRBG at EL2). */
	void (*random)(void *ctx, void *buf, size_t len);
	/*
	 * Destination only: creates the non-runnable shell of the enclave the
	 * accepted policy @pol belongs to (what it allocates). 0, or -1 with @why.
	 */
	int (*create_shell)(void *ctx, const struct migration_policy *pol, char *why, size_t len);
	/* Destination only: frees the shell again (the handshake ended after creating it). */
	void (*drop_shell)(void *ctx);
	/* A line for the log. */
	void (*note)(void *ctx, enum agent_level level, const char *text);
	/* A data record of the established channel, authenticated and in order (may be NULL). */
	void (*data)(void *ctx, const uint8_t *data, size_t len);
};

struct agent_dir_keys {
	unsigned char key[AGENT_KEY_LEN];
	uint64_t seq; /* the next record's number */
};

struct agent {
	struct agent_io io;
	enum agent_role role;
	enum agent_state state;
	const struct attest_key *key;  /* this host's attestation key */
	struct platform_claims claims; /* this host's */
	/* Source: the enclave's policy as configured; destination: as received. */
	struct migration_policy pol;
	const uint8_t *policy; /* destination: received[] */
	size_t policy_len;
	uint8_t received[POLICY_MAX_LEN];
	/* The handshake's secrets: wiped when it ends, whichever way. */
	unsigned char eph_sk[AGENT_X25519_LEN];
	unsigned char shared[AGENT_X25519_LEN];
	unsigned char eph_pub[AGENT_X25519_LEN], peer_eph[AGENT_X25519_LEN];
	unsigned char nonce[AGENT_NONCE_LEN], peer_nonce[AGENT_NONCE_LEN];
	br_sha256_context transcript;
	struct agent_dir_keys tx, rx;		/* the handshake's keys, then the channel's */
	unsigned char abort_key[AGENT_KEY_LEN]; /* the channel's, for ABORT tokens */
	bool app_keys;
	bool shell; /* destination: create_shell() succeeded, drop_shell() not called */
	struct platform_claims peer_claims;
	struct policy_verdict verdict; /* the destination's answer to the policy */
	/* The tags of the DATA records sent and taken since established (agent_data_digest). */
	br_sha256_context data_sent, data_taken;
	char why[AGENT_WHY_MAX];				/* why it was refused or failed */
	uint8_t plain[AGENT_OPEN_MAX];				/* a record opened */
	uint8_t sealed[AGENT_OPEN_MAX + AGENT_RECORD_OVERHEAD]; /* a record being sealed */
};

/* An agent of @role for the host with attestation key @key and claims @claims. */
void agent_init(struct agent *a, enum agent_role role, const struct agent_io *io,
		const struct attest_key *key, const struct platform_claims *claims);

/*
 * Source: starts the handshake for the enclave whose policy is the @len bytes
 * at @policy (kept by the caller until the handshake ends). 0, or -1 with
 * a->why (the policy refused or not migratable, HELLO not sent).
 */
int agent_start(struct agent *a, const uint8_t *policy, size_t len);

/* A frame of the agents' (@type AGENT_T_*) from the link. */
void agent_receive(struct agent *a, uint8_t type, const uint8_t *payload, size_t len);

/* The link under the handshake ended (session closed, cut, silence): the agent fails. */
void agent_link_lost(struct agent *a, const char *why);

/* The caller's timeout: the agent fails, telling the peer if keys exist. */
void agent_give_up(struct agent *a, const char *why);

/*
 * Established channel: seals @len bytes (at most AGENT_DATA_MAX) as an
 * AGENT_M_DATA record and sends it; 0, or -1 (not established, too long, or
 * the link took nothing: then the agent failed). agent_receive() hands data
 * records to io.data.
 */
int agent_send_data(struct agent *a, const uint8_t *data, size_t len);

/*
 * Established: an ABORT token for @what (the caller's identity of what is
 * aborted), HMAC-SHA256 under a key of this channel that both sides derive
 * and nobody else has. A destination makes it while the channel stands and
 * may hand it over in the clear later, in another session: the source that
 * made the same token then knows its peer gave up that copy. 0, or -1.
 */
int agent_abort_token(const struct agent *a, const uint8_t *what, size_t len,
		      uint8_t out[AGENT_TOKEN_LEN]);

/*
 * SHA-256 over the tags of the DATA records @sent (else taken) since the
 * channel was established, in order: under the channel's keys, a commitment to
 * every byte of them. A record being taken is not in it until io.data returned.
 */
void agent_data_digest(const struct agent *a, bool sent, uint8_t out[32]);

bool agent_done(const struct agent *a); /* established, refused or failed */
const char *agent_state_name(enum agent_state s);

#endif
