/* SPDX-License-Identifier: MIT */
/* Skiff's own boot options, from /chosen/bootargs: space-separated "skiff.KEY=VALUE". */
#ifndef SKIFF_CORE_BOOTARGS_H
#define SKIFF_CORE_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copies the value of "skiff.@key=" from @args into @val (NUL-terminated, truncated
 * to @len). Returns false when the option is absent.
 */
bool bootargs_get(const char *args, const char *key, char *val, size_t len);

#endif
