// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <string.h>

#include "enclave/token.h"

/* The order n of P-256's base point, big-endian: a private scalar lies in [1, n - 1]. */
static const unsigned char p256_order[ATTEST_SCALAR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/*
 * memset through a pointer the compiler must read at the call: it cannot tell
 * which function runs, so it cannot drop the store as dead (and the records
 * wiped are 16 KiB: a volatile byte loop was most of the agent harness's time).
 */
static void *(*volatile const wipe_memset)(void *, int, size_t) = memset;

void secret_wipe(void *p, size_t len)
{
	wipe_memset(p, 0, len);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when the big-endian @a is below @b (both ATTEST_SCALAR_LEN bytes). */
static bool below(const unsigned char *a, const unsigned char *b)
{
	for (unsigned int i = 0; i < ATTEST_SCALAR_LEN; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

static bool all_zero(const unsigned char *a, size_t len)
{
	unsigned char acc = 0;

	while (len--)
		acc |= *a++;
	return !acc;
}

enum attest_key_error attest_scalar_from_hex(const char *hex, unsigned char sk[ATTEST_SCALAR_LEN])
{
	unsigned int i;

	for (i = 0; i < ATTEST_KEY_HEX_LEN; i++)
		if (hex_digit(hex[i]) < 0)
			break;
	if (i != ATTEST_KEY_HEX_LEN || hex[i]) {
		secret_wipe(sk, ATTEST_SCALAR_LEN);
		return ATTEST_KEY_NOT_HEX;
	}
	for (i = 0; i < ATTEST_SCALAR_LEN; i++)
		sk[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	if (all_zero(sk, ATTEST_SCALAR_LEN) || !below(sk, p256_order)) {
		secret_wipe(sk, ATTEST_SCALAR_LEN);
		return ATTEST_KEY_OUT_OF_RANGE;
	}
	return ATTEST_KEY_OK;
}

const char *attest_key_error_text(enum attest_key_error e)
{
	switch (e) {
	case ATTEST_KEY_OK:
		return "valid";
	case ATTEST_KEY_NOT_HEX:
		return "must be 64 hexadecimal digits (a P-256 private key, big-endian)";
	case ATTEST_KEY_OUT_OF_RANGE:
		return "is not a P-256 private key: zero, or not below the group order";
	default:
		return "?";
	}
}

/* The public key and the identity that goes with k->sk. */
static int complete(struct attest_key *k)
{
	br_ec_private_key sk = { BR_EC_secp256r1, k->sk, ATTEST_SCALAR_LEN };
	br_sha256_context h;

	if (br_ec_compute_pub(&br_ec_p256_m31, NULL, k->pub, &sk) != ATTEST_PUB_LEN)
		return -1;
	br_sha256_init(&h);
	br_sha256_update(&h, k->pub, ATTEST_PUB_LEN);
	br_sha256_out(&h, k->id);
	return 0;
}

int attest_key_from_scalar(struct attest_key *k, const unsigned char sk[ATTEST_SCALAR_LEN])
{
	memcpy(k->sk, sk, ATTEST_SCALAR_LEN);
	k->ephemeral = false;
	if (complete(k)) {
		secret_wipe(k, sizeof(*k));
		return -1;
	}
	return 0;
}

int attest_key_generate(struct attest_key *k, const br_prng_class **rng)
{
	unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
	br_ec_private_key sk;
	size_t len = br_ec_keygen(rng, &br_ec_p256_m31, &sk, kbuf, BR_EC_secp256r1);
	int r = -1;

	/* BearSSL draws until the scalar is in range, and writes it at full length. */
	if (len == ATTEST_SCALAR_LEN) {
		memcpy(k->sk, sk.x, ATTEST_SCALAR_LEN);
		r = complete(k);
	}
	secret_wipe(kbuf, sizeof(kbuf));
	if (r) {
		secret_wipe(k, sizeof(*k));
		return -1;
	}
	k->ephemeral = true;
	return 0;
}

static void put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void token_encode_body(const struct attest_key *k, const struct token_claims *c,
		       unsigned char body[TOKEN_BODY_LEN])
{
	memcpy(body + TOKEN_OFF_MAGIC, TOKEN_MAGIC, 4);
	put_le16(body + TOKEN_OFF_VERSION, TOKEN_VERSION);
	put_le16(body + TOKEN_OFF_BODY_LEN, TOKEN_BODY_LEN);
	put_le32(body + TOKEN_OFF_SVN, c->svn);
	put_le32(body + TOKEN_OFF_FLAGS, c->flags);
	memcpy(body + TOKEN_OFF_MEASUREMENT, c->measurement, TOKEN_MEASUREMENT_LEN);
	memcpy(body + TOKEN_OFF_CHALLENGE, c->challenge, TOKEN_CHALLENGE_LEN);
	memcpy(body + TOKEN_OFF_HOST_ID, k->id, TOKEN_HOST_ID_LEN);
}

int token_sign(const struct attest_key *k, const struct token_claims *c,
	       unsigned char token[TOKEN_LEN])
{
	unsigned char hash[br_sha256_SIZE], scalar[ATTEST_SCALAR_LEN];
	br_ec_private_key sk = { BR_EC_secp256r1, scalar, ATTEST_SCALAR_LEN };
	br_sha256_context h;
	size_t n;

	token_encode_body(k, c, token);
	br_sha256_init(&h);
	br_sha256_update(&h, token, TOKEN_BODY_LEN);
	br_sha256_out(&h, hash);
	/* BearSSL's key structure points at writable bytes: a copy, wiped after. */
	memcpy(scalar, k->sk, ATTEST_SCALAR_LEN);
	/* Deterministic ECDSA (RFC 6979): no randomness needed at signing time. */
	n = br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, hash, &sk,
				  token + TOKEN_OFF_SIGNATURE);
	secret_wipe(scalar, sizeof(scalar));
	if (n != TOKEN_SIG_LEN) {
		memset(token, 0, TOKEN_LEN);
		return -1;
	}
	return 0;
}
