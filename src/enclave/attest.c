// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <libfdt.h>
#include <string.h>

#include "core/guestlog.h"
#include "core/log.h"
#include "core/random.h"
#include "core/stage2_fault.h"
#include "core/vm.h"
#include "enclave/attest.h"
#include "lib/format.h"

#define GEN_SEED_LEN 48 /* what SP 800-90A asks of a SHA-256 DRBG: entropy and nonce */

/* Set once at boot, before any VM runs; only read after. */
static struct {
	struct attest_key key;
	bool ready;
} host;

const struct attest_key *attest_host_key(void)
{
	return host.ready ? &host.key : NULL;
}

static void log_public_key(void)
{
	char pub[2 * ATTEST_PUB_LEN + 1], id[2 * TOKEN_HOST_ID_LEN + 1];

	format_hex(pub, sizeof(pub), host.key.pub, sizeof(host.key.pub));
	format_hex(id, sizeof(id), host.key.id, sizeof(host.key.id));
	log_info("attestation: public key %s", pub);
	log_info("attestation: host identity (SHA-256 of the public key) %s", id);
}

/* A key pair from the host's generator, through a DRBG of its own that is wiped after. */
static int generate_key(void)
{
	unsigned char seed[GEN_SEED_LEN];
	br_hmac_drbg_context drbg;
	int r;

	random_bytes(seed, sizeof(seed));
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	secret_wipe(seed, sizeof(seed));
	r = attest_key_generate(&host.key, &drbg.vtable);
	secret_wipe(&drbg, sizeof(drbg));
	return r;
}

static bool any_enclave(const struct config *cfg)
{
	for (unsigned int i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].enclave)
			return true;
	return false;
}

/* The configured key: taken, then its bytes in the blob overwritten (no-op tags). */
static int take_configured_key(struct config *cfg, void *fdt)
{
	unsigned char sk[ATTEST_SCALAR_LEN];
	int r = -1;

	if (attest_scalar_from_hex(cfg->attestation_key, sk) == ATTEST_KEY_OK)
		r = attest_key_from_scalar(&host.key, sk);
	secret_wipe(sk, sizeof(sk));
	cfg->attestation_key = NULL;
	if (fdt_nop_property(fdt, 0, "attestation-key"))
		log_warn("attestation: cannot erase attestation-key from the configuration blob");
	return r;
}

void attest_init(struct config *cfg, void *fdt)
{
	secret_wipe(&host, sizeof(host));
	if (cfg->attestation_key) {
		if (take_configured_key(cfg, fdt)) {
			log_error("attestation: the configured attestation-key cannot be used; "
				  "enclaves get no tokens");
			return;
		}
		log_info("attestation: host key from the configuration (attestation-key)");
	} else if (any_enclave(cfg)) {
		if (generate_key()) {
			log_error("attestation: cannot generate a key; enclaves get no tokens");
			return;
		}
		log_warn("attestation: NO attestation-key in the configuration: generated an "
			 "EPHEMERAL key pair from the random generator");
		log_warn("attestation: EPHEMERAL key: its tokens name a key that is gone after a "
			 "reboot; set attestation-key for a lasting host identity");
	} else {
		return;
	}
	host.ready = true;
	log_public_key();
}

/* Copies the 64-byte challenge out of guest RAM (written with caches on or off). */
static void read_challenge(struct vm *vm, ipaddr_t ipa, unsigned char *out)
{
	struct vm_s2_locked s2 = vm_s2_lock(vm);
	void *p = pa_ptr(vm_ram_pa(vm, ipa));

	vm_ram_prepare(s2, ipa, TOKEN_CHALLENGE_LEN);
	/* A guest with its MMU off wrote past the caches: nothing stale may be read. */
	arch_dcache_clean_inval_poc(p, TOKEN_CHALLENGE_LEN);
	memcpy(out, p, TOKEN_CHALLENGE_LEN);
	vm_s2_unlock(&s2);
}

