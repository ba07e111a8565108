// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <string.h>

#include "enclave/policy.h"
#include "lib/format.h"

static const char *const field_names[POLICY_F_COUNT] = {
	[POLICY_ACCEPTED] = "accepted",
	[POLICY_F_OWNER_KEY] = "owner-key",
	[POLICY_F_MIGRATABLE] = "migratable",
	[POLICY_F_POLICY_SVN] = "policy-svn",
	[POLICY_F_MIN_SKIFF_SVN] = "min-skiff-svn",
	[POLICY_F_HOST_KEYS] = "host-keys",
	[POLICY_F_HOST_CLASSES] = "host-classes",
	[POLICY_F_CPU_PROFILE] = "cpu-profile",
	[POLICY_F_COUNTER] = "counter",
	[POLICY_F_ENCLAVE_REQUIRED] = "enclave-required",
};

const char *policy_field_name(enum policy_field f)
{
	if (f == POLICY_F_SIGNATURE)
		return "signature";
	return (unsigned int)f < POLICY_F_COUNT ? field_names[f] : "?";
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, data, len);
	br_sha256_out(&h, out);
}

static const char *counter_mode_name(unsigned int m)
{
	switch (m) {
	case POLICY_COUNTER_NATIVE:
		return "native";
	case POLICY_COUNTER_SYSREG:
		return "sysreg";
	case POLICY_COUNTER_MMIO:
		return "mmio";
	default:
		return "?";
	}
}

