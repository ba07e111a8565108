/* SPDX-License-Identifier: MIT */
/*
 * An enclave VM's launch measurement: SHA-256 over a canonical encoding of what
 * decides what the guest starts as (its kernel, initrd, configuration and CPU
 * profile). The encoding is documented in docs/enclaves.md ("The measurement");
 * an owner computes the same digest from the configuration blob with
 * `skiff-attest measure`.
 */
#ifndef SKIFF_ENCLAVE_MEASURE_H
#define SKIFF_ENCLAVE_MEASURE_H

#include "core/config.h"
#include "enclave/abi.h"

/* The encoding's first 16 bytes: what it is and its version. */
#define MEASURE_DOMAIN	   "skiff-measure-v1"
#define MEASURE_DOMAIN_LEN 16U

/*
 * The CPU profile a VM runs with. CPU profiles (what ID registers a VM sees) come
 * later; until then every VM sees the host's CPU, and the field says "host".
 */
#define MEASURE_PROFILE_HOST "host"

/* Writes the measurement of the VM @c describes, run with @cpu_profile. */
void measure_vm(const struct vm_config *c, const char *cpu_profile,
		unsigned char out[TOKEN_MEASUREMENT_LEN]);

#endif
