// SPDX-License-Identifier: MIT
/* Skiff's src/lib/libc, renamed (libc_rename.h) so the host's libc stays intact. */
#include "libc_rename.h"
/*
 * Pick up Skiff's own declarations, not the host's. Including .c files is what this
 * file is for, hence no bugprone-suspicious-include here.
 */
// NOLINTBEGIN(bugprone-suspicious-include)
#include "../../src/lib/libc/string.c"
#include "../../src/lib/libc/stdlib.c"
// NOLINTEND(bugprone-suspicious-include)
