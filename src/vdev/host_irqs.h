/* SPDX-License-Identifier: MIT */
/*
 * The host interrupts behind guests' devices: the EL1 virtual and physical
 * timers' PPIs (the hardware timers a loaded vCPU's timers run on) and the
 * GIC's maintenance interrupt. They arrive while a vCPU is loaded and are
 * that vCPU's.
 */
#ifndef SKIFF_VDEV_HOST_IRQS_H
#define SKIFF_VDEV_HOST_IRQS_H

struct platform;

/* Takes those interrupts (boot, before interrupts are taken). */
void vdev_reserve_host_irqs(const struct platform *plat);

#endif
