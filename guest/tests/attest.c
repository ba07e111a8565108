// SPDX-License-Identifier: MIT
/*
 * Attestation through Skiff's vendor hypervisor service (docs/hypercalls.md,
 * "Skiff's own calls"): the Call UID query, then a token for the challenge the
 * system test put in the bootargs (challenge=128 hex digits), printed in hex for
 * the test to check with tools/skiff-attest; the refusals (buffer too small,
 * ranges outside RAM or on a device). With enclave=0 the VM is no enclave and
 * the call must be denied. mib=N: the VM's RAM in MiB (4).
 */
#include <string.h>

#include "enclave/abi.h"
#include "libguest.h"

#define UART_IPA 0x09000000UL

static unsigned char challenge[TOKEN_CHALLENGE_LEN];
static unsigned char token[256];

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The challenge from the bootargs; a fixed pattern when there is none. */
static bool read_challenge(void)
{
	char hex[2 * TOKEN_CHALLENGE_LEN + 2];
	size_t n = bootarg_str("challenge", hex, sizeof(hex));

	if (!n) {
		for (unsigned int i = 0; i < TOKEN_CHALLENGE_LEN; i++)
			challenge[i] = (unsigned char)i;
		return true;
	}
	if (n != 2 * TOKEN_CHALLENGE_LEN)
		return false;
	for (unsigned int i = 0; i < TOKEN_CHALLENGE_LEN; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		challenge[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static void print_hex(const char *label, const unsigned char *b, size_t len)
{
	for (size_t off = 0; off < len; off += 32) {
		printf("%s: ", label);
		for (size_t i = off; i < off + 32 && i < len; i++)
			printf("%02x", b[i]);
		printf("\n");
	}
}

static int64_t attest(uint64_t chal, uint64_t buf, uint64_t size, uint64_t *len)
{
	struct smccc_res r;

	smccc_hvc(SKIFF_HVC_ATTEST, chal, buf, size, &r);
	*len = r.a1;
	return (int64_t)r.a0;
}

static void refusals(uint64_t ram_end)
{
	uint64_t len;
	int64_t r;

	r = attest((uint64_t)challenge, (uint64_t)token, TOKEN_LEN - 1, &len);
	report(r == SKIFF_HVC_BUFFER_TOO_SMALL && len == TOKEN_LEN,
	       "a buffer of %u bytes is too small: %ld, %lu bytes needed", TOKEN_LEN - 1, (long)r,
	       (unsigned long)len);
	r = attest((uint64_t)challenge, 0, 0, &len);
	report(r == SKIFF_HVC_BUFFER_TOO_SMALL && len == TOKEN_LEN,
	       "no buffer asks for the size: %lu bytes", (unsigned long)len);
	r = attest(ram_end - 32, (uint64_t)token, sizeof(token), &len);
	report(r == SKIFF_HVC_INVALID_PARAMETER,
	       "a challenge across the end of RAM is refused (%ld)", (long)r);
	r = attest(UART_IPA, (uint64_t)token, sizeof(token), &len);
	report(r == SKIFF_HVC_INVALID_PARAMETER, "a challenge on a device is refused (%ld)",
	       (long)r);
	r = attest((uint64_t)challenge, ram_end - 100, TOKEN_LEN, &len);
	report(r == SKIFF_HVC_INVALID_PARAMETER, "a buffer across the end of RAM is refused (%ld)",
	       (long)r);
	r = attest((uint64_t)challenge, GUEST_RAM_BASE - TOKEN_LEN, TOKEN_LEN, &len);
	report(r == SKIFF_HVC_INVALID_PARAMETER, "a buffer below RAM is refused (%ld)", (long)r);
}

void main_test(void)
{
	uint64_t ram_end = GUEST_RAM_BASE + (bootarg_u64("mib", 4) << 20), len;
	struct smccc_res r;
	int64_t status;

	report_info("test: attest");
	smccc_hvc(SKIFF_HVC_CALL_UID, 0, 0, 0, &r);
	report(r.a0 == SKIFF_UID_W0 && r.a1 == SKIFF_UID_W1 && r.a2 == SKIFF_UID_W2 &&
		       r.a3 == SKIFF_UID_W3,
	       "the vendor hypervisor service is Skiff's (UID %08lx-%08lx-%08lx-%08lx)",
	       (unsigned long)r.a0, (unsigned long)r.a1, (unsigned long)r.a2, (unsigned long)r.a3);
	report(read_challenge(), "the challenge from the bootargs");
	if (!bootarg_u64("enclave", 1)) {
		status = attest((uint64_t)challenge, (uint64_t)token, sizeof(token), &len);
		report(status == SKIFF_HVC_DENIED, "no enclave, no token: %ld", (long)status);
		return;
	}
	memset(token, 0, sizeof(token));
	status = attest((uint64_t)challenge, (uint64_t)token, sizeof(token), &len);
	report(status == SKIFF_HVC_SUCCESS && len == TOKEN_LEN, "a token: status %ld, %lu bytes",
	       (long)status, (unsigned long)len);
	report(!memcmp(token, TOKEN_MAGIC, 4) && token[TOKEN_OFF_VERSION] == TOKEN_VERSION,
	       "it starts with SKAT, version 1");
	report(!memcmp(token + TOKEN_OFF_CHALLENGE, challenge, TOKEN_CHALLENGE_LEN),
	       "it carries the challenge");
	print_hex("challenge", challenge, TOKEN_CHALLENGE_LEN);
	print_hex("token", token, TOKEN_LEN);
	refusals(ram_end);
}
