/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_NAME.c): taking typed
 * values off the front of the fuzzer's input (zeros once it is used up, so
 * every input is a complete run), and checks that abort with a message, which
 * libFuzzer reports as a crash with the input that caused it.
 */
#ifndef SKIFF_TESTS_FUZZ_H
#define SKIFF_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * On a harness's own checks and models: no coverage instrumentation there, so
 * the fuzzer is steered by the code under test alone and each check costs
 * what it computes (comparison tracing in a model's loops can cost more than
 * the code it checks). The sanitizers still instrument them.
 */
#define FUZZ_ORACLE __attribute__((no_sanitize("coverage")))

#define FUZZ_CHECK(cond, ...)                                                                    \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
			abort();                                                                 \
		}                                                                                \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

FUZZ_ORACLE static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->n > 0;
}

/* Up to @len bytes into @out (zeros past the end); returns how many were real. */
FUZZ_ORACLE static inline size_t fuzz_bytes(struct fuzz_in *in, void *out, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, len - k);
	in->p += k;
	in->n -= k;
	return k;
}

FUZZ_ORACLE static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

FUZZ_ORACLE static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_bytes(in, &v, 2);
	return v;
}

FUZZ_ORACLE static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_bytes(in, &v, 4);
	return v;
}

FUZZ_ORACLE static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_bytes(in, &v, 8);
	return v;
}

/* A NUL-terminated string of @max - 1 bytes at most. */
FUZZ_ORACLE static inline bool fuzz_terminated(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

#endif
