// SPDX-License-Identifier: MIT
/* The host's PL031 real-time clock, read only: Skiff never sets the host's time. */
#include <stddef.h>

#include "arch/arch.h"
#include "platform/drivers/pl031.h"
#include "platform/platform.h"
#include "platform/rtc.h"

static volatile uint32_t *rtcdr;

bool rtc_init(const struct platform *plat)
{
	if (!plat->rtc.size || arch_map_device(plat->rtc.base, plat->rtc.size))
		return false;
	rtcdr = (volatile uint32_t *)(plat->rtc.base + RTCDR);
	return true;
}

bool rtc_read_seconds(uint64_t *secs)
{
	if (!rtcdr)
		return false;
	*secs = *rtcdr;
	return true;
}
