/* SPDX-License-Identifier: MIT */
/* The device tree Skiff writes for each VM: exactly the virtual hardware it has. */
#ifndef SKIFF_BOARD_GUEST_FDT_H
#define SKIFF_BOARD_GUEST_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_fdt_params {
	uint64_t ram_base;
	uint64_t ram_size;
	unsigned int ncpus;
	uint64_t uart_base;
	uint64_t rtc_base;    /* PL031 */
	const char *bootargs; /* may be NULL */
	/* 3 or 2: describe that virtual GIC, the timer and the UART's SPI; 0: none. */
	unsigned int gic_version;
	/*
	 * A counter frequency of the VM's own (0: the host's): the timer node then
	 * names it and offers only the physical timers, the ones Skiff scales.
	 */
	uint64_t counter_hz;
	/*
	 * With counter_hz: the VM has a memory-mapped timer (board/layout.h) and the
	 * tree names it instead of the system-register timer (docs/time.md).
	 */
	bool counter_mmio;
	uint64_t gicd_base;
	uint64_t gic_cpu_base; /* redistributors (v3) or the CPU interface (v2) */
	uint64_t gic_cpu_size;
	uint64_t initrd_base; /* initrd_size 0: none */
	uint64_t initrd_size;
};

/*
 * Writes the flattened tree into @buf (at most @size bytes). Returns 0, or a
 * negative libfdt error (FDT_ERR_NOSPACE when @size is too small).
 */
int guest_fdt_build(const struct guest_fdt_params *p, void *buf, size_t size);

#endif
