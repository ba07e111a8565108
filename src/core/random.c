// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <stdbool.h>
#include <string.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/random.h"
#include "lib/spinlock.h"

static struct {
	struct spinlock lock; /* protects: drbg, seeded */
	br_hmac_drbg_context drbg;
	bool seeded;
} rng;

/* Clears a secret in a way the compiler cannot drop as a dead store. */
static void wipe(void *p, size_t len)
{
	volatile unsigned char *b = p;

	while (len--)
		*b++ = 0;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One RNDR word, with a few tries: RNDR may say it has no number ready. */
static bool rndr_word(uint64_t *v)
{
	for (unsigned int i = 0; i < RANDOM_RNDR_TRIES; i++)
		if (arch_random_u64(v))
			return true;
	return false;
}

/* Appends RANDOM_RNDR_WORDS of RNDR at @p; the bytes written, 0 unless all came. */
static size_t add_rndr(unsigned char *p)
{
	for (unsigned int i = 0; i < RANDOM_RNDR_WORDS; i++) {
		uint64_t v;

		if (!rndr_word(&v)) {
			wipe(p, 8 * i);
			return 0;
		}
		put_le64(p + 8 * i, v);
	}
	return 8 * RANDOM_RNDR_WORDS;
}

static void log_sources(unsigned int from)
{
	if (from & RANDOM_FROM_RNDR && from & RANDOM_FROM_FIRMWARE)
		log_info("random: seeded from RNDR and the device tree's rng-seed");
	else if (from & RANDOM_FROM_RNDR)
		log_info("random: seeded from RNDR (the device tree has no rng-seed)");
	else if (from & RANDOM_FROM_FIRMWARE)
		log_info("random: seeded from the device tree's rng-seed (the CPU has no RNDR)");
	if (from != RANDOM_FROM_COUNTER)
		return;
	log_error("random: NO ENTROPY: the CPU has no RNDR (FEAT_RNG) and the device tree "
		  "no /chosen/rng-seed; seeded from the counter alone, which can be guessed");
	log_error("random: backdoor channel cookies and everything else drawn from it are "
		  "predictable; give the CPU FEAT_RNG or the firmware an rng-seed");
}

unsigned int random_init(const void *fw_seed, size_t fw_len)
{
	unsigned char seed[8 * RANDOM_RNDR_WORDS + RANDOM_FW_MAX + 8];
	unsigned int from = RANDOM_FROM_COUNTER;
	size_t n = add_rndr(seed);

	if (n)
		from |= RANDOM_FROM_RNDR;
	if (fw_len) {
		fw_len = fw_len < RANDOM_FW_MAX ? fw_len : RANDOM_FW_MAX;
		memcpy(seed + n, fw_seed, fw_len);
		n += fw_len;
		from |= RANDOM_FROM_FIRMWARE;
	}
	put_le64(seed + n, arch_counter());
	n += 8;
	spin_lock(&rng.lock);
	br_hmac_drbg_init(&rng.drbg, &br_sha256_vtable, seed, n);
	rng.seeded = true;
	spin_unlock(&rng.lock);
	wipe(seed, sizeof(seed));
	log_sources(from);
	return from;
}

void random_bytes(void *buf, size_t len)
{
	spin_lock(&rng.lock);
	if (!rng.seeded) {
		spin_unlock(&rng.lock);
		panic("random: random_bytes() before random_init()");
	}
	br_hmac_drbg_generate(&rng.drbg, buf, len);
	spin_unlock(&rng.lock);
}

uint64_t random_u64(void)
{
	unsigned char b[8];
	uint64_t v = 0;

	random_bytes(b, sizeof(b));
	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	wipe(b, sizeof(b));
	return v;
}
