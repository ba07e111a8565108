/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a bounded buffer. Freestanding: no floating point.
 * Supports %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#', width and
 * precision (also '*'), and length modifiers hh h l ll z t j.
 */
#ifndef SKIFF_LIB_FORMAT_H
#define SKIFF_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Like vsnprintf: writes at most @size bytes including the terminating NUL and
 * returns the length the full output would have had.
 */
int format_v(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The same, returning what was really written (without the NUL): at most
 * @size - 1, and 0 when @size is 0. For "format into a buffer, then emit it".
 */
size_t format_clamped_v(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t format_clamped(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Copies @len bytes of text someone else controls (a guest) so that it can be
 * shown on a terminal and in the log: printable ASCII as it is, every other
 * byte, and the backslash, as \xNN. NUL-terminated, cut before an escape that
 * would not fit; returns the length written.
 */
size_t format_escaped(char *buf, size_t size, const char *s, size_t len);

/*
 * Writes @len bytes as lowercase hexadecimal, two digits a byte, NUL-terminated;
 * stops at the last whole byte that fits. Returns the length written.
 */
size_t format_hex(char *buf, size_t size, const void *data, size_t len);

#endif
