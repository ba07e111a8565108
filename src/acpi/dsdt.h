/* SPDX-License-Identifier: MIT */
/*
 * The DSDT's body: a device per CPU (ACPI0007) and per memory-mapped DT node,
 * each with _HID, _UID and _CRS translated from the tree; PCIe ECAM hosts as
 * PNP0A08 bridges with their windows and _PRT; nodes without an ACPI ID as
 * PRP0001 devices whose _DSD carries "compatible" and the other properties.
 */
#ifndef SKIFF_ACPI_DSDT_H
#define SKIFF_ACPI_DSDT_H

#include <stdint.h>

#include "acpi/aml.h"
#include "acpi/dt2acpi.h"

#define DSDT_PATH_MAX 24

struct dsdt_ctx {
	const struct dt *dt;
	const struct acpi_options *opt;
	int gic;			  /* the GIC node: interrupts are translated for it */
	unsigned int ncpus;		  /* ACPI processor UIDs 0..ncpus-1 */
	int console_node;		  /* the SPCR's UART (-1: none) */
	char console_path[DSDT_PATH_MAX]; /* out: its device, "\_SB.COM0" ("." if none) */
	unsigned int devices;		  /* out: devices made from DT nodes */
	uint32_t last_phandle;		  /* scratch: the last interrupt-parent looked up */
	int last_phandle_node;
};

/* Writes Scope(\_SB) with every device; false if a node could not be encoded. */
bool dsdt_build(struct dsdt_ctx *c, struct aml *a);

#endif
