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

#endif
