// SPDX-License-Identifier: MIT
/*
 * The migration policy (enclave/policy.c) against docs/enclaves.md: the
 * encoding byte by byte and its signature as the host's BearSSL verifies it,
 * every field's acceptance and refusal (each naming the field and both
 * values), unknown, missing, repeated and reordered fields, values out of
 * range, a bad signature and every truncation. Encodings that the encoder
 * would never write are built here by hand and signed here.
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

#include "enclave/policy.h"
#include "enclave_fixture.h"

static struct attest_key owner, other, host;

static void key(struct attest_key *k, const char *hex)
{
	unsigned char sk[ATTEST_SCALAR_LEN];

	assert_int_equal(attest_scalar_from_hex(hex, sk), ATTEST_KEY_OK);
	assert_int_equal(attest_key_from_scalar(k, sk), 0);
}

static int setup(void **state)
{
	(void)state;
	key(&owner, FIXTURE_OWNER_KEY);
	key(&other, FIXTURE_OTHER_KEY);
	key(&host, FIXTURE_HOST_A_KEY);
	return 0;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, data, len);
	br_sha256_out(&h, out);
}

static size_t encode(const struct migration_policy *p, uint32_t fields, uint8_t *out)
{
	size_t n = policy_encode(p, fields, owner.sk, out, POLICY_MAX_LEN);

	assert_true(n > 0);
	return n;
}

static void base(struct migration_policy *p, struct platform_claims *c)
{
	fixture_policy(p, owner.pub, host.id);
	fixture_claims(c, host.id);
}

/* Header, @fields_len bytes of fields at @fields, signed by @k: a policy built by hand. */
static size_t build(const uint8_t *fields, size_t fields_len, const struct attest_key *k,
		    uint8_t *out)
{
	unsigned char hash[32], sk[ATTEST_SCALAR_LEN];
	br_ec_private_key priv = { BR_EC_secp256r1, sk, sizeof(sk) };

	memcpy(out, "SKMP", 4);
	out[4] = 1;
	out[5] = 0;
	out[6] = (uint8_t)fields_len;
	out[7] = (uint8_t)(fields_len >> 8);
	memcpy(out + 8, fields, fields_len);
	sha256(out, 8 + fields_len, hash);
	memcpy(sk, k->sk, sizeof(sk));
	assert_int_equal(br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, hash, &priv,
					       out + 8 + fields_len),
			 64);
	return 8 + fields_len + 64;
}

static const char *refusal(const uint8_t *p, size_t len)
{
	static char err[300];
	struct migration_policy out;

	memset(err, 0, sizeof(err));
	memset(&out, 0x5a, sizeof(out));
	if (!policy_decode(p, len, &out, err, sizeof(err)))
		return NULL;
	/* A refusal leaves nothing of what it read. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(((uint8_t *)&out)[i], 0);
	assert_true(err[0]);
	return err;
}

static void expect_refused(const uint8_t *p, size_t len, const char *what)
{
	const char *err = refusal(p, len);

	if (!err) {
		fail_msg("accepted; expected a refusal with \"%s\"", what);
		return;
	}
	if (!strstr(err, what))
		fail_msg("refused with \"%s\"; expected \"%s\"", err, what);
}

/* The encoding written out from docs/enclaves.md. */
static void test_encoding_layout(void **state)
{
	struct migration_policy p;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN], *f;
	unsigned char hash[32];
	br_ec_public_key pk = { BR_EC_secp256r1, owner.pub, ATTEST_PUB_LEN };
	size_t n;

	(void)state;
	base(&p, &c);
	n = encode(&p, POLICY_ALL_FIELDS, enc);
	/* 8 header; 9 field headers; 65 + 1 + 4 + 4 + 32 + 8 ("fleet-a" and its length) +
	 * 432 + 9 + 1 values; 64 signature. */
	assert_int_equal(n, 8 + 9 * 4 + 65 + 1 + 4 + 4 + 32 + 8 + 432 + 9 + 1 + 64);
	assert_memory_equal(enc, "SKMP\x01\x00", 6);
	assert_int_equal(enc[6] | enc[7] << 8, n - 8 - 64);
	f = enc + 8;
	assert_memory_equal(f, "\x01\x00\x41\x00", 4); /* owner-key, 65 bytes */
	assert_memory_equal(f + 4, owner.pub, 65);
	f += 4 + 65;
	assert_memory_equal(f, "\x02\x00\x01\x00\x01", 5); /* migratable 1 */
	f += 5;
	assert_memory_equal(f, "\x03\x00\x04\x00\x03\x00\x00\x00", 8); /* policy-svn 3 */
	f += 8;
	assert_memory_equal(f, "\x04\x00\x04\x00\x01\x00\x00\x00", 8); /* min-skiff-svn 1 */
	f += 8;
	assert_memory_equal(f, "\x05\x00\x20\x00", 4); /* host-keys: one identity */
	assert_memory_equal(f + 4, host.id, 32);
	f += 4 + 32;
	assert_memory_equal(f,
			    "\x06\x00\x08\x00\x07"
			    "fleet-a",
			    12);
	f += 12;
	assert_memory_equal(f,
			    "\x07\x00\xb0\x01\x01\x00\x00\x00"
			    "armv8.0\0",
			    16);
	f += 4 + 432;
	/* counter: mmio (3), 62 500 000 Hz = 0x3b9aca0 */
	assert_memory_equal(f, "\x08\x00\x09\x00\x03\xa0\xac\xb9\x03\x00\x00\x00\x00", 13);
	f += 13;
	assert_memory_equal(f, "\x09\x00\x01\x00\x01", 5);
	f += 5;
	assert_ptr_equal(f, enc + n - 64);
	sha256(enc, n - 64, hash);
	assert_int_equal(br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, 32, &pk, enc + n - 64, 64),
			 1);
}

