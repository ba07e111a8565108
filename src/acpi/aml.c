// SPDX-License-Identifier: MIT
#include <string.h>

#include "acpi/aml.h"

#define ZERO_OP		  0x00
#define ONE_OP		  0x01
#define NAME_OP		  0x08
#define BYTE_PREFIX	  0x0a
#define WORD_PREFIX	  0x0b
#define DWORD_PREFIX	  0x0c
#define STRING_PREFIX	  0x0d
#define QWORD_PREFIX	  0x0e
#define SCOPE_OP	  0x10
#define BUFFER_OP	  0x11
#define PACKAGE_OP	  0x12
#define DUAL_NAME_PREFIX  0x2e
#define MULTI_NAME_PREFIX 0x2f
#define EXT_OP_PREFIX	  0x5b
#define DEVICE_OP	  0x82
#define ROOT_CHAR	  '\\'
#define AML_MAX_SEGS	  16 /* segments of one name: deeper than any namespace here */

/* Large resource descriptors (ACPI 6.4, 6.4.3). */
#define RES_MEMORY32_FIXED 0x86
#define RES_DWORD_SPACE	   0x87
#define RES_WORD_SPACE	   0x88
#define RES_EXT_IRQ	   0x89
#define RES_QWORD_SPACE	   0x8a
#define RES_END_TAG	   0x79
#define SPACE_MEMORY	   0
#define SPACE_IO	   1
#define SPACE_BUS	   2
#define SPACE_MIN_MAX_FIXED                                                  \
	0x0c /* general flags: MinFixed, MaxFixed; producer, positive decode \
	      */
#define SPACE_CONSUMER 0x01

