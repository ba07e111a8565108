/* SPDX-License-Identifier: MIT */
#ifndef SKIFF_CORE_MAIN_H
#define SKIFF_CORE_MAIN_H

#include "platform/platform.h"

/*
 * Entered by the arch boot code with the MMU on; @image is Skiff's own footprint.
 * @fdt is writable: the firmware's random seed is removed from it once read.
 */
__attribute__((noreturn)) void skiff_main(void *fdt, unsigned int el,
					  const struct mem_range *image);

/* Entered on each secondary CPU once its MMU and stack are set up. */
__attribute__((noreturn)) void skiff_secondary_main(unsigned int cpu);

#endif