static void test_round_trip(void **state)
{
	struct migration_policy p, back;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN];
	unsigned char digest[32];
	char err[300];
	size_t n;

	(void)state;
	base(&p, &c);
	p.nhost_keys = 2;
	memcpy(p.host_keys[1], other.id, 32);
	p.nclasses = 2;
	strcpy(p.classes[1], "Lab_2.x");
	n = encode(&p, POLICY_ALL_FIELDS, enc);
	assert_int_equal(policy_decode(enc, n, &back, err, sizeof(err)), 0);
	sha256(enc, n, digest);
	assert_memory_equal(back.digest, digest, 32);
	assert_memory_equal(back.owner_key, owner.pub, 65);
	assert_true(back.migratable && back.enclave_required);
	assert_int_equal(back.svn, 3);
	assert_int_equal(back.min_skiff_svn, 1);
	assert_int_equal(back.nhost_keys, 2);
	assert_memory_equal(back.host_keys[0], host.id, 32);
	assert_memory_equal(back.host_keys[1], other.id, 32);
	assert_int_equal(back.nclasses, 2);
	assert_string_equal(back.classes[0], "fleet-a");
	assert_string_equal(back.classes[1], "Lab_2.x");
	assert_string_equal(back.cpu_profile.name, "armv8.0");
	assert_memory_equal(back.cpu_profile.id, p.cpu_profile.id, sizeof(p.cpu_profile.id));
	assert_memory_equal(back.cpu_profile.ccsidr, p.cpu_profile.ccsidr,
			    sizeof(p.cpu_profile.ccsidr));
	assert_int_equal(back.cpu_profile.midr, 0x000f0800);
	assert_int_equal(back.counter_mode, POLICY_COUNTER_MMIO);
	assert_int_equal(back.counter_hz, 62500000);
	assert_int_equal(policy_check(&back, &c, &(struct policy_verdict){ 0 }), 0);
}

struct field_case {
	const char *what;
	void (*deny)(struct migration_policy *p, struct platform_claims *c);
	void (*edge)(struct migration_policy *p, struct platform_claims *c); /* still accepted */
	enum policy_field field;
	const char *why; /* the whole message */
};

static void not_migratable(struct migration_policy *p, struct platform_claims *c)
{
	(void)c;
	p->migratable = false;
}

static void svn_below(struct migration_policy *p, struct platform_claims *c)
{
	p->svn = 3;
	c->min_policy_svn = 4;
}