void aml_init(struct aml *a, void *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

bool aml_ok(const struct aml *a)
{
	return !a->failed && a->depth == 0;
}

static void put(struct aml *a, const void *data, size_t len)
{
	if (a->failed || len > a->cap - a->len) {
		a->failed = true;
		return;
	}
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

static void put8(struct aml *a, uint8_t v)
{
	put(a, &v, 1);
}

static void put_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(a, b, bytes);
}

void aml_bytes(struct aml *a, const void *data, size_t len)
{
	put(a, data, len);
}

/* A data object inside a package counts as one of its elements. */
static void element(struct aml *a)
{
	if (a->depth && a->open[a->depth - 1].kind == AML_PACKAGE)
		a->open[a->depth - 1].count++;
}

unsigned int aml_pkglen_size(size_t body_len)
{
	/* The length counts its own bytes: 6 bits in one byte, then 12, 20, 28 bits. */
	if (body_len + 1 <= 0x3f)
		return 1;
	for (unsigned int n = 2; n <= 4; n++)
		if (body_len + n < (1UL << (4 + 8 * (n - 1))))
			return n;
	return 0;
}

unsigned int aml_pkglen_encode(size_t body_len, uint8_t out[4])
{
	unsigned int n = aml_pkglen_size(body_len);
	size_t total = body_len + n;

	if (n == 1) {
		out[0] = (uint8_t)total;
		return 1;
	}
	if (n == 0)
		return 0;
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
	for (unsigned int i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

static bool seg_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

void aml_name_string(struct aml *a, const char *name)
{
	const char *p = name;
	unsigned int nsegs = 1;
	uint8_t segs[AML_MAX_SEGS][4];

	if (*p == ROOT_CHAR) {
		put8(a, ROOT_CHAR);
		p++;
	}
	for (const char *q = p; *q; q++)
		nsegs += *q == '.';
	if (nsegs > AML_MAX_SEGS) {
		a->failed = true;
		return;
	}
	for (unsigned int s = 0; s < nsegs; s++) {
		unsigned int n = 0;

		for (; *p && *p != '.'; p++, n++) {
			if (n == 4 || !seg_char(*p, n == 0)) {
				a->failed = true;
				return;
			}
			segs[s][n] = (uint8_t)*p;
		}
		if (n == 0) {
			a->failed = true;
			return;
		}
		for (; n < 4; n++)
			segs[s][n] = '_';
		if (*p == '.')
			p++;
	}
	if (nsegs == 2) {
		put8(a, DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		put8(a, MULTI_NAME_PREFIX);
		put8(a, (uint8_t)nsegs);
	}
	put(a, segs, 4 * nsegs);
}

void aml_integer(struct aml *a, uint64_t value)
{
	element(a);
	if (value <= 1) {
		put8(a, value ? ONE_OP : ZERO_OP);
	} else if (value <= 0xff) {
		put8(a, BYTE_PREFIX);
		put_le(a, value, 1);
	} else if (value <= 0xffff) {
		put8(a, WORD_PREFIX);
		put_le(a, value, 2);
	} else if (value <= 0xffffffffUL) {
		put8(a, DWORD_PREFIX);
		put_le(a, value, 4);
	} else {
		put8(a, QWORD_PREFIX);
		put_le(a, value, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	element(a);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p > 0x7f) {
			a->failed = true; /* AML strings are ASCII */
			return;
		}
	put8(a, STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

uint32_t aml_eisaid(const char *id)
{
	/* Three letters of 5 bits each and four hex digits, stored big-endian. */
	uint32_t v = ((uint32_t)(id[0] & 0x1f) << 26) | ((uint32_t)(id[1] & 0x1f) << 21) |
		     ((uint32_t)(id[2] & 0x1f) << 16);

	for (unsigned int i = 3; i < 7; i++)
		v |= (uint32_t)hex_digit(id[i]) << (4 * (6 - i));
	return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24);
}

bool aml_uuid_bytes(const char *uuid, uint8_t out[16])
{
	/* The first three fields are stored little-endian, the last two as written. */
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t raw[16];
	unsigned int n = 0;

	for (const char *p = uuid; *p; p++) {
		int hi, lo;

		if (*p == '-' &&
		    (p - uuid == 8 || p - uuid == 13 || p - uuid == 18 || p - uuid == 23))
			continue;
		hi = hex_digit(p[0]);
		lo = hi < 0 ? -1 : hex_digit(p[1]);
		if (lo < 0 || n == 16)
			return false;
		raw[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	if (n != 16 || strlen(uuid) != 36)
		return false;
	for (unsigned int i = 0; i < 16; i++)
		out[i] = raw[order[i]];
	return true;
}

void aml_name(struct aml *a, const char *name)
{
	put8(a, NAME_OP);
	aml_name_string(a, name);
}

static void open_object(struct aml *a, enum aml_kind kind)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->failed = true;
		return;
	}
	a->open[a->depth].kind = kind;
	a->open[a->depth].start = a->len;
	a->open[a->depth].count = 0;
	a->depth++;
}

void aml_scope_open(struct aml *a, const char *name)
{
	put8(a, SCOPE_OP);
	open_object(a, AML_SCOPE);
	aml_name_string(a, name);
}

void aml_device_open(struct aml *a, const char *name)
{
	put8(a, EXT_OP_PREFIX);
	put8(a, DEVICE_OP);
	open_object(a, AML_DEVICE);
	aml_name_string(a, name);
}

void aml_buffer_open(struct aml *a)
{
	element(a);
	put8(a, BUFFER_OP);
	open_object(a, AML_BUFFER);
}

void aml_package_open(struct aml *a)
{
	element(a);
	put8(a, PACKAGE_OP);
	open_object(a, AML_PACKAGE);
}

void aml_close(struct aml *a)
{
	uint8_t head[4 + 9];
	/* aml_init() fills it; said here too for -flto's warnings, which do not see memset(). */
	struct aml prefix = { 0 };
	size_t start, body;
	unsigned int n;

	if (a->failed || a->depth == 0) {
		a->failed = true;
		return;
	}
	a->depth--;
	start = a->open[a->depth].start;
	body = a->len - start;
	/* What goes between the length and the body: a package's count, a buffer's size. */
	aml_init(&prefix, head + 4, sizeof(head) - 4);
	if (a->open[a->depth].kind == AML_PACKAGE) {
		if (a->open[a->depth].count > 255) {
			a->failed = true;
			return;
		}
		put8(&prefix, (uint8_t)a->open[a->depth].count);
	} else if (a->open[a->depth].kind == AML_BUFFER) {
		aml_integer(&prefix, body);
	}
	n = aml_pkglen_encode(prefix.len + body, head);
	if (n == 0 || n + prefix.len > a->cap - a->len) {
		a->failed = true;
		return;
	}
	memmove(a->buf + start + n + prefix.len, a->buf + start, body);
	memcpy(a->buf + start, head, n);
	memcpy(a->buf + start + n, head + 4, prefix.len);
	a->len += n + prefix.len;
}

void aml_res_memory(struct aml *a, uint64_t base, uint64_t size, bool writeable)
{
	if (size && base + size - 1 <= 0xffffffffUL && base + size - 1 >= base) {
		put8(a, RES_MEMORY32_FIXED);
		put_le(a, 9, 2);
		put8(a, writeable ? 1 : 0);
		put_le(a, base, 4);
		put_le(a, size, 4);
		return;
	}
	put8(a, RES_QWORD_SPACE);
	put_le(a, 43, 2);
	put8(a, SPACE_MEMORY);
	put8(a, SPACE_MIN_MAX_FIXED | SPACE_CONSUMER);
	put8(a, writeable ? 1 : 0); /* non-cacheable */
	put_le(a, 0, 8);	    /* granularity */
	put_le(a, base, 8);
	put_le(a, base + size - 1, 8);
	put_le(a, 0, 8); /* translation */
	put_le(a, size, 8);
}

void aml_res_interrupt(struct aml *a, const uint32_t *gsivs, unsigned int count, bool edge,
		       bool active_low)
{
	if (count == 0 || count > 255) {
		a->failed = true;
		return;
	}
	put8(a, RES_EXT_IRQ);
	put_le(a, 2 + 4 * count, 2);
	put8(a, (uint8_t)(SPACE_CONSUMER | (edge ? 2 : 0) | (active_low ? 4 : 0)));
	put8(a, (uint8_t)count);
	for (unsigned int i = 0; i < count; i++)
		put_le(a, gsivs[i], 4);
}

void aml_res_bus_numbers(struct aml *a, unsigned int first, unsigned int last)
{
	put8(a, RES_WORD_SPACE);
	put_le(a, 13, 2);
	put8(a, SPACE_BUS);
	put8(a, SPACE_MIN_MAX_FIXED);
	put8(a, 0);
	put_le(a, 0, 2); /* granularity */
	put_le(a, first, 2);
	put_le(a, last, 2);
	put_le(a, 0, 2); /* translation */
	put_le(a, last - first + 1, 2);
}

void aml_res_window(struct aml *a, bool io, bool prefetchable, uint64_t base, uint64_t size,
		    uint64_t translation)
{
	/* Memory: read-write, cacheable when prefetchable. I/O: the entire range. */
	uint8_t specific = io ? 3 : (uint8_t)(1 | (prefetchable ? 3 << 1 : 0));

	put8(a, RES_QWORD_SPACE);
	put_le(a, 43, 2);
	put8(a, io ? SPACE_IO : SPACE_MEMORY);
	put8(a, SPACE_MIN_MAX_FIXED);
	put8(a, specific);
	put_le(a, 0, 8);
	put_le(a, base, 8);
	put_le(a, base + size - 1, 8);
	put_le(a, translation, 8);
	put_le(a, size, 8);
}

void aml_res_end(struct aml *a)
{
	put8(a, RES_END_TAG);
	put8(a, 0); /* checksum 0: "treat as correct" */
}
