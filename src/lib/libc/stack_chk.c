// SPDX-License-Identifier: MIT
/*
 * Debian's libfdt.a is built with -fstack-protector-strong: it needs a canary and
 * a failure hook. Skiff's own code is built without the protector.
 */
#include "core/panic.h"

unsigned long __stack_chk_guard = 0x5b1ff5eedc0ffeeUL;

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	panic("stack protector: stack corruption detected in libfdt");
}