static void svn_equal(struct migration_policy *p, struct platform_claims *c)
{
	p->svn = 4;
	c->min_policy_svn = 4;
}

static void skiff_old(struct migration_policy *p, struct platform_claims *c)
{
	p->min_skiff_svn = 2;
	c->skiff_svn = 1;
}

static void skiff_equal(struct migration_policy *p, struct platform_claims *c)
{
	p->min_skiff_svn = 2;
	c->skiff_svn = 2;
}

static void unknown_key(struct migration_policy *p, struct platform_claims *c)
{
	memcpy(c->host_id, other.id, 32);
	strcpy(c->host_class, "fleet-b");
	(void)p;
}

static void class_only(struct migration_policy *p, struct platform_claims *c)
{
	memcpy(c->host_id, other.id, 32);
	strcpy(c->host_class, "fleet-a");
	(void)p;
}

static void unknown_class(struct migration_policy *p, struct platform_claims *c)
{
	p->nhost_keys = 0;
	memset(p->host_keys, 0, sizeof(p->host_keys));
	strcpy(c->host_class, "");
}

static void profile_lacking(struct migration_policy *p, struct platform_claims *c)
{
	(void)c;
	cpu_profile_named("armv8.2", &p->cpu_profile);
}

static void counter_native_other(struct migration_policy *p, struct platform_claims *c)
{
	p->counter_mode = POLICY_COUNTER_NATIVE;
	c->counter_hz = 1000000000;
}

static void counter_native_same(struct migration_policy *p, struct platform_claims *c)
{
	p->counter_mode = POLICY_COUNTER_NATIVE;
	c->counter_hz = 62500000;
}

static void counter_sysreg_no_ecv(struct migration_policy *p, struct platform_claims *c)
{
	p->counter_mode = POLICY_COUNTER_SYSREG;
	c->ecv = false;
}

static void counter_sysreg_ecv(struct migration_policy *p, struct platform_claims *c)
{
	p->counter_mode = POLICY_COUNTER_SYSREG;
	c->ecv = true;
	c->counter_hz = 1000000000;
}

static void no_enclaves(struct migration_policy *p, struct platform_claims *c)
{
	p->enclave_required = true;
	c->enclave = false;
}

static void enclave_not_required(struct migration_policy *p, struct platform_claims *c)
{
	p->enclave_required = false;
	c->enclave = false;
}

