// SPDX-License-Identifier: MIT
/*
 * skiff-attest: the host side of enclave attestation (docs/enclaves.md).
 *
 *   skiff-attest verify --key PUB --measurement HEX --challenge HEX [--min-svn N] TOKEN
 *   skiff-attest show TOKEN
 *   skiff-attest pubkey PRIVATE-KEY-HEX
 *   skiff-attest measure CONFIG.dtb VM
 *
 * TOKEN is the token in hex (whitespace and newlines ignored), or "-" to read
 * that from standard input. verify checks the token's form, its ECDSA P-256
 * signature under the host's public key PUB (65 bytes, 04 || X || Y, in hex, as
 * Skiff's boot log prints it), that its host identity is that key's, and that it
 * carries the expected measurement and challenge; it names the first thing that
 * is wrong and exits 1, or prints what the token says and exits 0. Parsing and
 * checking follow the documented layout; the signature is BearSSL's (Debian's
 * libbearssl). measure computes a VM's measurement from the configuration blob
 * with Skiff's own code (src/core/config.c, src/enclave/measure.c).
 */
#include <bearssl.h>
#include <ctype.h>
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "enclave/abi.h"
#include "enclave/measure.h"
#include "enclave/token.h"

#define MAX_HEX	 8192
#define MAX_BLOB (256UL << 20)

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: skiff-attest verify --key PUB --measurement HEX --challenge HEX "
		"[--min-svn N] TOKEN\n"
		"       skiff-attest show TOKEN\n"
		"       skiff-attest pubkey PRIVATE-KEY-HEX\n"
		"       skiff-attest measure CONFIG.dtb VM\n"
		"  TOKEN: the token in hex, or - to read it from standard input\n"
		"  PUB: the host's public key in hex (04 || X || Y, 130 digits), as Skiff logs "
		"it\n");
	exit(2);
}

static __attribute__((noreturn, format(printf, 1, 2))) void rejected(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "skiff-attest: token REJECTED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "skiff-attest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Decodes hex @s (whitespace skipped) into @out, at most @max bytes; returns the
 * byte count, or -1 naming the problem in @why.
 */
static long unhex(const char *s, unsigned char *out, size_t max, const char **why)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int d;

		if (isspace((unsigned char)*s))
			continue;
		d = nibble(*s);
		if (d < 0) {
			*why = "a character that is not a hex digit";
			return -1;
		}
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n == max) {
			*why = "longer than expected";
			return -1;
		}
		out[n++] = (unsigned char)(hi << 4 | d);
		hi = -1;
	}
	if (hi >= 0) {
		*why = "an odd number of hex digits";
		return -1;
	}
	return (long)n;
}

/* An argument that must be exactly @len bytes in hex. */
static void unhex_exact(const char *what, const char *s, unsigned char *out, size_t len)
{
	unsigned char buf[MAX_HEX / 2];
	const char *why = "";
	long n = unhex(s, buf, sizeof(buf), &why);

	if (n < 0)
		fail("%s: %s", what, why);
	if ((size_t)n != len)
		fail("%s is %ld bytes; it must be %zu (%zu hex digits)", what, n, len, 2 * len);
	memcpy(out, buf, len);
}

static void print_hex(FILE *f, const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
}

/* The token from the argument (hex) or standard input ("-"). */
static size_t read_token(const char *arg, unsigned char *token, size_t max)
{
	static char text[MAX_HEX + 1];
	const char *why = "";
	long n;

	if (!strcmp(arg, "-")) {
		size_t got = fread(text, 1, MAX_HEX, stdin);

		if (got == MAX_HEX)
			fail("standard input: more than %d characters of hex", MAX_HEX);
		text[got] = '\0';
		arg = text;
	}
	n = unhex(arg, token, max, &why);
	if (n < 0)
		rejected("not a hex token: %s", why);
	return (size_t)n;
}

