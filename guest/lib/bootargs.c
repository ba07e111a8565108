// SPDX-License-Identifier: MIT
/* Values passed to a test guest in its bootargs (/chosen/bootargs), "key=N" or "key=word". */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "libguest.h"

/* Where the value of "key=" starts in the bootargs, or NULL. */
static const char *bootarg(const char *key)
{
	const void *fdt = (const void *)boot_x0;
	int node = fdt_path_offset(fdt, "/chosen");
	const char *args = node < 0 ? NULL : fdt_getprop(fdt, node, "bootargs", NULL);
	size_t klen = strlen(key);

	for (const char *p = args; p && *p;) {
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return NULL;
}

uint64_t bootarg_u64(const char *key, uint64_t fallback)
{
	const char *v = bootarg(key);

	return v ? strtoul(v, NULL, 0) : fallback;
}

size_t bootarg_str(const char *key, char *buf, size_t size)
{
	const char *v = bootarg(key);
	size_t n = 0;

	if (!size)
		return 0;
	while (v && v[n] && v[n] != ' ' && n + 1 < size) {
		buf[n] = v[n];
		n++;
	}
	buf[n] = '\0';
	return n;
}
