// SPDX-License-Identifier: MIT
/*
 * The host's attestation key and the token (enclave/token.c) against what
 * docs/enclaves.md says: the key's hex form and range, public keys as known
 * elsewhere (P-256's generator; RFC 6979's test key, whose public point Python's
 * cryptography package computed), the body's bytes at their documented offsets,
 * and a signature that the host's BearSSL verifies over exactly the body.
 */
#include <bearssl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enclave/token.h"

/* RFC 6979, A.2.5: the P-256 private key x and its public point U. */
#define RFC_KEY "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
static const char rfc_pub[] = "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29f"
			      "b67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
/* P-256's base point G, the public key of d = 1 (SEC 2, uncompressed). */
static const char g_pub[] = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
			    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

static void unhex(const char *hex, unsigned char *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
}

static void key_from_hex(struct attest_key *k, const char *hex)
{
	unsigned char sk[ATTEST_SCALAR_LEN];

	assert_int_equal(attest_scalar_from_hex(hex, sk), ATTEST_KEY_OK);
	assert_int_equal(attest_key_from_scalar(k, sk), 0);
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, data, len);
	br_sha256_out(&h, out);
}

static void test_scalar_hex_and_range(void **state)
{
	unsigned char sk[ATTEST_SCALAR_LEN], want[ATTEST_SCALAR_LEN];

	(void)state;
	assert_int_equal(attest_scalar_from_hex(RFC_KEY, sk), ATTEST_KEY_OK);
	unhex(RFC_KEY, want, sizeof(want));
	assert_memory_equal(sk, want, sizeof(want));
	/* Upper case is hex too. */
	assert_int_equal(attest_scalar_from_hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B12"
						"7B8A622B120F6721",
						sk),
			 ATTEST_KEY_OK);
	assert_memory_equal(sk, want, sizeof(want));
	/* 1 and n - 1 are the ends of the range; 0, n and n + 1 are out. */
	assert_int_equal(attest_scalar_from_hex("0000000000000000000000000000000000000000000000000"
						"000000000000001",
						sk),
			 ATTEST_KEY_OK);
	assert_int_equal(attest_scalar_from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84"
						"f3b9cac2fc632550",
						sk),
			 ATTEST_KEY_OK);
	assert_int_equal(attest_scalar_from_hex("0000000000000000000000000000000000000000000000000"
						"000000000000000",
						sk),
			 ATTEST_KEY_OUT_OF_RANGE);
	assert_int_equal(attest_scalar_from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84"
						"f3b9cac2fc632551",
						sk),
			 ATTEST_KEY_OUT_OF_RANGE);
	assert_int_equal(attest_scalar_from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84"
						"f3b9cac2fc632552",
						sk),
			 ATTEST_KEY_OUT_OF_RANGE);
	assert_int_equal(attest_scalar_from_hex("ffffffffffffffffffffffffffffffffffffffffffffffff"
						"ffffffffffffffff",
						sk),
			 ATTEST_KEY_OUT_OF_RANGE);
	/* A refused key leaves nothing of itself behind. */
	for (unsigned int i = 0; i < sizeof(sk); i++)
		assert_int_equal(sk[i], 0);
	assert_int_equal(attest_scalar_from_hex("", sk), ATTEST_KEY_NOT_HEX);
	assert_int_equal(attest_scalar_from_hex(RFC_KEY "0", sk), ATTEST_KEY_NOT_HEX);
	assert_int_equal(attest_scalar_from_hex(RFC_KEY + 1, sk), ATTEST_KEY_NOT_HEX);
	assert_int_equal(attest_scalar_from_hex("0x" RFC_KEY, sk), ATTEST_KEY_NOT_HEX);
	/* 64 characters, but "0x" is no part of the hex form. */
	assert_int_equal(attest_scalar_from_hex("0xafa9d845ba75166b5c215767b1d6934e50c3db36e89b127b"
						"8a622b120f6721",
						sk),
			 ATTEST_KEY_NOT_HEX);
	assert_int_equal(attest_scalar_from_hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b"
						"8a622b120f672 ",
						sk),
			 ATTEST_KEY_NOT_HEX);
	assert_non_null(strstr(attest_key_error_text(ATTEST_KEY_NOT_HEX), "64 hexadecimal"));
	assert_non_null(strstr(attest_key_error_text(ATTEST_KEY_OUT_OF_RANGE), "group order"));
}

static void test_public_key_and_identity(void **state)
{
	unsigned char want[ATTEST_PUB_LEN], id[32];
	struct attest_key k;

	(void)state;
	key_from_hex(&k, "0000000000000000000000000000000000000000000000000000000000000001");
	unhex(g_pub, want, sizeof(want));
	assert_memory_equal(k.pub, want, sizeof(want));
	assert_false(k.ephemeral);

	key_from_hex(&k, RFC_KEY);
	unhex(rfc_pub, want, sizeof(want));
	assert_memory_equal(k.pub, want, sizeof(want));
	sha256(want, sizeof(want), id);
	assert_memory_equal(k.id, id, sizeof(id));
}

