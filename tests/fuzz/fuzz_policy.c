// SPDX-License-Identifier: MIT
/*
 * The migration policy's decoder (enclave/policy.c), where a policy from a
 * configuration or from another host enters, and the checker on what it
 * accepts. Checked: a refusal names a reason and leaves nothing of what it
 * read; an accepted policy holds only values in range, its digest is that of
 * its bytes, it encodes again to exactly the bytes that came in (one encoding
 * per policy), and checking it against a host (claims from the input too)
 * gives a verdict that names the field it refuses, with its name first.
 *
 * Input: a selector byte. Bit 0 clear: the rest is a whole policy (its
 * signature must verify: seeds carry signed ones). Bit 0 set: the rest is the
 * fields alone, which the harness wraps in a header and signs with the
 * fixture's owner key, so that mutations get past the signature; then
 * CLAIMS_LEN bytes of claims, if the input has them, after the fields
 * (bytes 1-2, a little-endian u16, say how many of the input's bytes are fields).
 */
#include "enclave_fixture.h"
#include "fuzz.h"

static struct attest_key owner;

FUZZ_ORACLE static void setup(void)
{
	unsigned char sk[ATTEST_SCALAR_LEN];

	if (owner.pub[0])
		return;
	FUZZ_CHECK(attest_scalar_from_hex(FIXTURE_OWNER_KEY, sk) == ATTEST_KEY_OK, "key");
	FUZZ_CHECK(!attest_key_from_scalar(&owner, sk), "key");
}

FUZZ_ORACLE static size_t sign_fields(const uint8_t *fields, size_t n, uint8_t *out)
{
	br_ec_private_key priv = { BR_EC_secp256r1, owner.sk, ATTEST_SCALAR_LEN };
	unsigned char hash[32];
	br_sha256_context h;

	memcpy(out, POLICY_MAGIC, 4);
	out[4] = POLICY_VERSION;
	out[5] = 0;
	out[6] = (uint8_t)n;
	out[7] = (uint8_t)(n >> 8);
	memcpy(out + POLICY_HDR_LEN, fields, n);
	br_sha256_init(&h);
	br_sha256_update(&h, out, POLICY_HDR_LEN + n);
	br_sha256_out(&h, hash);
	FUZZ_CHECK(br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, hash, &priv,
					 out + POLICY_HDR_LEN + n) == POLICY_SIG_LEN,
		   "signing");
	return POLICY_HDR_LEN + n + POLICY_SIG_LEN;
}

FUZZ_ORACLE static void check_refusal(const struct migration_policy *p, const char *err)
{
	FUZZ_CHECK(err[0], "a refusal without a reason");
	for (size_t i = 0; i < sizeof(*p); i++)
		FUZZ_CHECK(((const uint8_t *)p)[i] == 0, "byte %zu of the output left on a refusal",
			   i);
}

FUZZ_ORACLE static void check_accepted(const struct migration_policy *p, const uint8_t *in,
				       size_t len, const unsigned char sk[ATTEST_SCALAR_LEN])
{
	unsigned char digest[32];
	br_sha256_context h;

	FUZZ_CHECK(p->nhost_keys <= POLICY_MAX_HOST_KEYS && p->nclasses <= POLICY_MAX_CLASSES,
		   "%u keys, %u classes", p->nhost_keys, p->nclasses);
	FUZZ_CHECK(p->nhost_keys || p->nclasses, "a policy naming no host accepted");
	for (unsigned int i = 0; i < p->nclasses; i++)
		FUZZ_CHECK(p->classes[i][0] && memchr(p->classes[i], 0, POLICY_CLASS_MAX + 1),
			   "class %u", i);
	FUZZ_CHECK(p->counter_mode >= POLICY_COUNTER_NATIVE &&
			   p->counter_mode <= POLICY_COUNTER_MMIO && p->counter_hz,
		   "counter %u at %lu Hz", p->counter_mode, (unsigned long)p->counter_hz);
	FUZZ_CHECK(!(p->cpu_profile.flags & CPU_PROFILE_HOST), "a \"host\" profile accepted");
	FUZZ_CHECK(len <= POLICY_MAX_LEN, "%zu bytes accepted", len);
	br_sha256_init(&h);
	br_sha256_update(&h, in, len);
	br_sha256_out(&h, digest);
	FUZZ_CHECK(!memcmp(digest, p->digest, 32), "the digest is not its bytes'");
	/* The signature is deterministic (RFC 6979): the whole encoding comes back. */
	if (sk) {
		static uint8_t again[POLICY_MAX_LEN];
		size_t n = policy_encode(p, POLICY_ALL_FIELDS, sk, again, sizeof(again));
		FUZZ_CHECK(n == len && !memcmp(again, in, len),
			   "accepted bytes that are not the policy's one encoding (%zu, again %zu)",
			   len, n);
	}
}

FUZZ_ORACLE static void check_verdict(const struct migration_policy *p,
				      const struct platform_claims *c)
{
	struct policy_verdict v;
	const char *name;
	int r = policy_check(p, c, &v);

	if (!r) {
		FUZZ_CHECK(v.field == POLICY_ACCEPTED && !v.why[0], "accepted with a reason");
		FUZZ_CHECK(p->migratable && p->svn >= c->min_policy_svn &&
				   c->skiff_svn >= p->min_skiff_svn &&
				   (!p->enclave_required || c->enclave),
			   "accepted against a field");
		return;
	}
	FUZZ_CHECK(r == -1 && v.field > POLICY_ACCEPTED && v.field < POLICY_F_COUNT,
		   "verdict %d field %u", r, v.field);
	name = policy_field_name(v.field);
	FUZZ_CHECK(!strncmp(v.why, name, strlen(name)) && v.why[strlen(name)] == ':',
		   "the refusal \"%s\" does not start with its field %s", v.why, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t signed_policy[POLICY_HDR_LEN + 65536 + POLICY_SIG_LEN];
	struct migration_policy p;
	struct platform_claims c;
	char err[POLICY_WHY_MAX] = "";
	const uint8_t *pol = data + 1;
	size_t len = size ? size - 1 : 0;
	bool own = size && (data[0] & 1);

	if (!size)
		return 0;
	setup();
	fixture_claims(&c, owner.id);
	if (own) {
		if (size < 3)
			return 0;
		size_t nfields = (size_t)data[1] | (size_t)data[2] << 8;
		if (nfields > size - 3)
			nfields = size - 3;
		if (size >= 3 + nfields + CLAIMS_LEN &&
		    claims_decode(data + 3 + nfields, &c, err, sizeof(err)))
			FUZZ_CHECK(err[0], "claims refused without a reason");
		if (err[0])
			fixture_claims(&c, owner.id);
		len = sign_fields(data + 3, nfields, signed_policy);
		pol = signed_policy;
	}
	err[0] = 0;
	memset(&p, 0x5a, sizeof(p));
	if (policy_decode(pol, len, &p, err, sizeof(err))) {
		check_refusal(&p, err);
		return 0;
	}
	check_accepted(&p, pol, len,
		       !memcmp(p.owner_key, owner.pub, ATTEST_PUB_LEN) ? owner.sk : NULL);
	check_verdict(&p, &c);
	return 0;
}