/* A host class's name: 1-31 of [A-Za-z0-9._-]. */
static bool class_name_ok(const uint8_t *s, size_t len)
{
	if (!len || len > POLICY_CLASS_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The profile as measure_profile_encode() writes it; checked as a foreign profile is. */
static int decode_profile(const uint8_t *p, struct cpu_profile *out, char *err, size_t errlen)
{
	struct cpu_profile prof;

	memset(&prof, 0, sizeof(prof));
	prof.version = (uint32_t)get_le(p, 4);
	p += 4;
	memcpy(prof.name, p, CPU_PROFILE_NAME_MAX);
	p += CPU_PROFILE_NAME_MAX;
	prof.flags = (uint32_t)get_le(p, 4);
	p += 4;
	prof.midr = get_le(p, 8);
	prof.revidr = get_le(p + 8, 8);
	prof.aidr = get_le(p + 16, 8);
	p += 24;
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++, p += 8)
		prof.id[i] = get_le(p, 8);
	for (unsigned int i = 0; i < CPU_CACHE_SELECTORS; i++, p += 4)
		prof.ccsidr[i] = (uint32_t)get_le(p, 4);
	if (prof.version != CPU_PROFILE_VERSION) {
		format(err, errlen, "cpu-profile: version %u; this host reads %u", prof.version,
		       CPU_PROFILE_VERSION);
		return -1;
	}
	if (!memchr(prof.name, 0, CPU_PROFILE_NAME_MAX) || !prof.name[0]) {
		format(err, errlen, "cpu-profile: its name is empty or not NUL-terminated");
		return -1;
	}
	/* One encoding for one policy: the name is NUL-padded, nothing after its end. */
	for (size_t i = strlen(prof.name); i < CPU_PROFILE_NAME_MAX; i++)
		if (prof.name[i]) {
			format(err, errlen, "cpu-profile: byte %zu of its name follows its NUL", i);
			return -1;
		}
	if (prof.flags & CPU_PROFILE_HOST) {
		format(err, errlen,
		       "cpu-profile: \"host\" names no CPU (it is whatever the source runs on); "
		       "a policy needs a named or changed profile");
		return -1;
	}
	if (prof.flags & ~CPU_PROFILE_HOST_PAUTH) {
		format(err, errlen, "cpu-profile: unknown flags 0x%x", prof.flags);
		return -1;
	}
	*out = prof;
	return 0;
}

/* The value of field @tag, @len bytes at @v, into @pol. */
static int decode_field(unsigned int tag, const uint8_t *v, size_t len,
			struct migration_policy *pol, char *err, size_t errlen)
{
	static const uint16_t fixed[POLICY_F_COUNT] = {
		[POLICY_F_OWNER_KEY] = ATTEST_PUB_LEN,
		[POLICY_F_MIGRATABLE] = 1,
		[POLICY_F_POLICY_SVN] = 4,
		[POLICY_F_MIN_SKIFF_SVN] = 4,
		[POLICY_F_CPU_PROFILE] = MEASURE_PROFILE_LEN,
		[POLICY_F_COUNTER] = POLICY_COUNTER_LEN,
		[POLICY_F_ENCLAVE_REQUIRED] = 1,
	};
	const char *name = policy_field_name(tag);

	if (fixed[tag] && len != fixed[tag]) {
		format(err, errlen, "%s: %zu bytes; it has %u", name, len, fixed[tag]);
		return -1;
	}
	switch (tag) {
	case POLICY_F_OWNER_KEY:
		if (v[0] != 0x04) {
			format(err, errlen,
			       "owner-key: starts with 0x%02x; an uncompressed P-256 point "
			       "starts with 0x04",
			       v[0]);
			return -1;
		}
		memcpy(pol->owner_key, v, ATTEST_PUB_LEN);
		return 0;
	case POLICY_F_MIGRATABLE:
	case POLICY_F_ENCLAVE_REQUIRED:
		if (v[0] > 1) {
			format(err, errlen, "%s: %u; it is 0 or 1", name, v[0]);
			return -1;
		}
		if (tag == POLICY_F_MIGRATABLE)
			pol->migratable = v[0];
		else
			pol->enclave_required = v[0];
		return 0;
	case POLICY_F_POLICY_SVN:
		pol->svn = (uint32_t)get_le(v, 4);
		return 0;
	case POLICY_F_MIN_SKIFF_SVN:
		pol->min_skiff_svn = (uint32_t)get_le(v, 4);
		return 0;
	case POLICY_F_HOST_KEYS:
		if (len % TOKEN_HOST_ID_LEN || len / TOKEN_HOST_ID_LEN > POLICY_MAX_HOST_KEYS) {
			format(err, errlen,
			       "host-keys: %zu bytes; it holds up to %u identities of %u bytes",
			       len, POLICY_MAX_HOST_KEYS, TOKEN_HOST_ID_LEN);
			return -1;
		}
		pol->nhost_keys = (unsigned int)(len / TOKEN_HOST_ID_LEN);
		memcpy(pol->host_keys, v, len);
		return 0;
	case POLICY_F_HOST_CLASSES:
		for (size_t off = 0; off < len;) {
			size_t n = v[off];

			if (pol->nclasses == POLICY_MAX_CLASSES) {
				format(err, errlen, "host-classes: more than %u",
				       POLICY_MAX_CLASSES);
				return -1;
			}
			if (n > len - off - 1 || !class_name_ok(v + off + 1, n)) {
				format(err, errlen,
				       "host-classes: class %u at byte %zu is not 1-%u of "
				       "[A-Za-z0-9._-] within the field",
				       pol->nclasses, off, POLICY_CLASS_MAX);
				return -1;
			}
			memcpy(pol->classes[pol->nclasses], v + off + 1, n);
			pol->classes[pol->nclasses++][n] = 0;
			off += 1 + n;
		}
		return 0;
	case POLICY_F_CPU_PROFILE:
		return decode_profile(v, &pol->cpu_profile, err, errlen);
	case POLICY_F_COUNTER:
		pol->counter_mode = v[0];
		pol->counter_hz = get_le(v + 1, 8);
		if (v[0] < POLICY_COUNTER_NATIVE || v[0] > POLICY_COUNTER_MMIO) {
			format(err, errlen,
			       "counter: mode %u; it is 1 (native), 2 (sysreg) or 3 (mmio)", v[0]);
			return -1;
		}
		if (!pol->counter_hz || pol->counter_hz > 0xffffffffU) {
			format(err, errlen, "counter: %lu Hz; a counter runs at 1 Hz to 4 GHz",
			       (unsigned long)pol->counter_hz);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* Header and fields; the signature comes after. */
static int decode_form(const uint8_t *p, size_t len, struct migration_policy *pol,
		       size_t *signed_len, char *err, size_t errlen)
{
	size_t fields_len, off;
	unsigned int last = 0;

	if (len < POLICY_HDR_LEN) {
		format(err, errlen, "%zu bytes; a policy's header alone has %u", len,
		       POLICY_HDR_LEN);
		return -1;
	}
	if (len > POLICY_MAX_LEN) {
		format(err, errlen, "%zu bytes; the longest policy has %u", len, POLICY_MAX_LEN);
		return -1;
	}
	if (memcmp(p, POLICY_MAGIC, 4)) {
		format(err, errlen, "not a Skiff migration policy (no \"SKMP\" magic)");
		return -1;
	}
	if (get_le(p + 4, 2) != POLICY_VERSION) {
		format(err, errlen, "policy version %u; this host reads version %u",
		       (unsigned int)get_le(p + 4, 2), POLICY_VERSION);
		return -1;
	}
	fields_len = get_le(p + 6, 2);
	if (len != POLICY_HDR_LEN + fields_len + POLICY_SIG_LEN) {
		format(err, errlen,
		       "%zu bytes; its header says %zu bytes of fields, so it has %zu with the "
		       "signature",
		       len, fields_len, POLICY_HDR_LEN + fields_len + POLICY_SIG_LEN);
		return -1;
	}
	for (off = POLICY_HDR_LEN; off < POLICY_HDR_LEN + fields_len;) {
		size_t left = POLICY_HDR_LEN + fields_len - off, flen;
		unsigned int tag;

		if (left < POLICY_FIELD_HDR_LEN) {
			format(err, errlen, "a field header cut at byte %zu (%zu of %u bytes)", off,
			       left, POLICY_FIELD_HDR_LEN);
			return -1;
		}
		tag = (unsigned int)get_le(p + off, 2);
		flen = get_le(p + off + 2, 2);
		if (tag == 0 || tag >= POLICY_F_COUNT) {
			format(err, errlen, "unknown field %u at byte %zu (this host knows 1-%u)",
			       tag, off, POLICY_F_COUNT - 1);
			return -1;
		}
		if (tag <= last) {
			format(err, errlen,
			       "field %s (%u) at byte %zu after %s (%u): each field once, in "
			       "ascending order",
			       policy_field_name(tag), tag, off, policy_field_name(last), last);
			return -1;
		}
		if (flen > left - POLICY_FIELD_HDR_LEN) {
			format(err, errlen, "%s: says %zu bytes, %zu remain",
			       policy_field_name(tag), flen, left - POLICY_FIELD_HDR_LEN);
			return -1;
		}
		/* Missing fields before this one deny: the first is named. */
		if (tag != last + 1) {
			format(err, errlen,
			       "field %s (%u) is missing: field %s (%u) at byte %zu comes first",
			       policy_field_name(last + 1), last + 1, policy_field_name(tag), tag,
			       off);
			return -1;
		}
		if (decode_field(tag, p + off + POLICY_FIELD_HDR_LEN, flen, pol, err, errlen))
			return -1;
		last = tag;
		off += POLICY_FIELD_HDR_LEN + flen;
	}
	if (last != POLICY_F_COUNT - 1) {
		format(err, errlen, "field %s (%u) is missing", policy_field_name(last + 1),
		       last + 1);
		return -1;
	}
	if (!pol->nhost_keys && !pol->nclasses) {
		format(err, errlen,
		       "host-keys and host-classes are both empty: it accepts no host");
		return -1;
	}
	*signed_len = POLICY_HDR_LEN + fields_len;
	return 0;
}

int policy_decode(const uint8_t *p, size_t len, struct migration_policy *out, char *err,
		  size_t errlen)
{
	unsigned char hash[32];
	br_ec_public_key pk;
	size_t signed_len;

	memset(out, 0, sizeof(*out));
	if (decode_form(p, len, out, &signed_len, err, errlen))
		goto refused;
	sha256(p, signed_len, hash);
	pk = (br_ec_public_key){ BR_EC_secp256r1, out->owner_key, ATTEST_PUB_LEN };
	if (br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk, p + signed_len,
				  POLICY_SIG_LEN) != 1) {
		format(err, errlen,
		       "signature: it does not verify under the owner-key the policy names (the "
		       "policy was altered, or another key signed it)");
		goto refused;
	}
	sha256(p, len, out->digest);
	return 0;
refused:
	memset(out, 0, sizeof(*out));
	return -1;
}

static uint8_t *put_field(uint8_t *o, unsigned int tag, const void *v, size_t len)
{
	put_le(o, tag, 2);
	put_le(o + 2, len, 2);
	memcpy(o + POLICY_FIELD_HDR_LEN, v, len);
	return o + POLICY_FIELD_HDR_LEN + len;
}

size_t policy_encode(const struct migration_policy *pol, uint32_t fields,
		     const unsigned char sk[ATTEST_SCALAR_LEN], uint8_t *out, size_t cap)
{
	uint8_t buf[POLICY_MAX_LEN], v[MEASURE_PROFILE_LEN], *o = buf + POLICY_HDR_LEN;
	unsigned char hash[32], scalar[ATTEST_SCALAR_LEN];
	br_ec_private_key key = { BR_EC_secp256r1, scalar, ATTEST_SCALAR_LEN };
	size_t n, len;

	if (pol->nhost_keys > POLICY_MAX_HOST_KEYS || pol->nclasses > POLICY_MAX_CLASSES)
		return 0;
	for (unsigned int tag = 1; tag < POLICY_F_COUNT; tag++) {
		if (!(fields & (1U << tag)))
			continue;
		switch (tag) {
		case POLICY_F_OWNER_KEY:
			o = put_field(o, tag, pol->owner_key, ATTEST_PUB_LEN);
			break;
		case POLICY_F_MIGRATABLE:
		case POLICY_F_ENCLAVE_REQUIRED:
			v[0] = tag == POLICY_F_MIGRATABLE ? pol->migratable : pol->enclave_required;
			o = put_field(o, tag, v, 1);
			break;
		case POLICY_F_POLICY_SVN:
		case POLICY_F_MIN_SKIFF_SVN:
			put_le(v, tag == POLICY_F_POLICY_SVN ? pol->svn : pol->min_skiff_svn, 4);
			o = put_field(o, tag, v, 4);
			break;
		case POLICY_F_HOST_KEYS:
			o = put_field(o, tag, pol->host_keys, pol->nhost_keys * TOKEN_HOST_ID_LEN);
			break;
		case POLICY_F_HOST_CLASSES:
			n = 0;
			for (unsigned int i = 0; i < pol->nclasses; i++) {
				size_t cl = strnlen(pol->classes[i], POLICY_CLASS_MAX);

				v[n] = (uint8_t)cl;
				memcpy(v + n + 1, pol->classes[i], cl);
				n += 1 + cl;
			}
			o = put_field(o, tag, v, n);
			break;
		case POLICY_F_CPU_PROFILE:
			measure_profile_encode(&pol->cpu_profile, v);
			o = put_field(o, tag, v, MEASURE_PROFILE_LEN);
			break;
		case POLICY_F_COUNTER:
			v[0] = pol->counter_mode;
			put_le(v + 1, pol->counter_hz, 8);
			o = put_field(o, tag, v, POLICY_COUNTER_LEN);
			break;
		default:
			break;
		}
	}
	memcpy(buf, POLICY_MAGIC, 4);
	put_le(buf + 4, POLICY_VERSION, 2);
	put_le(buf + 6, (uint64_t)(o - buf - POLICY_HDR_LEN), 2);
	len = (size_t)(o - buf);
	if (len + POLICY_SIG_LEN > cap)
		return 0;
	sha256(buf, len, hash);
	memcpy(scalar, sk, ATTEST_SCALAR_LEN);
	n = br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, hash, &key, buf + len);
	secret_wipe(scalar, sizeof(scalar));
	if (n != POLICY_SIG_LEN)
		return 0;
	memcpy(out, buf, len + POLICY_SIG_LEN);
	return len + POLICY_SIG_LEN;
}

static int deny(struct policy_verdict *v, enum policy_field f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int deny(struct policy_verdict *v, enum policy_field f, const char *fmt, ...)
{
	size_t n = (size_t)format(v->why, sizeof(v->why), "%s: ", policy_field_name(f));

	v->field = f;
	if (n < sizeof(v->why)) {
		va_list ap;

		va_start(ap, fmt);
		format_v(v->why + n, sizeof(v->why) - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool host_listed(const struct migration_policy *pol, const struct platform_claims *c)
{
	for (unsigned int i = 0; i < pol->nhost_keys; i++)
		if (!memcmp(pol->host_keys[i], c->host_id, TOKEN_HOST_ID_LEN))
			return true;
	for (unsigned int i = 0; i < pol->nclasses; i++)
		if (c->host_class[0] && !strcmp(pol->classes[i], c->host_class))
			return true;
	return false;
}

int policy_check_host(const struct migration_policy *pol, const struct platform_claims *c,
		      struct policy_verdict *v)
{
	v->field = POLICY_ACCEPTED;
	v->why[0] = 0;
	if (c->skiff_svn < pol->min_skiff_svn)
		return deny(
			v, POLICY_F_MIN_SKIFF_SVN,
			"the policy needs Skiff security version %u at least, this host's is %u",
			pol->min_skiff_svn, c->skiff_svn);
	if (!host_listed(pol, c)) {
		char first[2 * TOKEN_HOST_ID_LEN + 1] = "", id[2 * TOKEN_HOST_ID_LEN + 1];

		format_hex(id, sizeof(id), c->host_id, TOKEN_HOST_ID_LEN);
		if (pol->nhost_keys)
			format_hex(first, sizeof(first), pol->host_keys[0], TOKEN_HOST_ID_LEN);
		return deny(v, pol->nhost_keys ? POLICY_F_HOST_KEYS : POLICY_F_HOST_CLASSES,
			    "this host (identity %s, class \"%s\") is none of the policy's %u "
			    "host keys (first %s) and %u host classes (first \"%s\")",
			    id, c->host_class, pol->nhost_keys, pol->nhost_keys ? first : "none",
			    pol->nclasses, pol->nclasses ? pol->classes[0] : "");
	}
	return 0;
}

int policy_check(const struct migration_policy *pol, const struct platform_claims *c,
		 struct policy_verdict *v)
{
	char why[POLICY_WHY_MAX];

	v->field = POLICY_ACCEPTED;
	v->why[0] = 0;
	if (!pol->migratable)
		return deny(v, POLICY_F_MIGRATABLE,
			    "the policy says 0 (never), a migration needs 1");
	if (pol->svn < c->min_policy_svn)
		return deny(v, POLICY_F_POLICY_SVN,
			    "the policy's is %u, this host accepts %u at least (an older policy: "
			    "downgrade refused)",
			    pol->svn, c->min_policy_svn);
	if (policy_check_host(pol, c, v))
		return -1;
	if (cpu_profile_check(&pol->cpu_profile, &c->cpu, why, sizeof(why)))
		return deny(v, POLICY_F_CPU_PROFILE, "%s %s", pol->cpu_profile.name, why);
	if (pol->counter_mode == POLICY_COUNTER_NATIVE && c->counter_hz != pol->counter_hz)
		return deny(v, POLICY_F_COUNTER,
			    "the policy needs the host's counter at %lu Hz (native), this host's "
			    "runs at %lu Hz",
			    (unsigned long)pol->counter_hz, (unsigned long)c->counter_hz);
	if (pol->counter_mode == POLICY_COUNTER_SYSREG && !c->ecv)
		return deny(v, POLICY_F_COUNTER,
			    "the policy needs a scaled system-register counter at %lu Hz (sysreg: "
			    "FEAT_ECV), this host has no FEAT_ECV",
			    (unsigned long)pol->counter_hz);
	if (pol->counter_mode < POLICY_COUNTER_NATIVE || pol->counter_mode > POLICY_COUNTER_MMIO)
		return deny(v, POLICY_F_COUNTER, "mode %u (%s) is none this host knows",
			    pol->counter_mode, counter_mode_name(pol->counter_mode));
	if (pol->enclave_required && !c->enclave)
		return deny(v, POLICY_F_ENCLAVE_REQUIRED,
			    "the policy needs 1 (an enclave on the destination), this host runs "
			    "enclaves: 0");
	return 0;
}

void claims_encode(const struct platform_claims *c, uint8_t out[CLAIMS_LEN])
{
	uint8_t *o = out;

	memcpy(o, c->host_id, TOKEN_HOST_ID_LEN);
	o += TOKEN_HOST_ID_LEN;
	memset(o, 0, POLICY_CLASS_MAX + 1);
	memcpy(o, c->host_class, strnlen(c->host_class, POLICY_CLASS_MAX));
	o += POLICY_CLASS_MAX + 1;
	put_le(o, c->skiff_svn, 4);
	put_le(o + 4, c->min_policy_svn, 4);
	o[8] = c->enclave;
	o[9] = c->ecv;
	put_le(o + 10, c->counter_hz, 8);
	o += 18;
	put_le(o, c->cpu.midr, 8);
	put_le(o + 8, c->cpu.revidr, 8);
	put_le(o + 16, c->cpu.aidr, 8);
	o += 24;
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++, o += 8)
		put_le(o, c->cpu.id[i], 8);
}

int claims_decode(const uint8_t in[CLAIMS_LEN], struct platform_claims *c, char *err, size_t errlen)
{
	const uint8_t *p = in + TOKEN_HOST_ID_LEN;
	size_t cl = strnlen((const char *)p, POLICY_CLASS_MAX + 1);

	memset(c, 0, sizeof(*c));
	if (cl > POLICY_CLASS_MAX || (cl && !class_name_ok(p, cl))) {
		format(err, errlen, "claims: the host class is not 0-%u of [A-Za-z0-9._-]",
		       POLICY_CLASS_MAX);
		return -1;
	}
	for (size_t i = cl; i <= POLICY_CLASS_MAX; i++)
		if (p[i]) {
			format(err, errlen, "claims: bytes after the host class's NUL");
			return -1;
		}
	if (p[POLICY_CLASS_MAX + 1 + 8] > 1 || p[POLICY_CLASS_MAX + 1 + 9] > 1) {
		format(err, errlen, "claims: enclave %u, ecv %u; each is 0 or 1",
		       p[POLICY_CLASS_MAX + 1 + 8], p[POLICY_CLASS_MAX + 1 + 9]);
		return -1;
	}
	memcpy(c->host_id, in, TOKEN_HOST_ID_LEN);
	memcpy(c->host_class, p, cl);
	p += POLICY_CLASS_MAX + 1;
	c->skiff_svn = (uint32_t)get_le(p, 4);
	c->min_policy_svn = (uint32_t)get_le(p + 4, 4);
	c->enclave = p[8];
	c->ecv = p[9];
	c->counter_hz = get_le(p + 10, 8);
	p += 18;
	c->cpu.midr = get_le(p, 8);
	c->cpu.revidr = get_le(p + 8, 8);
	c->cpu.aidr = get_le(p + 16, 8);
	p += 24;
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++, p += 8)
		c->cpu.id[i] = get_le(p, 8);
	return 0;
}
