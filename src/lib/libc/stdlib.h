/* SPDX-License-Identifier: MIT */
/* Freestanding <stdlib.h>: only what libfdt uses. */
#ifndef SKIFF_LIBC_STDLIB_H
#define SKIFF_LIBC_STDLIB_H

unsigned long strtoul(const char *s, char **end, int base);

#endif
