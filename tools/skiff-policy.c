// SPDX-License-Identifier: MIT
/*
 * skiff-policy: an enclave's migration policy (docs/enclaves.md, "The migration
 * policy") for its owner and for tests.
 *
 *   skiff-policy build [--omit FIELD]... DESCRIPTION OWNER-KEY OUT
 *   skiff-policy show POLICY
 *   skiff-policy host-id PRIVATE-KEY
 *
 * build reads a readable description (one "field = value" a line, # comments;
 * every field given, host-key and host-class as often as needed), encodes it
 * with Skiff's own code (src/enclave/policy.c) and signs it with the owner's
 * P-256 private key (64 hex digits, or @FILE holding them); the owner's public
 * key goes into the policy. --omit leaves a field out, for tests of a policy
 * that lacks one (Skiff refuses it). show checks a policy (form and signature)
 * and prints its fields; it exits 1 naming what is wrong. host-id prints the
 * identity (SHA-256 of the public key) of a host's attestation key, as a
 * host-key line wants it.
 */
#include <bearssl.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enclave/policy.h"

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: skiff-policy build [--omit FIELD]... DESCRIPTION OWNER-KEY OUT\n"
		"       skiff-policy show POLICY\n"
		"       skiff-policy host-id PRIVATE-KEY\n"
		"  OWNER-KEY, PRIVATE-KEY: a P-256 private key as 64 hex digits, or @FILE\n");
	exit(2);
}

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "skiff-policy: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void hex_out(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int hex_in(const char *s, unsigned char *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return 0;
}

/* A private key given as hex or @FILE. */
static void load_key(const char *arg, struct attest_key *k)
{
	char buf[200];
	unsigned char sk[ATTEST_SCALAR_LEN];
	enum attest_key_error e;

	if (arg[0] == '@') {
		FILE *f = fopen(arg + 1, "r");
		size_t n;

		if (!f)
			fail("%s: %s", arg + 1, strerror(errno));
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		while (n && isspace((unsigned char)buf[n - 1]))
			buf[--n] = 0;
	} else {
		snprintf(buf, sizeof(buf), "%s", arg);
	}
	e = attest_scalar_from_hex(buf, sk);
	if (e != ATTEST_KEY_OK)
		fail("the private key %s", attest_key_error_text(e));
	if (attest_key_from_scalar(k, sk))
		fail("the private key gives no public key");
	secret_wipe(sk, sizeof(sk));
	secret_wipe(buf, sizeof(buf));
}

static bool yes_no(const char *v, unsigned int line, const char *field)
{
	if (!strcmp(v, "yes"))
		return true;
	if (!strcmp(v, "no"))
		return false;
	fail("line %u: %s is \"%s\"; yes or no", line, field, v);
}

static uint32_t number(const char *v, unsigned int line, const char *field)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || !*v || n > 0xffffffffULL)
		fail("line %u: %s is \"%s\"; a number up to 4294967295", line, field, v);
	return (uint32_t)n;
}

static void parse_counter(struct migration_policy *p, const char *v, unsigned int line)
{
	char mode[16];
	unsigned long long hz;
	int used = 0;

	if (sscanf(v, "%15s %llu%n", mode, &hz, &used) != 2 || v[used])
		fail("line %u: counter is \"%s\"; MODE HZ, MODE native, sysreg or mmio", line, v);
	if (!strcmp(mode, "native"))
		p->counter_mode = POLICY_COUNTER_NATIVE;
	else if (!strcmp(mode, "sysreg"))
		p->counter_mode = POLICY_COUNTER_SYSREG;
	else if (!strcmp(mode, "mmio"))
		p->counter_mode = POLICY_COUNTER_MMIO;
	else
		fail("line %u: counter mode \"%s\"; native, sysreg or mmio", line, mode);
	p->counter_hz = hz;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Reads the description; returns the fields it gave as a POLICY_ALL_FIELDS mask. */
static uint32_t read_description(const char *path, struct migration_policy *p)
{
	FILE *f = fopen(path, "r");
	char text[512];
	unsigned int line = 0;
	uint32_t given = 0;

	if (!f)
		fail("%s: %s", path, strerror(errno));
	while (fgets(text, sizeof(text), f)) {
		char *eq, *key, *v, *hash = strchr(text, '#');
		unsigned int tag;

		line++;
		if (hash)
			*hash = 0;
		key = trim(text);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq)
			fail("%s:%u: no '=' (FIELD = VALUE)", path, line);
		*eq = 0;
		key = trim(key);
		v = trim(eq + 1);
		if (!strcmp(key, "host-key")) {
			if (p->nhost_keys == POLICY_MAX_HOST_KEYS)
				fail("%s:%u: more than %u host keys", path, line,
				     POLICY_MAX_HOST_KEYS);
			if (hex_in(v, p->host_keys[p->nhost_keys++], TOKEN_HOST_ID_LEN))
				fail("%s:%u: a host key is its identity, 64 hex digits "
				     "(skiff-policy "
				     "host-id)",
				     path, line);
			given |= 1U << POLICY_F_HOST_KEYS;
			continue;
		}
		if (!strcmp(key, "host-class")) {
			if (p->nclasses == POLICY_MAX_CLASSES)
				fail("%s:%u: more than %u host classes", path, line,
				     POLICY_MAX_CLASSES);
			if (!*v || strlen(v) > POLICY_CLASS_MAX)
				fail("%s:%u: a host class has 1-%u characters", path, line,
				     POLICY_CLASS_MAX);
			memcpy(p->classes[p->nclasses++], v, strlen(v) + 1);
			given |= 1U << POLICY_F_HOST_CLASSES;
			continue;
		}
		for (tag = 1; tag < POLICY_F_COUNT; tag++)
			if (!strcmp(key, policy_field_name(tag)))
				break;
		if (tag == POLICY_F_COUNT || tag == POLICY_F_OWNER_KEY)
			fail("%s:%u: unknown field \"%s\"", path, line, key);
		if (given & (1U << tag))
			fail("%s:%u: %s given twice", path, line, key);
		given |= 1U << tag;
		switch (tag) {
		case POLICY_F_MIGRATABLE:
			p->migratable = yes_no(v, line, key);
			break;
		case POLICY_F_POLICY_SVN:
			p->svn = number(v, line, key);
			break;
		case POLICY_F_MIN_SKIFF_SVN:
			p->min_skiff_svn = number(v, line, key);
			break;
		case POLICY_F_CPU_PROFILE:
			if (cpu_profile_named(v, &p->cpu_profile) || !strcmp(v, "host"))
				fail("%s:%u: cpu-profile \"%s\"; a named one: armv8.0, armv8.2",
				     path, line, v);
			break;
		case POLICY_F_COUNTER:
			parse_counter(p, v, line);
			break;
		case POLICY_F_ENCLAVE_REQUIRED:
			p->enclave_required = yes_no(v, line, key);
			break;
		default:
			break;
		}
	}
	fclose(f);
	/* Both host lists are one field each in the encoding, and either may be empty. */
	if (given & (3U << POLICY_F_HOST_KEYS))
		given |= 3U << POLICY_F_HOST_KEYS;
	return given | 1U << POLICY_F_OWNER_KEY;
}

