// SPDX-License-Identifier: MIT
/* Numbers passed to a test guest in its bootargs (/chosen/bootargs), "key=N". */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "libguest.h"

uint64_t bootarg_u64(const char *key, uint64_t fallback)
{
	const void *fdt = (const void *)boot_x0;
	int node = fdt_path_offset(fdt, "/chosen");
	const char *args = node < 0 ? NULL : fdt_getprop(fdt, node, "bootargs", NULL);
	size_t klen = strlen(key);

	for (const char *p = args; p && *p;) {
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strtoul(p + klen + 1, NULL, 0);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return fallback;
}
