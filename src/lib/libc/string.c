// SPDX-License-Identifier: MIT
/*
 * Freestanding string functions. They never make an unaligned access (the early
 * boot path runs with the MMU off); memcpy and memset move 8 bytes at a time,
 * memcpy also between buffers aligned differently (a migration's pages sit at
 * odd offsets in its records), since guest images and RAM are large.
 */
#include <stdint.h>
#include <string.h>

#include "unconst.h"

/*
 * 8 bytes at a time to an aligned @d from @s, which is @k (1-7) bytes past an
 * 8-byte boundary: aligned loads, each output word put together from two. A
 * load may take up to 7 bytes beyond the last one copied, but never beyond its
 * aligned word, so never into another page. Returns the bytes copied.
 */
static size_t copy_shifted(uint64_t *d, const unsigned char *s, size_t n, unsigned int k)
{
	const uint64_t *w = (const uint64_t *)(s - k);
	unsigned int lo_shift = 8 * k, hi_shift = 64 - 8 * k;
	uint64_t lo = *w++;
	size_t done = 0;

	for (; n - done >= 8; done += 8) {
		uint64_t hi = *w++;

		*d++ = (lo >> lo_shift) | (hi << hi_shift); /* little-endian */
		lo = hi;
	}
	return done;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n >= 16) {
		unsigned int k;
		size_t done;

		for (; (uintptr_t)d & 7; n--)
			*d++ = *s++;
		k = (uintptr_t)s & 7;
		if (k) {
			done = copy_shifted((uint64_t *)d, s, n, k);
		} else {
			for (done = 0; n - done >= 8; done += 8)
				*(uint64_t *)(d + done) = *(const uint64_t *)(s + done);
		}
		d += done;
		s += done;
		n -= done;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || !n)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pattern = 0x0101010101010101UL * (unsigned char)c;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (unsigned char)c;
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = pattern;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return libc_unconst(p);
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return libc_unconst(s);
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return libc_unconst(last);
	}
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
