/* SPDX-License-Identifier: MIT */
/*
 * The enclave ABI shared by Skiff, its test guests and the host tools
 * (docs/hypercalls.md, "Skiff's own calls", and docs/enclaves.md): the vendor
 * hypervisor service calls a guest makes with HVC #0 (SMCCC 1.1, owner 6), and
 * the layout of an attestation token. Constants only.
 */
#ifndef SKIFF_ENCLAVE_ABI_H
#define SKIFF_ENCLAVE_ABI_H

/* SMCCC function IDs: bit 31 fast call, bit 30 SMC64, bits 29:24 the owner. */
#define SKIFF_SMCCC_OWNER_SHIFT	     24
#define SKIFF_SMCCC_OWNER_MASK	     0x3fU
#define SKIFF_SMCCC_OWNER_VENDOR_HYP 6U /* "Vendor Specific Hypervisor Service" */

/* Call UID query of the vendor hypervisor service: w0-w3 = Skiff's UUID. */
#define SKIFF_HVC_CALL_UID 0x8600ff01U
/*
 * Attestation (SMC64): x1 = IPA of the 64-byte challenge, x2 = IPA of the buffer
 * for the token, x3 = its size. Returns x0 = status, x1 = the token's length (on
 * success and when the buffer is too small).
 */
#define SKIFF_HVC_ATTEST 0xc6000001U

/* Skiff's UUID 938c3798-2d57-49b2-9717-77d1871b97c7, as SMCCC returns it (byte 0 lowest). */
#define SKIFF_UID_W0 0x98378c93U
#define SKIFF_UID_W1 0xb249572dU
#define SKIFF_UID_W2 0xd1771797U
#define SKIFF_UID_W3 0xc7971b87U

/* Status in x0. */
#define SKIFF_HVC_SUCCESS	    0
#define SKIFF_HVC_NOT_SUPPORTED	    (-1) /* no such function (SMCCC) */
#define SKIFF_HVC_INVALID_PARAMETER (-3) /* a range not wholly in the VM's RAM (SMCCC) */
#define SKIFF_HVC_DENIED	    (-4) /* the VM is not an enclave */
#define SKIFF_HVC_BUFFER_TOO_SMALL  (-5) /* x1 says how many bytes the token needs */

/*
 * The attestation token, version 1: a body of TOKEN_BODY_LEN bytes, then the
 * ECDSA P-256 signature over SHA-256(body) as r || s (32 bytes each, big-endian).
 * Integers in the body are little-endian.
 */
#define TOKEN_MAGIC	      "SKAT"
#define TOKEN_VERSION	      1U
#define TOKEN_CHALLENGE_LEN   64U
#define TOKEN_MEASUREMENT_LEN 32U /* SHA-256 */
#define TOKEN_HOST_ID_LEN     32U /* SHA-256 of the host's public key (65 bytes, 04 || X || Y) */
#define TOKEN_SIG_LEN	      64U

#define TOKEN_OFF_MAGIC	      0U   /* 4 bytes: "SKAT" */
#define TOKEN_OFF_VERSION     4U   /* u16: TOKEN_VERSION */
#define TOKEN_OFF_BODY_LEN    6U   /* u16: TOKEN_BODY_LEN */
#define TOKEN_OFF_SVN	      8U   /* u32: Skiff's security version */
#define TOKEN_OFF_FLAGS	      12U  /* u32: TOKEN_FLAG_* */
#define TOKEN_OFF_MEASUREMENT 16U  /* 32 bytes */
#define TOKEN_OFF_CHALLENGE   48U  /* 64 bytes */
#define TOKEN_OFF_HOST_ID     112U /* 32 bytes */
#define TOKEN_BODY_LEN	      144U
#define TOKEN_OFF_SIGNATURE   TOKEN_BODY_LEN
#define TOKEN_LEN	      (TOKEN_BODY_LEN + TOKEN_SIG_LEN) /* 208 */

/* The host's key was generated at boot (no attestation-key in its configuration). */
#define TOKEN_FLAG_EPHEMERAL_KEY 1U

#endif
