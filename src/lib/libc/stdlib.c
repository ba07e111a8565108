// SPDX-License-Identifier: MIT
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include "unconst.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* As C11 7.22.1.4, saturating at ULONG_MAX on overflow (no errno here). */
unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	bool neg = false, any = false, overflow = false;

	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = libc_unconst(s);
		return 0;
	}
	for (; digit_value(*p) < base; p++) {
		unsigned long d = (unsigned long)digit_value(*p);

		any = true;
		if (v > (ULONG_MAX - d) / (unsigned long)base)
			overflow = true;
		v = v * (unsigned long)base + d;
	}
	if (end)
		*end = libc_unconst(any ? p : s);
	if (overflow)
		return ULONG_MAX;
	return neg ? -v : v;
}
