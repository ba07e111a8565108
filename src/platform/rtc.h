/* SPDX-License-Identifier: MIT */
/*
 * The host's real-time clock: whole seconds since the Unix epoch. A PL031 for
 * now (platform/drivers/pl031.c); another RTC provides these two functions.
 */
#ifndef SKIFF_PLATFORM_RTC_H
#define SKIFF_PLATFORM_RTC_H

#include <stdbool.h>
#include <stdint.h>

struct platform;

/* Maps the RTC the platform names; false when there is none Skiff can read. */
bool rtc_init(const struct platform *plat);

/* The RTC's seconds; false without an RTC. */
bool rtc_read_seconds(uint64_t *secs);

#endif
