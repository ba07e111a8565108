/* SPDX-License-Identifier: MIT */
/*
 * Device tree -> ACPI (docs/acpi.md): from a flattened device tree, the tables
 * an arm64 operating system boots on: RSDP, XSDT, FADT, MADT, GTDT, SPCR,
 * DBG2, DSDT, and MCFG and PPTT when the tree has an ECAM PCIe host or a
 * cpu-map. Used by Skiff for itself and its VMs, and by the host tool
 * build/tools/dt2acpi. Generic code: libfdt and the caller's buffer only.
 */
#ifndef SKIFF_ACPI_DT2ACPI_H
#define SKIFF_ACPI_DT2ACPI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "acpi/table.h"
#include "platform/dt.h"

/* Receives an explanation of a mapping decision (one line, no newline). */
typedef void (*acpi_note_fn)(void *ctx, const char *fmt, va_list ap);

struct acpi_options {
	bool guest;	   /* a VM's tables: PSCI through HVC, a hypervisor vendor ID */
	acpi_note_fn note; /* NULL: no explanations */
	void *note_ctx;	   /* for note and warn */
	acpi_note_fn warn; /* what is wrong in the tree but converted anyway; NULL: quiet */
};

/*
 * Builds the tables for the device tree @dt (dt_open()) into @t
 * (acpi_tables_init() first); t->table[0] is the RSDP. Returns 0, or -1 with
 * the reason in @err (a malformed tree, no GIC, the buffer too small).
 */
int acpi_from_dt(const struct dt *dt, struct acpi_tables *t, const struct acpi_options *opt,
		 char *err, size_t errlen);

/* Explains through opt->note, if any (for the generator's own modules). */
void acpi_note(const struct acpi_options *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
