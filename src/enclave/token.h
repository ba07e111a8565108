/* SPDX-License-Identifier: MIT */
/*
 * The host's attestation key (ECDSA P-256) and the attestation token it signs
 * (docs/enclaves.md; the layout is in enclave/abi.h). Pure code on BearSSL: the
 * hypervisor links the EL2 build, the unit tests the host's.
 */
#ifndef SKIFF_ENCLAVE_TOKEN_H
#define SKIFF_ENCLAVE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "enclave/abi.h"

#define ATTEST_SCALAR_LEN  32U /* a P-256 private key, big-endian */
#define ATTEST_KEY_HEX_LEN (2 * ATTEST_SCALAR_LEN)
#define ATTEST_PUB_LEN	   65U /* 04 || X || Y */

/*
 * Skiff's security version, in every token: raised whenever a fix changes what an
 * enclave can rely on, so a verifier can refuse tokens of hosts that lack it.
 */
#define SKIFF_SECURITY_VERSION 1U

struct attest_key {
	unsigned char sk[ATTEST_SCALAR_LEN];
	unsigned char pub[ATTEST_PUB_LEN];
	unsigned char id[TOKEN_HOST_ID_LEN]; /* SHA-256(pub): the host's identity */
	bool ephemeral;			     /* generated at boot, not configured */
};

/* What a token says, before it is encoded and signed. */
struct token_claims {
	uint32_t svn;
	uint32_t flags;
	unsigned char measurement[TOKEN_MEASUREMENT_LEN];
	unsigned char challenge[TOKEN_CHALLENGE_LEN];
};

enum attest_key_error {
	ATTEST_KEY_OK = 0,
	ATTEST_KEY_NOT_HEX,	 /* not exactly 64 hexadecimal digits */
	ATTEST_KEY_OUT_OF_RANGE, /* zero, or not below the group order */
};

/* Decodes a private scalar written as 64 hex digits (big-endian) and checks 0 < d < n. */
enum attest_key_error attest_scalar_from_hex(const char *hex, unsigned char sk[ATTEST_SCALAR_LEN]);
/* Says what was wrong, for the configuration's error message. */
const char *attest_key_error_text(enum attest_key_error e);

/* Completes @k from a valid scalar: the public key and the identity. -1 on failure. */
int attest_key_from_scalar(struct attest_key *k, const unsigned char sk[ATTEST_SCALAR_LEN]);
/* A new key pair from @rng (marked ephemeral). -1 on failure. */
int attest_key_generate(struct attest_key *k, const br_prng_class **rng);

/* Writes the token's body (TOKEN_BODY_LEN bytes) for @c under @k's identity. */
void token_encode_body(const struct attest_key *k, const struct token_claims *c,
		       unsigned char body[TOKEN_BODY_LEN]);
/* The whole token: body and signature. -1 if signing failed. */
int token_sign(const struct attest_key *k, const struct token_claims *c,
	       unsigned char token[TOKEN_LEN]);

/* Overwrites @len bytes of secret in a way the compiler keeps. */
void secret_wipe(void *p, size_t len);

#endif
