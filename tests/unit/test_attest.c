// SPDX-License-Identifier: MIT
/*
 * Skiff's vendor hypervisor service (enclave/attest.c) on the fake CPU and a fake
 * VM whose RAM is host memory: the host key taken from the configuration (and
 * erased from the blob) or generated, the Call UID query, the attestation call's
 * token as the host's BearSSL verifies it, and every refusal in its documented
 * order, with guest RAM untouched.
 */
#include <bearssl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include "core/panic.h"
#include "core/random.h"
#include "enclave/attest.h"
#include "fake_arch.h"

#define RAM_SIZE  (4UL << 20)
#define RAM_END	  (FAKE_RAM_IPA + RAM_SIZE)
#define CHAL_IPA  (FAKE_RAM_IPA + 0x1000)
#define TOKEN_IPA (FAKE_RAM_IPA + 0x2000)
#define FILL	  0xee
#define RFC_KEY	  "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
static const char rfc_pub[] = "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29f"
			      "b67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

static struct vm vm;
static struct vcpu *v;
static unsigned char *guest;
static char blob[1024];
static struct config cfg;

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

static void unhex(const char *hex, unsigned char *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
}

static unsigned char *at(uint64_t ipa)
{
	return guest + (ipa - FAKE_RAM_IPA);
}

/* A configuration blob, with the key when @key is not NULL; cfg points into it. */
static void configure(const char *key, bool enclave)
{
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(fdt_create(blob, sizeof(blob)), 0);
	assert_int_equal(fdt_finish_reservemap(blob), 0);
	assert_int_equal(fdt_begin_node(blob, ""), 0);
	assert_int_equal(fdt_property_string(blob, "when-idle", "wait"), 0);
	if (key)
		assert_int_equal(fdt_property_string(blob, "attestation-key", key), 0);
	assert_int_equal(fdt_property_string(blob, "compatible", "skiff,config"), 0);
	assert_int_equal(fdt_end_node(blob), 0);
	assert_int_equal(fdt_finish(blob), 0);
	cfg.nvms = 1;
	cfg.vms[0].enclave = enclave;
	cfg.attestation_key = key ? fdt_getprop(blob, 0, "attestation-key", NULL) : NULL;
}

static int group_setup(void **state)
{
	static const unsigned char seed[32] = "the attestation test's seed";

	(void)state;
	guest = aligned_alloc(4096, RAM_SIZE);
	random_init(seed, sizeof(seed));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(guest);
	return 0;
}

/* An enclave VM with one vCPU and 4 MiB of RAM full of FILL; the host key is RFC 6979's. */
static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&vm, 0, sizeof(vm));
	snprintf(vm.name, sizeof(vm.name), "enc");
	guestlog_init(&vm.log, vm.name);
	vm.enclave = true;
	for (unsigned int i = 0; i < sizeof(vm.measurement); i++)
		vm.measurement[i] = (unsigned char)(0x30 + i);
	vm.ram_ipa = ipa_init(FAKE_RAM_IPA);
	vm.ram_pa = pa_from_ptr(guest);
	vm.ram_size = RAM_SIZE;
	vm.nvcpus = 1;
	v = &vm.vcpus[0];
	v->vm = &vm;
	memset(guest, FILL, RAM_SIZE);
	for (unsigned int i = 0; i < TOKEN_CHALLENGE_LEN; i++)
		at(CHAL_IPA)[i] = (unsigned char)(i * 3 + 1);
	configure(RFC_KEY, true);
	attest_init(&cfg, blob);
	return 0;
}

/* HVC #0 with x0-x3 as given; x4 holds a value a call must not change. */
static void call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	v->ctx.x[0] = x0;
	v->ctx.x[1] = x1;
	v->ctx.x[2] = x2;
	v->ctx.x[3] = x3;
	v->ctx.x[4] = 0x4444;
	assert_true(attest_is_vendor_call((uint32_t)x0));
	attest_handle_call(v);
	assert_int_equal(v->ctx.x[4], 0x4444);
}

static bool logged(const char *part)
{
	for (unsigned int i = 0; i < FAKE_LOGS && i < fake.nlogs; i++)
		if (strstr(fake.log[(fake.nlogs - 1 - i) % FAKE_LOGS], part))
			return true;
	return false;
}

static bool untouched(uint64_t ipa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (at(ipa)[i] != FILL)
			return false;
	return true;
}

static bool verifies(const unsigned char *token, const unsigned char *pub)
{
	unsigned char hash[32], q[ATTEST_PUB_LEN];
	br_ec_public_key pk = { BR_EC_secp256r1, q, sizeof(q) };
	br_sha256_context h;

	memcpy(q, pub, sizeof(q));
	br_sha256_init(&h);
	br_sha256_update(&h, token, TOKEN_BODY_LEN);
	br_sha256_out(&h, hash);
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk,
				     token + TOKEN_BODY_LEN, TOKEN_SIG_LEN) == 1;
}

