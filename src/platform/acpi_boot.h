/* SPDX-License-Identifier: MIT */
/*
 * ACPI as Skiff's hardware description (docs/acpi.md): at boot, tables handed
 * over (bootarg skiff.rsdp=ADDR) are used as they are; otherwise Skiff
 * generates them from the device tree. The CPUs, PSCI, the GIC, the timer and
 * the console are then read back from MADT, FADT, GTDT and SPCR into the
 * platform description. skiff.acpi= forces a path: convert (ignore handed-over
 * tables), firmware (handed-over tables only), off (the device tree's
 * description); verbose explains the conversion.
 */
#ifndef SKIFF_PLATFORM_ACPI_BOOT_H
#define SKIFF_PLATFORM_ACPI_BOOT_H

#include "platform/platform.h"

/*
 * Replaces @plat's CPUs, PSCI conduit, GIC, timer and UART with what the ACPI
 * tables say. On any problem it says why and leaves @plat as the device tree
 * described it. Needs memory (mem_init) and the console up.
 */
void acpi_boot(const struct dt *dt, struct platform *plat);

#endif
