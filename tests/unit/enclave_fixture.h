/* SPDX-License-Identifier: MIT */
/*
 * Shared by the migration policy's and the agents' tests: two hosts' ID
 * registers (QEMU 7.2's cortex-a72 and max, as tests/unit/test_cpu_profile.c
 * has them: read from those CPUs), an owner key, and a policy and host claims
 * that satisfy each other, from which each test changes one thing.
 */
#ifndef SKIFF_TESTS_ENCLAVE_FIXTURE_H
#define SKIFF_TESTS_ENCLAVE_FIXTURE_H

#include <string.h>

#include "enclave/policy.h"

/* RFC 6979 A.2.5's P-256 test key (the owner's here) and a second one (d = 2). */
#define FIXTURE_OWNER_KEY "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define FIXTURE_OTHER_KEY "0000000000000000000000000000000000000000000000000000000000000002"
/* Hosts' attestation keys (d = 3, d = 4). */
#define FIXTURE_HOST_A_KEY "0000000000000000000000000000000000000000000000000000000000000003"
#define FIXTURE_HOST_B_KEY "0000000000000000000000000000000000000000000000000000000000000004"

static inline void fixture_host_a72(struct host_cpu *h)
{
	memset(h, 0, sizeof(*h));
	h->midr = 0x410fd083;
	h->id[CPU_ID_PFR0_EL1] = 0x131;
	h->id[CPU_ID_PFR1_EL1] = 0x10011001;
	h->id[CPU_ID_DFR0_EL1] = 0x03010006;
	h->id[CPU_ID_MMFR0_EL1] = 0x10201105;
	h->id[CPU_ID_MMFR1_EL1] = 0x40000000;
	h->id[CPU_ID_MMFR2_EL1] = 0x01260000;
	h->id[CPU_ID_MMFR3_EL1] = 0x02102211;
	h->id[CPU_ID_ISAR0_EL1] = 0x02101110;
	h->id[CPU_ID_ISAR1_EL1] = 0x13112111;
	h->id[CPU_ID_ISAR2_EL1] = 0x21232042;
	h->id[CPU_ID_ISAR3_EL1] = 0x01112131;
	h->id[CPU_ID_ISAR4_EL1] = 0x00011142;
	h->id[CPU_ID_ISAR5_EL1] = 0x00011121;
	h->id[CPU_MVFR0_EL1] = 0x10110222;
	h->id[CPU_MVFR1_EL1] = 0x12111111;
	h->id[CPU_MVFR2_EL1] = 0x43;
	h->id[CPU_ID_AA64PFR0_EL1] = 0x01000222;
	h->id[CPU_ID_AA64DFR0_EL1] = 0x10305106;
	h->id[CPU_ID_AA64ISAR0_EL1] = 0x11120;
	h->id[CPU_ID_AA64MMFR0_EL1] = 0x1124;
	h->id[CPU_CTR_EL0] = 0x8444c004;
	h->id[CPU_CLIDR_EL1] = 0x0a200023;
	h->id[CPU_DCZID_EL0] = 0x4;
}

/* What a policy of the fixture's says: the owner's key is filled by the caller. */
static inline void fixture_policy(struct migration_policy *p, const unsigned char owner_pub[65],
				  const unsigned char host_id[32])
{
	memset(p, 0, sizeof(*p));
	memcpy(p->owner_key, owner_pub, 65);
	p->migratable = true;
	p->svn = 3;
	p->min_skiff_svn = 1;
	p->nhost_keys = 1;
	memcpy(p->host_keys[0], host_id, 32);
	p->nclasses = 1;
	strcpy(p->classes[0], "fleet-a");
	cpu_profile_named("armv8.0", &p->cpu_profile);
	p->counter_mode = POLICY_COUNTER_MMIO;
	p->counter_hz = 62500000;
	p->enclave_required = true;
}

/* A host that satisfies fixture_policy(): a Cortex-A72 at 62.5 MHz, minimum policy SVN 3. */
static inline void fixture_claims(struct platform_claims *c, const unsigned char host_id[32])
{
	memset(c, 0, sizeof(*c));
	memcpy(c->host_id, host_id, 32);
	strcpy(c->host_class, "fleet-b");
	c->skiff_svn = 1;
	c->min_policy_svn = 3;
	c->enclave = true;
	c->ecv = false;
	c->counter_hz = 62500000;
	fixture_host_a72(&c->cpu);
}

#endif
