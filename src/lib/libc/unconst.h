/* SPDX-License-Identifier: MIT */
/*
 * The standard's search functions (memchr, strchr, strrchr, strtoul's end pointer)
 * take a const string and return a pointer into it that is not const, so that one
 * signature serves callers with either kind of string. Returning it drops the const,
 * which -Wcast-qual forbids everywhere else: this is the one place it is done.
 */
#ifndef SKIFF_LIBC_UNCONST_H
#define SKIFF_LIBC_UNCONST_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
static inline void *libc_unconst(const void *p)
{
	return (void *)p;
}
#pragma GCC diagnostic pop

#endif