static uint32_t le(const unsigned char *p, unsigned int bytes)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* The token's form: its length, magic, version and body length. */
static void check_form(const unsigned char *t, size_t len)
{
	if (len < 8)
		rejected("it is %zu bytes: too short to be a Skiff attestation token", len);
	if (memcmp(t + TOKEN_OFF_MAGIC, TOKEN_MAGIC, 4))
		rejected("not a Skiff attestation token: it starts %02x%02x%02x%02x, not \"SKAT\"",
			 t[0], t[1], t[2], t[3]);
	if (le(t + TOKEN_OFF_VERSION, 2) != TOKEN_VERSION)
		rejected("token version %u, but this tool knows version %u only",
			 le(t + TOKEN_OFF_VERSION, 2), TOKEN_VERSION);
	if (le(t + TOKEN_OFF_BODY_LEN, 2) != TOKEN_BODY_LEN)
		rejected("its body length field says %u bytes; a version 1 body is %u",
			 le(t + TOKEN_OFF_BODY_LEN, 2), TOKEN_BODY_LEN);
	if (len != TOKEN_LEN)
		rejected("it is %zu bytes; a version 1 token is %u (a %u-byte body and a %u-byte "
			 "signature)",
			 len, TOKEN_LEN, TOKEN_BODY_LEN, TOKEN_SIG_LEN);
}

static void show(const unsigned char *t)
{
	uint32_t flags = le(t + TOKEN_OFF_FLAGS, 4);

	printf("version:          %u\n", le(t + TOKEN_OFF_VERSION, 2));
	printf("security version: %u\n", le(t + TOKEN_OFF_SVN, 4));
	printf("flags:            0x%x%s\n", flags,
	       flags & TOKEN_FLAG_EPHEMERAL_KEY ? " (the host's key is ephemeral)" : "");
	printf("measurement:      ");
	print_hex(stdout, t + TOKEN_OFF_MEASUREMENT, TOKEN_MEASUREMENT_LEN);
	printf("\nchallenge:        ");
	print_hex(stdout, t + TOKEN_OFF_CHALLENGE, TOKEN_CHALLENGE_LEN);
	printf("\nhost identity:    ");
	print_hex(stdout, t + TOKEN_OFF_HOST_ID, TOKEN_HOST_ID_LEN);
	printf("\n");
}

/* Compares a field with what was expected; rejects naming both. */
static void expect_field(const char *what, const unsigned char *got, const unsigned char *want,
			 size_t len)
{
	if (!memcmp(got, want, len))
		return;
	fprintf(stderr, "skiff-attest: token REJECTED: the %s differs\n  token:    ", what);
	print_hex(stderr, got, len);
	fprintf(stderr, "\n  expected: ");
	print_hex(stderr, want, len);
	fputc('\n', stderr);
	exit(1);
}

static void check_signature(const unsigned char *t, const unsigned char *pub)
{
	unsigned char hash[br_sha256_SIZE], q[ATTEST_PUB_LEN];
	br_ec_public_key pk = { BR_EC_secp256r1, q, sizeof(q) };
	br_sha256_context h;

	memcpy(q, pub, sizeof(q));
	br_sha256_init(&h);
	br_sha256_update(&h, t, TOKEN_BODY_LEN);
	br_sha256_out(&h, hash);
	if (br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, hash, sizeof(hash), &pk, t + TOKEN_OFF_SIGNATURE,
				  TOKEN_SIG_LEN) != 1)
		rejected("the signature does not verify with the given public key: the token was "
			 "altered, or another key signed it");
}

