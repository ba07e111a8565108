/* SPDX-License-Identifier: MIT */
/*
 * GCC's own <limits.h> defines every limit and then includes the C library's with
 * #include_next; Skiff has no C library, so this is that (empty) next header.
 */
#ifndef SKIFF_LIBC_LIMITS_H
#define SKIFF_LIBC_LIMITS_H
#endif
