/* SPDX-License-Identifier: MIT */
/*
 * Skiff's random numbers (docs/crypto.md): one HMAC-DRBG with SHA-256 (BearSSL's
 * br_hmac_drbg) for the whole host, seeded once at boot from every source there
 * is, mixed in this order into the seed:
 *   1. RANDOM_RNDR_WORDS numbers from the CPU's RNDR (FEAT_RNG), each as 8 bytes
 *      little-endian, if the CPU gave all of them;
 *   2. the firmware's seed (the device tree's /chosen/rng-seed), as given;
 *   3. the counter (arch_counter()) as 8 bytes little-endian, always: the last resort.
 * Any CPU may draw from it; it is locked (a leaf lock: nothing is called under it
 * that takes another).
 */
#ifndef SKIFF_CORE_RANDOM_H
#define SKIFF_CORE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#define RANDOM_RNDR_WORDS 6  /* 384 bits: the entropy and nonce SHA-256's DRBG asks for */
#define RANDOM_RNDR_TRIES 10 /* RNDR may have no number ready; tries for each word */
#define RANDOM_FW_MAX	  64 /* bytes of the firmware's seed used, at most */

/* The sources a seed came from (random_init's result). */
#define RANDOM_FROM_RNDR     1U
#define RANDOM_FROM_FIRMWARE 2U
#define RANDOM_FROM_COUNTER  4U

/*
 * Seeds the generator, with @fw_seed (@fw_len bytes, may be 0) from the firmware,
 * and logs which sources it used, loudly when it had only the counter. Returns
 * those sources (RANDOM_FROM_*). Called once, on the boot CPU, before any VM runs.
 */
unsigned int random_init(const void *fw_seed, size_t fw_len);

/* Fills @buf with @len random bytes. Panics if random_init() has not run. */
void random_bytes(void *buf, size_t len);

/* The next 8 random bytes, little-endian. */
uint64_t random_u64(void);

#endif
