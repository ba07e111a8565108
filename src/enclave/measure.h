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
#define MEASURE_DOMAIN	   "skiff-measure-v2"
#define MEASURE_DOMAIN_LEN 16U

/* The bytes the "prof" item holds: the configured CPU profile, as docs/enclaves.md lays out. */
#define MEASURE_PROFILE_LEN \
	(4 + CPU_PROFILE_NAME_MAX + 4 + 3 * 8 + 8 * CPU_ID_REG_COUNT + 4 * CPU_CACHE_SELECTORS)

/*
 * The profile's bytes as the "prof" item holds them: version, name (NUL-padded),
 * flags, MIDR, REVIDR, AIDR, the ID registers in CPU_ID_REGS order, the CCSIDR
 * values by selector, little-endian. A migration policy carries the same
 * (enclave/policy.h).
 */
void measure_profile_encode(const struct cpu_profile *p, unsigned char out[MEASURE_PROFILE_LEN]);

/*
 * Writes the measurement of the VM @c describes. Its CPU profile is measured as
 * configured ("host" when none is): what "host" and pauth = "on" take from the
 * host at start is not part of it.
 */
void measure_vm(const struct vm_config *c, unsigned char out[TOKEN_MEASUREMENT_LEN]);

#endif