static void host_id_hex(char *out, const unsigned char *id)
{
	for (unsigned int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
}

static void test_every_field_accepts_and_denies(void **state)
{
	char other_hex[65], host_hex[65], unknown_key_why[300], unknown_class_why[300];
	const struct field_case cases[] = {
		{ "not migratable", not_migratable, NULL, POLICY_F_MIGRATABLE,
		  "migratable: the policy says 0 (never), a migration needs 1" },
		{ "old policy", svn_below, svn_equal, POLICY_F_POLICY_SVN,
		  "policy-svn: the policy's is 3, this host accepts 4 at least (an older policy: "
		  "downgrade refused)" },
		{ "old Skiff", skiff_old, skiff_equal, POLICY_F_MIN_SKIFF_SVN,
		  "min-skiff-svn: the policy needs Skiff security version 2 at least, this host's "
		  "is 1" },
		{ "unknown key", unknown_key, class_only, POLICY_F_HOST_KEYS, unknown_key_why },
		{ "unknown class", unknown_class, NULL, POLICY_F_HOST_CLASSES, unknown_class_why },
		{ "profile", profile_lacking, NULL, POLICY_F_CPU_PROFILE,
		  "cpu-profile: armv8.2 needs FEAT_LSE (ID_AA64ISAR0_EL1.Atomic 2), this host has "
		  "0 (and 19 more fields)" },
		{ "native counter", counter_native_other, counter_native_same, POLICY_F_COUNTER,
		  "counter: the policy needs the host's counter at 62500000 Hz (native), this "
		  "host's runs at 1000000000 Hz" },
		{ "sysreg counter", counter_sysreg_no_ecv, counter_sysreg_ecv, POLICY_F_COUNTER,
		  "counter: the policy needs a scaled system-register counter at 62500000 Hz "
		  "(sysreg: FEAT_ECV), this host has no FEAT_ECV" },
		{ "enclave", no_enclaves, enclave_not_required, POLICY_F_ENCLAVE_REQUIRED,
		  "enclave-required: the policy needs 1 (an enclave on the destination), this host "
		  "runs enclaves: 0" },
	};

	(void)state;
	host_id_hex(other_hex, other.id);
	host_id_hex(host_hex, host.id);
	snprintf(unknown_key_why, sizeof(unknown_key_why),
		 "host-keys: this host (identity %s, class \"fleet-b\") is none of the "
		 "policy's 1 host keys (first %s) and 1 host classes (first \"fleet-a\")",
		 other_hex, host_hex);
	snprintf(unknown_class_why, sizeof(unknown_class_why),
		 "host-classes: this host (identity %s, class \"\") is none of the policy's 0 "
		 "host keys (first none) and 1 host classes (first \"fleet-a\")",
		 host_hex);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct migration_policy p, dec;
		struct platform_claims c;
		struct policy_verdict v;
		uint8_t enc[POLICY_MAX_LEN];
		char err[300];
		size_t n;

		base(&p, &c);
		cases[i].deny(&p, &c);
		/* Through the encoding, as a destination gets it. */
		n = encode(&p, POLICY_ALL_FIELDS, enc);
		assert_int_equal(policy_decode(enc, n, &dec, err, sizeof(err)), 0);
		if (policy_check(&dec, &c, &v) != -1)
			fail_msg("%s: accepted", cases[i].what);
		assert_int_equal(v.field, cases[i].field);
		if (strcmp(v.why, cases[i].why))
			fail_msg("%s: \"%s\"\n expected \"%s\"", cases[i].what, v.why,
				 cases[i].why);
		if (!cases[i].edge)
			continue;
		base(&p, &c);
		cases[i].edge(&p, &c);
		if (policy_check(&p, &c, &v))
			fail_msg("%s: the edge case refused: %s", cases[i].what, v.why);
		assert_int_equal(v.field, POLICY_ACCEPTED);
	}
}

/* Only the host part for a source: its profile and counter do not matter. */
static void test_check_host_only(void **state)
{
	struct migration_policy p;
	struct platform_claims c;
	struct policy_verdict v;

	(void)state;
	base(&p, &c);
	c.min_policy_svn = 99;
	c.enclave = false;
	c.counter_hz = 1;
	memset(&c.cpu, 0, sizeof(c.cpu));
	assert_int_equal(policy_check_host(&p, &c, &v), 0);
	unknown_key(&p, &c);
	assert_int_equal(policy_check_host(&p, &c, &v), -1);
	assert_int_equal(v.field, POLICY_F_HOST_KEYS);
}

static void test_missing_fields(void **state)
{
	struct migration_policy p;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN];
	char want[80];

	(void)state;
	base(&p, &c);
	for (unsigned int tag = 1; tag < POLICY_F_COUNT; tag++) {
		size_t n = encode(&p, POLICY_ALL_FIELDS & ~(1U << tag), enc);

		snprintf(want, sizeof(want), "field %s (%u) is missing", policy_field_name(tag),
			 tag);
		expect_refused(enc, n, want);
	}
	expect_refused(enc, encode(&p, 0, enc), "field owner-key (1) is missing");
}

/* Fields as the encoder writes them, to splice by hand. */
static size_t fields_of(uint8_t *fields)
{
	struct migration_policy p;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN];
	size_t n;

	base(&p, &c);
	n = encode(&p, POLICY_ALL_FIELDS, enc);
	memcpy(fields, enc + 8, n - 8 - 64);
	return n - 8 - 64;
}