static int build(int argc, char **argv)
{
	struct migration_policy p, check;
	struct attest_key owner;
	uint32_t fields, omit = 0;
	uint8_t out[POLICY_MAX_LEN];
	char err[POLICY_WHY_MAX];
	size_t n;
	FILE *f;
	int i = 0;

	while (i + 1 < argc && !strcmp(argv[i], "--omit")) {
		unsigned int tag;

		for (tag = 1; tag < POLICY_F_COUNT; tag++)
			if (!strcmp(argv[i + 1], policy_field_name(tag)))
				break;
		if (tag == POLICY_F_COUNT)
			fail("--omit %s: no such field", argv[i + 1]);
		omit |= 1U << tag;
		i += 2;
	}
	if (argc - i != 3)
		usage();
	memset(&p, 0, sizeof(p));
	fields = read_description(argv[i], &p);
	for (unsigned int tag = 1; tag < POLICY_F_COUNT; tag++)
		if (!(fields & (1U << tag)) && !(omit & (1U << tag)))
			fail("%s: no %s line%s", argv[i], policy_field_name(tag),
			     tag == POLICY_F_HOST_KEYS || tag == POLICY_F_HOST_CLASSES
				     ? " (host-key or host-class, at least one)"
				     : "");
	load_key(argv[i + 1], &owner);
	memcpy(p.owner_key, owner.pub, ATTEST_PUB_LEN);
	n = policy_encode(&p, fields & ~omit, owner.sk, out, sizeof(out));
	secret_wipe(&owner, sizeof(owner));
	if (!n)
		fail("the policy could not be encoded and signed");
	/* What the hosts will check: a whole policy must pass it. */
	if (!omit && policy_decode(out, n, &check, err, sizeof(err)))
		fail("the policy described is one Skiff refuses: %s", err);
	f = fopen(argv[i + 2], "wb");
	if (!f || fwrite(out, 1, n, f) != n || fclose(f))
		fail("%s: %s", argv[i + 2], strerror(errno));
	return 0;
}

static const char *counter_mode_text(unsigned int m)
{
	return m == POLICY_COUNTER_NATIVE   ? "native"
	       : m == POLICY_COUNTER_SYSREG ? "sysreg"
					    : "mmio";
}

static int show(const char *path)
{
	static uint8_t buf[POLICY_MAX_LEN + 1];
	struct migration_policy p;
	char err[POLICY_WHY_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (policy_decode(buf, n, &p, err, sizeof(err)))
		fail("policy REFUSED: %s", err);
	printf("owner-key = ");
	hex_out(p.owner_key, ATTEST_PUB_LEN);
	printf("\nmigratable = %s\npolicy-svn = %u\nmin-skiff-svn = %u\n",
	       p.migratable ? "yes" : "no", p.svn, p.min_skiff_svn);
	for (unsigned int i = 0; i < p.nhost_keys; i++) {
		printf("host-key = ");
		hex_out(p.host_keys[i], TOKEN_HOST_ID_LEN);
		printf("\n");
	}
	for (unsigned int i = 0; i < p.nclasses; i++)
		printf("host-class = %s\n", p.classes[i]);
	printf("cpu-profile = %s\ncounter = %s %lu\nenclave-required = %s\ndigest = ",
	       p.cpu_profile.name, counter_mode_text(p.counter_mode), (unsigned long)p.counter_hz,
	       p.enclave_required ? "yes" : "no");
	hex_out(p.digest, sizeof(p.digest));
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct attest_key k;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "build"))
		return build(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show") && argc == 3)
		return show(argv[2]);
	if (!strcmp(argv[1], "host-id") && argc == 3) {
		load_key(argv[2], &k);
		hex_out(k.id, TOKEN_HOST_ID_LEN);
		printf("\n");
		secret_wipe(&k, sizeof(k));
		return 0;
	}
	usage();
}
