/* SPDX-License-Identifier: MIT */
/*
 * The host interrupts behind guests' devices: the EL1 virtual and physical
 * timers' PPIs (the hardware timers a loaded vCPU's timers run on) and the
 * GIC's maintenance interrupt. They arrive while a vCPU is loaded and are
 * that vCPU's.
 */
#ifndef SKIFF_VDEV_HOST_IRQS_H
#define SKIFF_VDEV_HOST_IRQS_H

#include <stdbool.h>

struct platform;

/* Takes those interrupts (boot, before interrupts are taken). */
void vdev_reserve_host_irqs(const struct platform *plat);

/*
 * Disables (@hold) or enables again this CPU's virtual-timer PPI: disabled
 * while the loaded vCPU's timer line is up (vdev/vtimer.h).
 */
void host_irqs_vtimer_hold(bool hold);

#endif