static void test_unknown_repeated_reordered(void **state)
{
	uint8_t fields[POLICY_MAX_LEN], f2[POLICY_MAX_LEN], enc[POLICY_MAX_LEN];
	size_t n = fields_of(fields), first = 4 + 65, second = 5;

	(void)state;
	/* Signed right, and still refused: a field 10 after the last. */
	memcpy(f2, fields, n);
	memcpy(f2 + n, "\x0a\x00\x01\x00\x00", 5);
	expect_refused(enc, build(f2, n + 5, &owner, enc), "unknown field 10 at byte " /* 8 + n */);
	/* Tag 0, and a tag far above. */
	memcpy(f2, "\x00\x00\x00\x00", 4);
	memcpy(f2 + 4, fields, n);
	expect_refused(enc, build(f2, n + 4, &owner, enc), "unknown field 0 at byte 8");
	memcpy(f2, fields, n);
	memcpy(f2 + n, "\xff\xff\x00\x00", 4);
	expect_refused(enc, build(f2, n + 4, &owner, enc), "unknown field 65535");
	/* migratable before owner-key. */
	memcpy(f2, fields + first, second);
	memcpy(f2 + second, fields, first);
	memcpy(f2 + first + second, fields + first + second, n - first - second);
	expect_refused(
		enc, build(f2, n, &owner, enc),
		"field owner-key (1) is missing: field migratable (2) at byte 8 comes first");
	/* migratable twice. */
	memcpy(f2, fields, first + second);
	memcpy(f2 + first + second, fields + first, n - first);
	expect_refused(enc, build(f2, n + second, &owner, enc),
		       "field migratable (2) at byte 82 after migratable (2)");
	/* The whole policy as it is, with a byte after the signature. */
	n = build(fields, n, &owner, enc);
	assert_null(refusal(enc, n));
	enc[n] = 0;
	expect_refused(enc, n + 1, "bytes; its header says");
}

static void test_values_out_of_range(void **state)
{
	struct {
		size_t off; /* from the start of the fields */
		uint8_t value;
		const char *why;
	} cases[] = {
		{ 4, 0x03, "owner-key: starts with 0x03" },
		{ 4 + 65 + 4, 2, "migratable: 2; it is 0 or 1" },
		{ 4 + 65 + 5 + 8 + 8 + 2, 0x21, "host-keys: 33 bytes" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 5, '/', "host-classes: class 0 at byte 0" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 4, 8, "host-classes: class 0 at byte 0" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 4, 0, "host-classes: class 0 at byte 0" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 12 + 4, 2,
		  "cpu-profile: version 2; this host reads 1" },
		{ 138 + 4 + 36, 1, "cpu-profile: \"host\" names no CPU" },
		{ 138 + 4 + 37, 4, "cpu-profile: unknown flags 0x400" },
		{ 138 + 4 + 4, 0, "cpu-profile: its name is empty" },
		{ 138 + 4 + 4 + 31, 'x', "cpu-profile: byte 31 of its name follows its NUL" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 12 + 436 + 4, 0, "counter: mode 0; it is 1 (native)" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 12 + 436 + 4, 4, "counter: mode 4" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 12 + 436 + 9, 1, "counter: 4357467296 Hz" },
		{ 4 + 65 + 5 + 8 + 8 + 36 + 12 + 436 + 13 + 4, 7,
		  "enclave-required: 7; it is 0 or 1" },
	};
	uint8_t fields[POLICY_MAX_LEN], f2[POLICY_MAX_LEN], enc[POLICY_MAX_LEN];
	size_t n = fields_of(fields);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(f2, fields, n);
		f2[cases[i].off] = cases[i].value;
		expect_refused(enc, build(f2, n, &owner, enc), cases[i].why);
	}
	/* A zero frequency; and no host named at all (both lists empty). */
	memcpy(f2, fields, n);
	memset(f2 + 4 + 65 + 5 + 8 + 8 + 36 + 12 + 436 + 5, 0, 8);
	expect_refused(enc, build(f2, n, &owner, enc), "counter: 0 Hz");
	memcpy(f2, fields, 4 + 65 + 5 + 8 + 8);
	memcpy(f2 + 90, "\x05\x00\x00\x00\x06\x00\x00\x00", 8);
	memcpy(f2 + 98, fields + 90 + 36 + 12, n - 90 - 36 - 12);
	expect_refused(enc, build(f2, n - 40, &owner, enc),
		       "host-keys and host-classes are both empty");
}