static void test_configured_key_is_taken_and_erased(void **state)
{
	unsigned char pub[ATTEST_PUB_LEN];
	const struct attest_key *k = attest_host_key();

	(void)state;
	assert_non_null(k);
	unhex(rfc_pub, pub, sizeof(pub));
	assert_memory_equal(k->pub, pub, sizeof(pub));
	assert_false(k->ephemeral);
	assert_null(cfg.attestation_key);
	/* Gone from the blob, which is still a valid tree with its other properties. */
	assert_int_equal(fdt_check_full(blob, sizeof(blob)), 0);
	assert_null(fdt_getprop(blob, 0, "attestation-key", NULL));
	assert_string_equal(fdt_getprop(blob, 0, "compatible", NULL), "skiff,config");
	for (size_t i = 0; i + 8 <= sizeof(blob); i++)
		if (!memcmp(blob + i, "c9afa9d8", 8) || !memcmp(blob + i, "120f6721", 8))
			fail_msg("part of the key is still in the blob at offset %zu", i);
	assert_true(logged("attestation: host key from the configuration"));
	assert_true(logged("attestation: public key " /* the start of rfc_pub */ "0460fed4ba255a"));
	assert_true(logged("attestation: host identity (SHA-256 of the public key) "));
}

static void test_ephemeral_key_when_none_is_configured(void **state)
{
	unsigned char token[TOKEN_LEN];

	(void)state;
	configure(NULL, true);
	attest_init(&cfg, blob);
	assert_non_null(attest_host_key());
	assert_true(attest_host_key()->ephemeral);
	assert_true(logged("generated an EPHEMERAL key pair"));
	call(SKIFF_HVC_ATTEST, CHAL_IPA, TOKEN_IPA, TOKEN_LEN);
	assert_int_equal(v->ctx.x[0], SKIFF_HVC_SUCCESS);
	memcpy(token, at(TOKEN_IPA), sizeof(token));
	assert_int_equal(token[TOKEN_OFF_FLAGS], TOKEN_FLAG_EPHEMERAL_KEY);
	assert_true(verifies(token, attest_host_key()->pub));

	/* No key and no enclave: nothing is set up, and a call is refused. */
	configure(NULL, false);
	attest_init(&cfg, blob);
	assert_null(attest_host_key());
	memset(at(TOKEN_IPA), FILL, TOKEN_LEN);
	call(SKIFF_HVC_ATTEST, CHAL_IPA, TOKEN_IPA, TOKEN_LEN);
	assert_int_equal((int64_t)v->ctx.x[0], SKIFF_HVC_DENIED);
	assert_true(untouched(TOKEN_IPA, TOKEN_LEN));
	assert_true(logged("attestation refused: the host has no attestation key"));
}

static void test_call_uid(void **state)
{
	(void)state;
	call(SKIFF_HVC_CALL_UID, 1, 2, 3);
	assert_int_equal(v->ctx.x[0], 0x98378c93);
	assert_int_equal(v->ctx.x[1], 0xb249572d);
	assert_int_equal(v->ctx.x[2], 0xd1771797);
	assert_int_equal(v->ctx.x[3], 0xc7971b87);
}

static void test_token_in_guest_ram(void **state)
{
	const struct attest_key *k = attest_host_key();
	const unsigned char *t = at(TOKEN_IPA);

	(void)state;
	/* The buffer's page was mapped executable: Skiff's write takes execute away. */
	fake.perms[(TOKEN_IPA - FAKE_RAM_IPA) >> 12] = S2_PERM_R | S2_PERM_X;
	call(SKIFF_HVC_ATTEST, CHAL_IPA, TOKEN_IPA, 300);
	assert_int_equal(v->ctx.x[0], SKIFF_HVC_SUCCESS);
	assert_int_equal(v->ctx.x[1], TOKEN_LEN);
	assert_true(verifies(t, k->pub));
	assert_memory_equal(t, "SKAT\x01\x00\x90\x00\x01\x00\x00\x00\x00\x00\x00\x00", 16);
	assert_memory_equal(t + 16, vm.measurement, 32);
	assert_memory_equal(t + 48, at(CHAL_IPA), 64);
	assert_memory_equal(t + 112, k->id, 32);
	assert_true(untouched(TOKEN_IPA + TOKEN_LEN, 300 - TOKEN_LEN));
	assert_int_equal(fake.perms[(TOKEN_IPA - FAKE_RAM_IPA) >> 12], S2_PERM_R | S2_PERM_W);
	assert_int_equal(vm.tokens, 1);

	/* The challenge is read from RAM at each call; the buffer may be the challenge's. */
	at(CHAL_IPA)[5] ^= 0xff;
	call(SKIFF_HVC_ATTEST, CHAL_IPA, CHAL_IPA, TOKEN_LEN);
	assert_int_equal(v->ctx.x[0], SKIFF_HVC_SUCCESS);
	assert_true(verifies(at(CHAL_IPA), k->pub));
	assert_int_equal(at(CHAL_IPA)[48 + 5], (unsigned char)((5 * 3 + 1) ^ 0xff));
	/* The last bytes of RAM are as good a place as any. */
	call(SKIFF_HVC_ATTEST, RAM_END - 64, RAM_END - TOKEN_LEN, TOKEN_LEN);
	assert_int_equal(v->ctx.x[0], SKIFF_HVC_SUCCESS);
	assert_true(verifies(at(RAM_END - TOKEN_LEN), k->pub));
}

