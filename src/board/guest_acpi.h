/* SPDX-License-Identifier: MIT */
/*
 * A VM on ACPI (config: acpi = "on"; docs/acpi.md): its ACPI tables generated
 * from its own device tree, and what an unmodified arm64 Linux needs to find
 * and map them without UEFI firmware: a UEFI system table whose configuration
 * table points to the RSDP, and a UEFI memory map, named in /chosen of a
 * device tree that has nothing else (so Linux prefers ACPI without options).
 *
 * The region (GUEST_BOOT_REGION_SIZE bytes of guest RAM) is laid out as:
 *   +0       the device tree the kernel gets (x0)
 *   +4 KiB   the UEFI system table, its configuration table, vendor string, memory map
 *   +8 KiB   the ACPI tables (RSDP first)
 *   +40 KiB  the VM's full device tree, on input (cleared afterwards)
 */
#ifndef SKIFF_BOARD_GUEST_ACPI_H
#define SKIFF_BOARD_GUEST_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "board/layout.h"

#define GUEST_ACPI_FULL_DT (40UL << 10) /* offset of the full device tree, on input */
#define GUEST_ACPI_DT_ROOM (GUEST_BOOT_REGION_SIZE - GUEST_ACPI_FULL_DT)

struct guest_acpi_layout {
	uint64_t ram_base; /* the VM's RAM, for the UEFI memory map */
	uint64_t ram_size;
	uint64_t region_ipa; /* where the region is in the VM */
};

/*
 * Turns the region (@region: Skiff's view of it, the full device tree at
 * GUEST_ACPI_FULL_DT) into the layout above. Returns 0, or -1 with the reason
 * in @err. The kernel then boots with x0 = region_ipa.
 */
int guest_acpi_build(const struct guest_acpi_layout *l, void *region, char *err, size_t errlen);

#endif
