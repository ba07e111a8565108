// SPDX-License-Identifier: MIT
/*
 * The formatter (lib/format.c) against the host C library's snprintf. The
 * input builds a format of text and one conversion of those format.h lists
 * (d i u x X o p s c %), with the flags, width, precision ('*' too) and length
 * modifier C defines for it, an argument of the matching type, and a buffer
 * size; both must write the same text and return the same length. Widths and
 * precisions stay below 1000 (the outputs are compared in full).
 */
#include <stddef.h>

#include "lib/format.h"
#include "fuzz.h"

#define OUT_MAX 4096

static const char conversions[] = "diuxXopsc%";
static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };

struct conv {
	char fmt[256];
	char c;
	unsigned int length; /* index into lengths */
	bool star_width, star_precision;
	int width, precision;
};

FUZZ_ORACLE static bool is_int(char c)
{
	return strchr("diuxXo", c) != NULL;
}

/* Literal text: no '%' (the conversion is the only one) and no NUL. */
static size_t text(struct fuzz_in *in, char *out, size_t room)
{
	size_t n = fuzz_u8(in) % 8, k = 0;

	for (size_t i = 0; i < n && k + 1 < room; i++) {
		uint8_t b = fuzz_u8(in);

		if (!b || b == '%')
			b = 'x';
		memcpy(&out[k++], &b, 1); /* any byte, 0x80-0xff too */
	}
	out[k] = '\0';
	return k;
}

/*
 * Flags C defines for the conversion, as the compiler's format check lets them
 * through format()'s printf attribute (it refuses '+' on %u, for one).
 */
static void flags(struct fuzz_in *in, struct conv *cv, char **p)
{
	uint8_t f = fuzz_u8(in);

	if (f & 1)
		*(*p)++ = '-';
	if ((f & 2) && is_int(cv->c))
		*(*p)++ = '0';
	if ((f & 4) && strchr("di", cv->c))
		*(*p)++ = '+';
	if ((f & 8) && strchr("di", cv->c))
		*(*p)++ = ' ';
	if ((f & 16) && strchr("xXo", cv->c))
		*(*p)++ = '#';
}

static void build(struct fuzz_in *in, struct conv *cv)
{
	char *p = cv->fmt;
	uint8_t shape;

	p += text(in, p, 16);
	cv->c = conversions[fuzz_u8(in) % (sizeof(conversions) - 1)];
	*p++ = '%';
	if (cv->c == '%') {
		*p++ = '%';
		text(in, p, 16);
		return;
	}
	flags(in, cv, &p);
	shape = fuzz_u8(in);
	cv->width = (int)(fuzz_u16(in) % 1999) - 999;
	cv->precision = (int)(fuzz_u16(in) % 1049) - 50;
	cv->star_width = (shape & 3) == 1;
	if (cv->star_width)
		*p++ = '*';
	else if ((shape & 3) == 2)
		p += sprintf(p, "%d", cv->width < 0 ? -cv->width : cv->width);
	/* A precision is defined for the integers and strings only. */
	if (strchr("diuxXos", cv->c)) {
		cv->star_precision = ((shape >> 2) & 3) == 1;
		if (cv->star_precision)
			p += sprintf(p, ".*");
		else if (((shape >> 2) & 3) == 2)
			p += sprintf(p, ".%d", cv->precision < 0 ? -cv->precision : cv->precision);
		else if (((shape >> 2) & 3) == 3)
			*p++ = '.';
	}
	cv->length = is_int(cv->c) ? fuzz_u8(in) % 8 : 0;
	p += sprintf(p, "%s%c", lengths[cv->length], cv->c);
	text(in, p, 16);
}

/* Calls @fn(buf, size, fmt, [width,] [precision,] value). */
#define CALL(fn, buf, size, cv, value)                                             \
	((cv)->star_width && (cv)->star_precision                                  \
		 ? fn(buf, size, (cv)->fmt, (cv)->width, (cv)->precision, value)   \
	 : (cv)->star_width	? fn(buf, size, (cv)->fmt, (cv)->width, value)     \
	 : (cv)->star_precision ? fn(buf, size, (cv)->fmt, (cv)->precision, value) \
				: fn(buf, size, (cv)->fmt, value))

#define BOTH(value)                                      \
	(ours = CALL(format, out_ours, size, cv, value), \
	 theirs = CALL(snprintf, out_theirs, size, cv, value))

FUZZ_ORACLE static void compare(const struct conv *cv, uint64_t v, const char *s, size_t size)
{
	static char out_ours[OUT_MAX], out_theirs[OUT_MAX];
	bool sign = cv->c == 'd' || cv->c == 'i';
	int ours = 0, theirs = 0;

	memset(out_ours, '#', sizeof(out_ours));
	memset(out_theirs, '#', sizeof(out_theirs));
	if (cv->c == 's')
		BOTH(s);
	else if (cv->c == 'c')
		BOTH((int)(char)v);
	else if (cv->c == 'p')
		BOTH((void *)(uintptr_t)(v | 1)); /* not NULL: libcs print that their own way */
	else if (cv->c == '%')
		BOTH(0);
	else if (cv->length <= 2)
		sign ? BOTH((int)v) : BOTH((unsigned int)v);
	else if (cv->length == 3)
		sign ? BOTH((long)v) : BOTH((unsigned long)v);
	else if (cv->length == 4)
		sign ? BOTH((long long)v) : BOTH((unsigned long long)v);
	else if (cv->length == 5)
		sign ? BOTH((ssize_t)v) : BOTH((size_t)v);
	else if (cv->length == 6)
		sign ? BOTH((ptrdiff_t)v) : BOTH((size_t)v);
	else
		sign ? BOTH((intmax_t)v) : BOTH((uintmax_t)v);
	FUZZ_CHECK(ours == theirs && !memcmp(out_ours, out_theirs, size ? size : 1),
		   "format(\"%s\") into %zu bytes: \"%.*s\" (%d), libc \"%.*s\" (%d)", cv->fmt,
		   size, (int)(size ? size : 1), out_ours, ours, (int)(size ? size : 1), out_theirs,
		   theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct conv cv;
	char s[64];
	uint64_t v;
	size_t out_size;

	memset(&cv, 0, sizeof(cv));
	build(&in, &cv);
	v = fuzz_u64(&in);
	out_size = fuzz_u16(&in) % (OUT_MAX + 1);
	text(&in, s, sizeof(s));
	compare(&cv, v, s, out_size);
	return 0;
}