static int cmd_verify(int argc, char **argv)
{
	unsigned char pub[ATTEST_PUB_LEN], meas[TOKEN_MEASUREMENT_LEN], chal[TOKEN_CHALLENGE_LEN];
	unsigned char token[MAX_HEX / 2], id[br_sha256_SIZE];
	const char *key = NULL, *m = NULL, *c = NULL, *tok = NULL;
	unsigned long min_svn = 0;
	br_sha256_context h;
	uint32_t flags;
	size_t len;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--measurement") && i + 1 < argc)
			m = argv[++i];
		else if (!strcmp(argv[i], "--challenge") && i + 1 < argc)
			c = argv[++i];
		else if (!strcmp(argv[i], "--min-svn") && i + 1 < argc)
			min_svn = strtoul(argv[++i], NULL, 0);
		else if (!tok && (argv[i][0] != '-' || !argv[i][1]))
			tok = argv[i];
		else
			usage();
	}
	if (!key || !m || !c || !tok)
		usage();
	unhex_exact("--key", key, pub, sizeof(pub));
	if (pub[0] != 4)
		fail("--key must be an uncompressed point: 04 || X || Y");
	unhex_exact("--measurement", m, meas, sizeof(meas));
	unhex_exact("--challenge", c, chal, sizeof(chal));
	len = read_token(tok, token, sizeof(token));
	check_form(token, len);
	check_signature(token, pub);
	br_sha256_init(&h);
	br_sha256_update(&h, pub, sizeof(pub));
	br_sha256_out(&h, id);
	expect_field("host identity (SHA-256 of the public key)", token + TOKEN_OFF_HOST_ID, id,
		     sizeof(id));
	flags = le(token + TOKEN_OFF_FLAGS, 4);
	if (flags & ~TOKEN_FLAG_EPHEMERAL_KEY)
		rejected("unknown flags 0x%x (version 1 defines bit 0 only)", flags);
	expect_field("measurement", token + TOKEN_OFF_MEASUREMENT, meas, sizeof(meas));
	expect_field("challenge", token + TOKEN_OFF_CHALLENGE, chal, sizeof(chal));
	if (le(token + TOKEN_OFF_SVN, 4) < min_svn)
		rejected("Skiff's security version %u is below the minimum %lu",
			 le(token + TOKEN_OFF_SVN, 4), min_svn);
	printf("token verified\n");
	show(token);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	unsigned char token[MAX_HEX / 2];
	size_t len;

	if (argc != 1)
		usage();
	len = read_token(argv[0], token, sizeof(token));
	check_form(token, len);
	printf("(not verified: show only decodes)\n");
	show(token);
	return 0;
}

static int cmd_pubkey(int argc, char **argv)
{
	unsigned char sk[ATTEST_SCALAR_LEN];
	struct attest_key k;
	enum attest_key_error e;

	if (argc != 1)
		usage();
	e = attest_scalar_from_hex(argv[0], sk);
	if (e != ATTEST_KEY_OK)
		fail("the private key %s", attest_key_error_text(e));
	if (attest_key_from_scalar(&k, sk))
		fail("cannot compute the public key");
	secret_wipe(sk, sizeof(sk));
	printf("public key:    ");
	print_hex(stdout, k.pub, sizeof(k.pub));
	printf("\nhost identity: ");
	print_hex(stdout, k.id, sizeof(k.id));
	printf("\n");
	secret_wipe(&k, sizeof(k));
	return 0;
}

static int cmd_measure(int argc, char **argv)
{
	unsigned char digest[TOKEN_MEASUREMENT_LEN];
	static struct config cfg;
	char err[160];
	void *blob;
	size_t len;
	FILE *f;

	if (argc != 2)
		usage();
	f = fopen(argv[0], "rb");
	if (!f)
		fail("%s: %s", argv[0], strerror(errno));
	blob = malloc(MAX_BLOB);
	len = blob ? fread(blob, 1, MAX_BLOB, f) : 0;
	fclose(f);
	if (!blob)
		fail("out of memory");
	if (config_parse(blob, len, &cfg, err, sizeof(err)))
		fail("%s: %s", argv[0], err);
	for (unsigned int i = 0; i < cfg.nvms; i++) {
		const struct vm_config *c = &cfg.vms[i];

		if (strcmp(c->name, argv[1]))
			continue;
		if (c->error[0])
			fail("vm %s: %s", c->name, c->error);
		if (!c->enclave)
			fprintf(stderr,
				"skiff-attest: note: vm %s is no enclave: Skiff measures "
				"enclaves only\n",
				c->name);
		measure_vm(c, digest);
		print_hex(stdout, digest, sizeof(digest));
		printf("\n");
		free(blob);
		return 0;
	}
	fail("%s: no VM called \"%s\"", argv[0], argv[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 2, argv + 2);
	if (!strcmp(argv[1], "pubkey"))
		return cmd_pubkey(argc - 2, argv + 2);
	if (!strcmp(argv[1], "measure"))
		return cmd_measure(argc - 2, argv + 2);
	usage();
}