static void le(unsigned char *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static struct token_claims claims(void)
{
	struct token_claims c = { .svn = 0x01020304, .flags = TOKEN_FLAG_EPHEMERAL_KEY };

	for (unsigned int i = 0; i < sizeof(c.measurement); i++)
		c.measurement[i] = (unsigned char)(0xa0 + i);
	for (unsigned int i = 0; i < sizeof(c.challenge); i++)
		c.challenge[i] = (unsigned char)(0x40 + i);
	return c;
}

/* The body, byte by byte as docs/enclaves.md lays it out (not through abi.h's offsets). */
static void test_body_layout(void **state)
{
	unsigned char body[144], want[144];
	struct token_claims c = claims();
	struct attest_key k;

	(void)state;
	key_from_hex(&k, RFC_KEY);
	memset(body, 0xee, sizeof(body));
	token_encode_body(&k, &c, body);
	memcpy(want, "SKAT", 4);
	le(want + 4, 1, 2);
	le(want + 6, 144, 2);
	le(want + 8, 0x01020304, 4);
	le(want + 12, 1, 4);
	memcpy(want + 16, c.measurement, 32);
	memcpy(want + 48, c.challenge, 64);
	memcpy(want + 112, k.id, 32);
	assert_memory_equal(body, want, sizeof(want));
	assert_int_equal(TOKEN_BODY_LEN, 144);
	assert_int_equal(TOKEN_LEN, 208);
}

static bool verifies(const unsigned char *token, const unsigned char *pub)
{
	unsigned char hash[32], q[ATTEST_PUB_LEN];
	br_ec_public_key pk = { BR_EC_secp256r1, q, sizeof(q) };

	memcpy(q, pub, sizeof(q));
	sha256(token, TOKEN_BODY_LEN, hash);
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk,
				     token + TOKEN_BODY_LEN, 64) == 1;
}

static void test_signature_covers_the_body(void **state)
{
	unsigned char token[TOKEN_LEN], body[TOKEN_BODY_LEN], again[TOKEN_LEN];
	struct token_claims c = claims();
	struct attest_key k, other;

	(void)state;
	key_from_hex(&k, RFC_KEY);
	key_from_hex(&other, "0000000000000000000000000000000000000000000000000000000000000001");
	assert_int_equal(token_sign(&k, &c, token), 0);
	token_encode_body(&k, &c, body);
	assert_memory_equal(token, body, sizeof(body));
	assert_true(verifies(token, k.pub));
	assert_false(verifies(token, other.pub));
	/* Any one bit flipped anywhere, body or signature, and it no longer verifies. */
	for (unsigned int i = 0; i < TOKEN_LEN; i++)
		for (unsigned int bit = 0; bit < 8; bit += 3) {
			token[i] ^= (unsigned char)(1U << bit);
			if (verifies(token, k.pub))
				fail_msg("verifies with bit %u of byte %u flipped", bit, i);
			token[i] ^= (unsigned char)(1U << bit);
		}
	/* Deterministic (RFC 6979): the same claims sign the same; another challenge not. */
	assert_int_equal(token_sign(&k, &c, again), 0);
	assert_memory_equal(token, again, TOKEN_LEN);
	c.challenge[63] ^= 1;
	assert_int_equal(token_sign(&k, &c, again), 0);
	assert_memory_not_equal(token + TOKEN_BODY_LEN, again + TOKEN_BODY_LEN, 64);
	assert_true(verifies(again, k.pub));
}

/* A generated key is a valid one (its public key is the one its scalar gives). */
static void test_generated_key(void **state)
{
	br_hmac_drbg_context a, b;
	struct attest_key k1, k2, check;

	(void)state;
	br_hmac_drbg_init(&a, &br_sha256_vtable, "seed one", 8);
	br_hmac_drbg_init(&b, &br_sha256_vtable, "seed two", 8);
	assert_int_equal(attest_key_generate(&k1, &a.vtable), 0);
	assert_int_equal(attest_key_generate(&k2, &b.vtable), 0);
	assert_true(k1.ephemeral);
	assert_memory_not_equal(k1.sk, k2.sk, ATTEST_SCALAR_LEN);
	assert_int_equal(attest_key_from_scalar(&check, k1.sk), 0);
	assert_memory_equal(check.pub, k1.pub, ATTEST_PUB_LEN);
	assert_memory_equal(check.id, k1.id, sizeof(check.id));
}

static void test_wipe(void **state)
{
	unsigned char secret[40];

	(void)state;
	memset(secret, 0x5a, sizeof(secret));
	secret_wipe(secret, sizeof(secret));
	for (unsigned int i = 0; i < sizeof(secret); i++)
		assert_int_equal(secret[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalar_hex_and_range),
		cmocka_unit_test(test_public_key_and_identity),
		cmocka_unit_test(test_body_layout),
		cmocka_unit_test(test_signature_covers_the_body),
		cmocka_unit_test(test_generated_key),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
