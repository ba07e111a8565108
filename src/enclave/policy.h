/* SPDX-License-Identifier: MIT */
/*
 * An enclave's migration policy (docs/enclaves.md, "The migration policy"):
 * what a host must be for the enclave to move there, signed by the enclave's
 * owner (ECDSA P-256; the policy carries the owner's public key), in a
 * canonical, versioned binary encoding carried in the VM's configuration
 * ("migration-policy"). Every field must be there exactly once, in ascending
 * order of tags; an unknown or missing field, a value out of range, trailing
 * bytes or a bad signature refuse the whole policy.
 *
 * policy_check() says whether a host, as its platform claims describe it,
 * satisfies a policy; a refusal names the field and both values. Pure code on
 * BearSSL: the hypervisor links the EL2 build, the unit tests, the fuzzer and
 * tools/skiff-policy the host's.
 */
#ifndef SKIFF_ENCLAVE_POLICY_H
#define SKIFF_ENCLAVE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu_profile.h"
#include "enclave/measure.h"
#include "enclave/token.h"

#define POLICY_MAGIC	     "SKMP"
#define POLICY_VERSION	     1U
#define POLICY_HDR_LEN	     8U /* magic, u16 version, u16 length of the fields */
#define POLICY_FIELD_HDR_LEN 4U /* u16 tag, u16 length */
#define POLICY_SIG_LEN	     64U
#define POLICY_MAX_HOST_KEYS 16U
#define POLICY_MAX_CLASSES   8U
#define POLICY_CLASS_MAX     31U /* a host class's name, without its NUL */
#define POLICY_COUNTER_LEN   9U	 /* u8 mode, u64 Hz */
/* The longest encoding: every field at its largest, and the signature. */
#define POLICY_MAX_LEN                                                                            \
	(POLICY_HDR_LEN + 9 * POLICY_FIELD_HDR_LEN + ATTEST_PUB_LEN + 1 + 4 + 4 +                 \
	 POLICY_MAX_HOST_KEYS * TOKEN_HOST_ID_LEN + POLICY_MAX_CLASSES * (1 + POLICY_CLASS_MAX) + \
	 MEASURE_PROFILE_LEN + POLICY_COUNTER_LEN + 1 + POLICY_SIG_LEN)
#define POLICY_WHY_MAX 400

/* The fields, by tag: their order in an encoding. */
enum policy_field {
	POLICY_ACCEPTED = 0, /* a verdict's field when nothing failed */
	POLICY_F_OWNER_KEY = 1,
	POLICY_F_MIGRATABLE,
	POLICY_F_POLICY_SVN,
	POLICY_F_MIN_SKIFF_SVN,
	POLICY_F_HOST_KEYS,
	POLICY_F_HOST_CLASSES,
	POLICY_F_CPU_PROFILE,
	POLICY_F_COUNTER,
	POLICY_F_ENCLAVE_REQUIRED,
	POLICY_F_COUNT,		   /* one past the last tag */
	POLICY_F_SIGNATURE = 0xff, /* a verdict's field: not a tag */
};

/* How the destination must give the guest its counter. */
enum policy_counter_mode {
	POLICY_COUNTER_NATIVE = 1, /* the host's counter runs at exactly the guest's Hz */
	POLICY_COUNTER_SYSREG = 2, /* the system-register timer, scaled: FEAT_ECV */
	POLICY_COUNTER_MMIO = 3,   /* Skiff's memory-mapped timer at the guest's Hz: any host */
};

struct migration_policy {
	unsigned char owner_key[ATTEST_PUB_LEN]; /* 04 || X || Y */
	bool migratable;
	uint32_t svn;		/* the policy's own version: anti-downgrade */
	uint32_t min_skiff_svn; /* SKIFF_SECURITY_VERSION a host must have at least */
	unsigned int nhost_keys;
	unsigned char host_keys[POLICY_MAX_HOST_KEYS][TOKEN_HOST_ID_LEN]; /* host identities */
	unsigned int nclasses;
	char classes[POLICY_MAX_CLASSES][POLICY_CLASS_MAX + 1];
	struct cpu_profile cpu_profile; /* a named or changed profile, never "host" */
	uint8_t counter_mode;		/* enum policy_counter_mode */
	uint64_t counter_hz;
	bool enclave_required;
	/* Filled by policy_decode(): SHA-256 of the whole encoding, signature included. */
	unsigned char digest[32];
};

/* What a host says of itself: checked against a policy; signed in the agents' handshake. */
struct platform_claims {
	unsigned char host_id[TOKEN_HOST_ID_LEN]; /* SHA-256 of its attestation public key */
	char host_class[POLICY_CLASS_MAX + 1];	  /* "" when it has none */
	uint32_t skiff_svn;			  /* SKIFF_SECURITY_VERSION */
	uint32_t min_policy_svn; /* its configured minimum ("migration-min-policy-svn") */
	bool enclave;		 /* it runs enclave VMs */
	bool ecv;		 /* FEAT_ECV: a scaled system-register counter */
	uint64_t counter_hz;	 /* its counter's frequency */
	struct host_cpu cpu;	 /* its ID registers, for the CPU profile */
};

#define CLAIMS_LEN \
	(TOKEN_HOST_ID_LEN + POLICY_CLASS_MAX + 1 + 4 + 4 + 1 + 1 + 8 + (3 + CPU_ID_REG_COUNT) * 8)

struct policy_verdict {
	enum policy_field field; /* POLICY_ACCEPTED, or the first field the host fails */
	char why[POLICY_WHY_MAX];
};

/* The field's name in messages, the tool's description and docs/enclaves.md. */
const char *policy_field_name(enum policy_field f);

/*
 * Checks the @len bytes at @p as a policy (form, every field, then the owner's
 * signature) and fills @out. 0, or -1 with the reason in @err and @out zeroed.
 */
int policy_decode(const uint8_t *p, size_t len, struct migration_policy *out, char *err,
		  size_t errlen);

/*
 * Encodes @pol and signs it with the owner's private scalar @sk (whose public
 * key must be pol->owner_key). Fields whose bit (1 << tag) is clear in @fields
 * are left out, for tests of a policy that lacks them; POLICY_ALL_FIELDS for a
 * whole one. Returns the length, or 0 when @cap is too small or signing failed.
 */
#define POLICY_ALL_FIELDS (((1U << POLICY_F_COUNT) - 1) & ~1U)
size_t policy_encode(const struct migration_policy *pol, uint32_t fields,
		     const unsigned char sk[ATTEST_SCALAR_LEN], uint8_t *out, size_t cap);

/*
 * Whether the host @c describes satisfies @pol: 0 with v->field ACCEPTED, or -1
 * with the first field it fails and why, both values named ("policy-svn: the
 * policy's is 2, this host accepts 3 at least").
 */
int policy_check(const struct migration_policy *pol, const struct platform_claims *c,
		 struct policy_verdict *v);

/* Only the host-acceptance part (host-keys, host-classes, min-skiff-svn): for a source's claims. */
int policy_check_host(const struct migration_policy *pol, const struct platform_claims *c,
		      struct policy_verdict *v);

/* The claims' canonical bytes (CLAIMS_LEN), as signed in the handshake; and back. */
void claims_encode(const struct platform_claims *c, uint8_t out[CLAIMS_LEN]);
int claims_decode(const uint8_t in[CLAIMS_LEN], struct platform_claims *c, char *err,
		  size_t errlen);

#endif
