// SPDX-License-Identifier: MIT
#include <string.h>

#include "core/bootargs.h"

#define PREFIX	   "skiff."
#define PREFIX_LEN 6

bool bootargs_get(const char *args, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = args;

	while (p && *p) {
		const char *end;

		while (*p == ' ')
			p++;
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > PREFIX_LEN + klen && !strncmp(p, PREFIX, PREFIX_LEN) &&
		    !strncmp(p + PREFIX_LEN, key, klen) && p[PREFIX_LEN + klen] == '=') {
			p += PREFIX_LEN + klen + 1;
			if (len) {
				size_t n = (size_t)(end - p);

				if (n >= len)
					n = len - 1;
				memcpy(val, p, n);
				val[n] = '\0';
			}
			return true;
		}
		p = end;
	}
	return false;
}
