// SPDX-License-Identifier: MIT
/*
 * Linux's own DCC console driver (drivers/tty/hvc/hvc_dcc.c) as a loadable
 * module for Debian's kernel, which has CONFIG_HVC_DCC off; Kconfig offers the
 * driver only built in. scripts/guest-kmod.sh takes the driver's two files out
 * of Debian's linux-source into build/ (they are never committed) and builds
 * this file, which includes the driver unchanged, against Debian's headers.
 *
 * Built in, the driver has two initcalls: a console one (the kernel console on
 * hvc0, taken if the command line asks for it) and a device one (the tty,
 * /dev/hvc0). A module has one init function, so both run from it, in boot
 * order. There is no exit function: the driver cannot remove its console, so
 * the module stays once loaded.
 */
#include <linux/init.h>
#include <linux/module.h>

#undef console_initcall
#undef device_initcall
#define console_initcall(fn) static_assert(1)
#define device_initcall(fn)  static_assert(1)

#include "driver/hvc_dcc.c"

static int __init skiff_hvc_dcc_init(void)
{
	int err = hvc_dcc_console_init();

	if (err)
		return err;
	return hvc_dcc_init();
}
module_init(skiff_hvc_dcc_init);

MODULE_DESCRIPTION("Linux's DCC console (hvc_dcc), built as a module for Skiff's tests");
/* This file is MIT; the module, which holds the driver, is GPL-2.0 like it. */
MODULE_LICENSE("GPL");