/* A refusal: the status, x1 as it was, no byte of RAM written. */
static void expect_refused(uint64_t chal, uint64_t buf, uint64_t size, int64_t status,
			   const char *why)
{
	memset(guest, FILL, RAM_SIZE);
	call(SKIFF_HVC_ATTEST, chal, buf, size);
	assert_int_equal((int64_t)v->ctx.x[0], status);
	assert_int_equal(v->ctx.x[1], chal);
	assert_true(untouched(FAKE_RAM_IPA, RAM_SIZE));
	if (!logged(why))
		fail_msg("no log line with \"%s\" (last: \"%s\")", why,
			 fake.log[(fake.nlogs - 1) % FAKE_LOGS]);
	assert_int_equal(vm.tokens, 0);
}

static void test_refusals(void **state)
{
	(void)state;
	vm.enclave = false;
	expect_refused(CHAL_IPA, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_DENIED, "not an enclave");
	vm.enclave = true;
	expect_refused(FAKE_RAM_IPA - 64, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "the 64-byte challenge is not all in the VM's RAM");
	expect_refused(FAKE_RAM_IPA - 1, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "challenge");
	expect_refused(RAM_END - 63, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "challenge");
	expect_refused(~0UL - 31, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER, "challenge");
	expect_refused(0x09000000, TOKEN_IPA, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "challenge"); /* the UART: a device, not RAM */
	expect_refused(CHAL_IPA, RAM_END - TOKEN_LEN + 1, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "the token's buffer is not all in the VM's RAM");
	expect_refused(CHAL_IPA, FAKE_RAM_IPA - 8, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER,
		       "buffer");
	expect_refused(CHAL_IPA, TOKEN_IPA, ~0UL, SKIFF_HVC_INVALID_PARAMETER, "buffer");
	expect_refused(CHAL_IPA, ~0UL - 100, TOKEN_LEN, SKIFF_HVC_INVALID_PARAMETER, "buffer");
}

/* Too small a buffer says how big one must be, whatever its address (a size query). */
static void test_buffer_too_small(void **state)
{
	(void)state;
	for (uint64_t size = 0; size < TOKEN_LEN; size += 207) {
		memset(guest, FILL, RAM_SIZE);
		call(SKIFF_HVC_ATTEST, CHAL_IPA, size ? TOKEN_IPA : 0, size);
		assert_int_equal((int64_t)v->ctx.x[0], SKIFF_HVC_BUFFER_TOO_SMALL);
		assert_int_equal(v->ctx.x[1], TOKEN_LEN);
		assert_true(untouched(FAKE_RAM_IPA, RAM_SIZE));
	}
}

static void test_other_functions(void **state)
{
	static const uint32_t unknown[] = { 0xc600ff00U, 0x86000001U, 0xc6000002U, 0xc600ff01U,
					    0x06000001U };

	(void)state;
	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		call(unknown[i], 0x11, 0x22, 0x33);
		assert_int_equal((int64_t)v->ctx.x[0], SKIFF_HVC_NOT_SUPPORTED);
		assert_int_equal(v->ctx.x[1], 0x11);
		assert_int_equal(v->ctx.x[2], 0x22);
		assert_int_equal(v->ctx.x[3], 0x33);
	}
	/* PSCI, SMCCC's own and other owners' calls are not the service's. */
	assert_false(attest_is_vendor_call(0x84000000U));
	assert_false(attest_is_vendor_call(0xc4000003U));
	assert_false(attest_is_vendor_call(0x80000000U));
	assert_false(attest_is_vendor_call(0xc5000001U));
	assert_false(attest_is_vendor_call(0xc7000001U));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_configured_key_is_taken_and_erased, setup),
		cmocka_unit_test_setup(test_ephemeral_key_when_none_is_configured, setup),
		cmocka_unit_test_setup(test_call_uid, setup),
		cmocka_unit_test_setup(test_token_in_guest_ram, setup),
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_buffer_too_small, setup),
		cmocka_unit_test_setup(test_other_functions, setup),
	};

	return cmocka_run_group_tests_name("attest", tests, group_setup, group_teardown);
}
