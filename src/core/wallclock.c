// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/wallclock.h"

#define PL031_RTCDR 0x000

static uint64_t epoch_at_boot;
static uint64_t counter_at_boot;
static uint64_t hz = 1;

bool wallclock_init(const struct platform *plat, uint64_t counter_hz)
{
	hz = counter_hz ? counter_hz : 1;
	counter_at_boot = arch_counter();
	if (!plat->rtc.size || arch_map_device(plat->rtc.base, plat->rtc.size))
		return false;
	epoch_at_boot = *(volatile uint32_t *)(plat->rtc.base + PL031_RTCDR);
	return true;
}

uint64_t wallclock_seconds(void)
{
	return epoch_at_boot + (arch_counter() - counter_at_boot) / hz;
}

void wallclock_now(uint64_t *secs, uint32_t *usecs)
{
	uint64_t ticks = arch_counter() - counter_at_boot;

	*secs = epoch_at_boot + ticks / hz;
	*usecs = (uint32_t)((ticks % hz) * 1000000 / hz);
}
