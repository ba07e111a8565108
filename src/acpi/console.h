/* SPDX-License-Identifier: MIT */
/*
 * The console an operating system would choose from a device tree (docs/acpi.md,
 * "Consoles"): /chosen's stdout-path through /aliases, with its options, as the SPCR
 * and the DBG2 describe it. Generic code: the opened tree (platform/dt.h) only.
 */
#ifndef SKIFF_ACPI_CONSOLE_H
#define SKIFF_ACPI_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi/dt2acpi.h"
#include "acpi/serial.h"
#include "platform/dt.h"

/* The console an OS would use, as the SPCR and DBG2 describe it. */
struct acpi_console {
	int node; /* -1: none */
	struct acpi_uart uart;
	uint64_t base; /* of the block the SPCR and DBG2 name (CPU address) */
	uint64_t size;
	uint32_t gsiv;			/* 0: no interrupt on the GIC (polled) */
	struct dt_uart_options options; /* of the stdout-path */
	uint32_t baud;			/* the options', else the node's current-speed; 0: as is */
};

/*
 * The console: /chosen's (dt_stdout), else, as before such trees were read, the first
 * enabled UART of a known kind. Warns through opt->warn when /chosen names nothing
 * usable; returns false (with a note why) when there is no console SPCR can name.
 */
bool acpi_console_choose(const struct dt *dt, int gic, const struct acpi_options *opt,
			 struct acpi_console *out);

#endif
