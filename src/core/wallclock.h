/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock time for guests' RTCs: the host's PL031 is read once at boot and
 * the generic counter carries the time on from there (the host RTC has a
 * resolution of one second and reading it costs a device access). Without a
 * host RTC the clock starts at the Unix epoch.
 */
#ifndef SKIFF_CORE_WALLCLOCK_H
#define SKIFF_CORE_WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/platform.h"

/* Returns false when the platform has no RTC Skiff can read (time starts at 0). */
bool wallclock_init(const struct platform *plat, uint64_t counter_hz);

/* Seconds since the Unix epoch. */
uint64_t wallclock_seconds(void);
/* The same with the microseconds within the second. */
void wallclock_now(uint64_t *secs, uint32_t *usecs);

#endif
