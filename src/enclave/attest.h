/* SPDX-License-Identifier: MIT */
/*
 * Attestation at EL2: the host's attestation key (from the configuration, or
 * generated at boot) and Skiff's vendor hypervisor service, reached with HVC #0
 * (SMCCC owner 6): the Call UID query and the attestation call that turns an
 * enclave's 64-byte challenge into a signed token (docs/hypercalls.md, "Skiff's
 * own calls"; docs/enclaves.md).
 */
#ifndef SKIFF_ENCLAVE_ATTEST_H
#define SKIFF_ENCLAVE_ATTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "enclave/abi.h"
#include "enclave/token.h"

struct vcpu;

/*
 * Sets the host's attestation key up once at boot, after the random generator:
 * from cfg->attestation_key, whose bytes are then erased from the blob @fdt (it
 * stays in memory for the host's life), or, when there is none but some VM is an
 * enclave, a new key pair from the generator, said loudly to be ephemeral. Logs
 * the public key and the identity. Nothing when neither.
 */
void attest_init(struct config *cfg, void *fdt);

/* The host's key; NULL when attest_init() set none up. */
const struct attest_key *attest_host_key(void);

/* True when @fid (x0 of an HVC) belongs to the vendor hypervisor service: Skiff's. */
static inline bool attest_is_vendor_call(uint32_t fid)
{
	return ((fid >> SKIFF_SMCCC_OWNER_SHIFT) & SKIFF_SMCCC_OWNER_MASK) ==
	       SKIFF_SMCCC_OWNER_VENDOR_HYP;
}

/* Serves the vendor hypervisor service call in the vCPU's x0-x3 (results in x0, x1). */
void attest_handle_call(struct vcpu *vcpu);

#endif