static void test_bad_signature(void **state)
{
	struct migration_policy p, dec;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN], fields[POLICY_MAX_LEN];
	char err[300];
	size_t n, nf;

	(void)state;
	base(&p, &c);
	n = encode(&p, POLICY_ALL_FIELDS, enc);
	/* Any one bit flipped anywhere: refused (by its form, or by the signature). */
	for (size_t i = 0; i < n; i++) {
		enc[i] ^= 0x10;
		if (!policy_decode(enc, n, &dec, err, sizeof(err)))
			fail_msg("accepted with byte %zu changed", i);
		enc[i] ^= 0x10;
	}
	/* A value changed where any value is valid: the signature is what refuses it. */
	enc[8 + 4 + 65 + 5 + 4] ^= 0x01; /* policy-svn 3 -> 2 */
	expect_refused(enc, n, "signature: it does not verify under the owner-key");
	enc[8 + 4 + 65 + 5 + 4] ^= 0x01;
	/* Signed by another key than the one it names. */
	nf = fields_of(fields);
	expect_refused(enc, build(fields, nf, &other, enc), "signature: it does not verify");
	/* Another owner key named, signed by that key: valid (the key is the policy's). */
	memcpy(p.owner_key, other.pub, 65);
	n = policy_encode(&p, POLICY_ALL_FIELDS, other.sk, enc, sizeof(enc));
	assert_true(n);
	assert_null(refusal(enc, n));
	/* An owner key that is no point on the curve. */
	memcpy(fields + 4, owner.pub, 65);
	fields[4 + 64] ^= 1;
	expect_refused(enc, build(fields, nf, &owner, enc), "signature: it does not verify");
}

static void test_truncated(void **state)
{
	struct migration_policy p;
	struct platform_claims c;
	uint8_t enc[POLICY_MAX_LEN], cut[POLICY_MAX_LEN];
	size_t n;

	(void)state;
	base(&p, &c);
	memset(cut, 0, sizeof(cut));
	n = encode(&p, POLICY_ALL_FIELDS, enc);
	assert_true(n > 8);
	for (size_t len = 0; len < n; len++) {
		/* A copy of exactly @len bytes, so ASan sees any read past the end. */
		uint8_t *b = malloc(len ? len : 1);

		memcpy(b, enc, len);
		if (!refusal(b, len))
			fail_msg("accepted cut to %zu of %zu bytes", len, n);
		free(b);
	}
	expect_refused(enc, 7, "7 bytes; a policy's header alone has 8");
	/* The header says fewer bytes of fields than there are: a field cut at its end. */
	memcpy(cut, enc, n);
	cut[6] = (uint8_t)(cut[6] - 1);
	expect_refused(cut, n - 1, "enclave-required: says 1 bytes, 0 remain");
	cut[6] = (uint8_t)(cut[6] - 2);
	expect_refused(cut, n - 3, "a field header cut at byte 595 (2 of 4 bytes)");
	cut[6] = (uint8_t)(cut[6] - 2);
	expect_refused(cut, n - 5, "field enclave-required (9) is missing");
	memcpy(cut, "SKMQ", 4);
	expect_refused(cut, n, "no \"SKMP\" magic");
	memcpy(cut, enc, n);
	cut[4] = 2;
	expect_refused(cut, n, "policy version 2; this host reads version 1");
}

static void test_claims_round_trip(void **state)
{
	struct platform_claims c, back;
	uint8_t enc[CLAIMS_LEN];
	char err[200];

	(void)state;
	fixture_claims(&c, host.id);
	c.ecv = true;
	claims_encode(&c, enc);
	assert_memory_equal(enc, host.id, 32);
	assert_string_equal((const char *)enc + 32, "fleet-b");
	assert_int_equal(claims_decode(enc, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	enc[32 + 7 + 1] = 'x'; /* after the class's NUL */
	assert_int_equal(claims_decode(enc, &back, err, sizeof(err)), -1);
	assert_string_equal(err, "claims: bytes after the host class's NUL");
	claims_encode(&c, enc);
	enc[32 + 32 + 8] = 2; /* enclave */
	assert_int_equal(claims_decode(enc, &back, err, sizeof(err)), -1);
	assert_string_equal(err, "claims: enclave 2, ecv 1; each is 0 or 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_layout),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_field_accepts_and_denies),
		cmocka_unit_test(test_check_host_only),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_unknown_repeated_reordered),
		cmocka_unit_test(test_values_out_of_range),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_claims_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
