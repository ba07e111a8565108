/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock time for guests' RTCs: the host's RTC (platform/rtc.h) is read once at boot and
 * the generic counter carries the time on from there (the host RTC has a
 * resolution of one second and reading it costs a device access). When the
 * counter is seen to jump against the RTC (core/hostclock.c), the clock is
 * re-anchored. Without a host RTC the clock starts at the Unix epoch.
 */
#ifndef SKIFF_CORE_WALLCLOCK_H
#define SKIFF_CORE_WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct platform;

/* Returns false when the platform has no RTC Skiff can read (time starts at 0). */
bool wallclock_init(const struct platform *plat, uint64_t counter_hz);

/* The counter ran ahead of the RTC by @jump ticks (behind if negative): follow the RTC. */
void wallclock_adjust(int64_t jump);

/* Seconds since the Unix epoch. */
uint64_t wallclock_seconds(void);
/* The same with the microseconds within the second. */
void wallclock_now(uint64_t *secs, uint32_t *usecs);

#endif