/* Writes the token into guest RAM as a guest store would (W^X); -1: no stage-2 tables. */
static int write_token(struct vm *vm, ipaddr_t ipa, const unsigned char *token)
{
	struct vm_s2_locked s2 = vm_s2_lock(vm);
	void *p = pa_ptr(vm_ram_pa(vm, ipa));
	int r;

	vm_ram_prepare(s2, ipa, TOKEN_LEN);
	r = stage2_host_write(s2, ipa, TOKEN_LEN);
	if (!r) {
		memcpy(p, token, TOKEN_LEN);
		arch_dcache_clean_inval_poc(p, TOKEN_LEN); /* for a guest with caches off */
	}
	vm_s2_unlock(&s2);
	return r;
}

static int64_t refuse(struct vcpu *vcpu, int64_t status, const char *why)
{
	guestlog_warn(&vcpu->vm->log, "vcpu %u: attestation refused: %s", vcpu->id, why);
	return status;
}

/*
 * The attestation call: x1 = IPA of the challenge, x2 = IPA of the token's buffer,
 * x3 = its size. The checks in the documented order; @len is the token's length
 * when the caller is to learn it (success, buffer too small).
 */
static int64_t attest(struct vcpu *vcpu, uint64_t *len)
{
	struct vm *vm = vcpu->vm;
	ipaddr_t challenge = ipa_init(vcpu_get_reg(vcpu, 1));
	ipaddr_t buf = ipa_init(vcpu_get_reg(vcpu, 2));
	uint64_t size = vcpu_get_reg(vcpu, 3);
	unsigned char token[TOKEN_LEN];
	struct token_claims c;

	*len = 0;
	if (!vm->enclave)
		return refuse(vcpu, SKIFF_HVC_DENIED, "the VM is not an enclave");
	if (!host.ready)
		return refuse(vcpu, SKIFF_HVC_DENIED, "the host has no attestation key");
	if (!vm_ram_contains(vm, challenge, TOKEN_CHALLENGE_LEN))
		return refuse(vcpu, SKIFF_HVC_INVALID_PARAMETER,
			      "the 64-byte challenge is not all in the VM's RAM");
	if (size < TOKEN_LEN) {
		*len = TOKEN_LEN;
		return SKIFF_HVC_BUFFER_TOO_SMALL;
	}
	if (!vm_ram_contains(vm, buf, size))
		return refuse(vcpu, SKIFF_HVC_INVALID_PARAMETER,
			      "the token's buffer is not all in the VM's RAM");
	c.svn = SKIFF_SECURITY_VERSION;
	c.flags = host.key.ephemeral ? TOKEN_FLAG_EPHEMERAL_KEY : 0;
	memcpy(c.measurement, vm->measurement, sizeof(c.measurement));
	read_challenge(vm, challenge, c.challenge);
	/* Signed without the VM's locks: it takes a while, and needs none. */
	if (token_sign(&host.key, &c, token))
		return refuse(vcpu, SKIFF_HVC_DENIED, "signing failed");
	if (write_token(vm, buf, token)) {
		vm_crash(vm, "out of memory for stage-2 tables at IPA 0x%lx",
			 (unsigned long)ipa_addr(buf));
		return SKIFF_HVC_DENIED;
	}
	__atomic_fetch_add(&vm->tokens, 1, __ATOMIC_RELAXED);
	*len = TOKEN_LEN;
	return SKIFF_HVC_SUCCESS;
}

void attest_handle_call(struct vcpu *vcpu)
{
	uint32_t fid = (uint32_t)vcpu_get_reg(vcpu, 0);
	uint64_t len;
	int64_t r;

	switch (fid) {
	case SKIFF_HVC_CALL_UID:
		vcpu_set_reg(vcpu, 0, SKIFF_UID_W0);
		vcpu_set_reg(vcpu, 1, SKIFF_UID_W1);
		vcpu_set_reg(vcpu, 2, SKIFF_UID_W2);
		vcpu_set_reg(vcpu, 3, SKIFF_UID_W3);
		return;
	case SKIFF_HVC_ATTEST:
		r = attest(vcpu, &len);
		vcpu_set_reg(vcpu, 0, (uint64_t)r);
		if (r == SKIFF_HVC_SUCCESS || r == SKIFF_HVC_BUFFER_TOO_SMALL)
			vcpu_set_reg(vcpu, 1, len);
		return;
	default:
		vcpu_set_reg(vcpu, 0, (uint64_t)(int64_t)SKIFF_HVC_NOT_SUPPORTED);
		return;
	}
}
