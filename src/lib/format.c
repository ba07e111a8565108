// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdint.h>

#include "lib/format.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* length the full output would have */
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none */
	int length;    /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v, bool neg, unsigned int base,
		    bool upper, const char *prefix) /* never NULL */
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, plen = 0, total;
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;

	for (; v; v /= base)
		tmp[n++] = digits[v % base];
	if (!n && sp->precision != 0)
		tmp[n++] = '0';
	zeros = sp->precision > n ? sp->precision - n : 0;
	/* Octal '#': a leading zero, unless the digits or the precision's zeros begin with one. */
	if (prefix[0] == '0' && !prefix[1] && ((n && tmp[n - 1] == '0') || zeros))
		prefix = "";
	while (prefix[plen])
		plen++;
	total = n + zeros + plen + (sign ? 1 : 0);
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->length = sp->length >= 1 ? 2 : 1;
		else if (*f == 'h')
			sp->length = sp->length <= -1 ? -2 : -1;
		else if (*f == 'z' || *f == 't' || *f == 'j')
			sp->length = 3;
		else
			break;
	}
	return f;
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2:
		return (signed char)va_arg(*ap, int);
	case -1:
		return (short)va_arg(*ap, int);
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, long long);
	}
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	default:
		return va_arg(*ap, unsigned long long);
	}
}

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	int64_t s;
	uint64_t u;
	char ch[2] = { 0, 0 };

	switch (c) {
	case 'd':
	case 'i':
		s = arg_signed(sp, ap);
		put_num(o, sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, "");
		break;
	case 'u':
		put_num(o, sp, arg_unsigned(sp, ap), false, 10, false, "");
		break;
	case 'o':
		put_num(o, sp, arg_unsigned(sp, ap), false, 8, false, sp->alt ? "0" : "");
		break;
	case 'x':
	case 'X':
		u = arg_unsigned(sp, ap);
		sp->plus = sp->space = false;
		put_num(o, sp, u, false, 16, c == 'X',
			sp->alt && u ? (c == 'X' ? "0X" : "0x") : "");
		break;
	case 'p':
		sp->plus = sp->space = false;
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x");
		break;
	case 's':
		put_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		sp->precision = -1;
		if (!sp->left)
			pad(o, ' ', sp->width - 1);
		put(o, ch[0]);
		if (sp->left)
			pad(o, ' ', sp->width - 1);
		break;
	default:
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int format_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		struct spec sp;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		if (fmt[1] == '%') {
			put(&o, '%');
			fmt += 2;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		convert(&o, *fmt, &sp, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format_v(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

size_t format_clamped_v(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = format_v(buf, size, fmt, ap);

	if (!size || n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t format_clamped(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clamped_v(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

size_t format_escaped(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= ' ' && c < 0x7f && c != '\\') {
			if (n + 1 >= size)
				break;
			buf[n++] = (char)c;
			continue;
		}
		if (n + 4 >= size)
			break; /* an escape is never cut in half */
		buf[n++] = '\\';
		buf[n++] = 'x';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	buf[n] = '\0';
	return n;
}

size_t format_hex(char *buf, size_t size, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *d = data;
	size_t n = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len && n + 2 < size; i++) {
		buf[n++] = hex[d[i] >> 4];
		buf[n++] = hex[d[i] & 15];
	}
	buf[n] = '\0';
	return n;
}
