/* SPDX-License-Identifier: MIT */
/*
 * Reading a platform back out of ACPI tables: the CPUs and the GIC from the
 * MADT, the timer interrupts from the GTDT, the console from the SPCR (and its
 * size from the DBG2). Every table is checked (signature, length, checksum)
 * before it is believed. Skiff's hardware description after boot comes from
 * here, whichever way the tables came (docs/acpi.md).
 */
#ifndef SKIFF_ACPI_READER_H
#define SKIFF_ACPI_READER_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

/* Gives a readable pointer to @len bytes at physical address @pa, or NULL. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

/*
 * Fills @plat's CPUs (ncpus, cpu_mpidr), psci, gic, timer and uart from the
 * tables the RSDP at @rsdp_pa leads to; other fields are left alone. Returns 0,
 * or -1 with the reason in @err (naming the table and what is wrong with it).
 */
int acpi_read_platform(uint64_t rsdp_pa, acpi_map_fn map, void *map_ctx, struct platform *plat,
		       char *err, size_t errlen);

#endif
