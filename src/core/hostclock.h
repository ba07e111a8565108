/* SPDX-License-Identifier: MIT */
/*
 * Notices adjustments of the host's system count (core/clockwatch.h) and
 * compensates for them: Skiff's wall clock follows the RTC again, and every
 * VM's time goes on from where it was, never backwards (docs/time.md).
 */
#ifndef SKIFF_CORE_HOSTCLOCK_H
#define SKIFF_CORE_HOSTCLOCK_H

#include <stdint.h>

/*
 * Starts watching (needs the host RTC: wallclock_init() first): one sample on
 * any CPU's time-slice tick; the first CPU to get there takes it.
 */
void hostclock_init(uint64_t counter_hz);

/* Adjustments seen since boot. */
uint64_t hostclock_adjustments(void);

#endif
