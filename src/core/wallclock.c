// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/wallclock.h"
#include "platform/rtc.h"

static uint64_t epoch_at_boot;
static uint64_t counter_at_boot; /* moved by wallclock_adjust() */
static uint64_t hz = 1;

bool wallclock_init(const struct platform *plat, uint64_t counter_hz)
{
	hz = counter_hz ? counter_hz : 1;
	counter_at_boot = arch_counter();
	return rtc_init(plat) && rtc_read_seconds(&epoch_at_boot);
}

void wallclock_adjust(int64_t jump)
{
	__atomic_store_n(&counter_at_boot, counter_at_boot + (uint64_t)jump, __ATOMIC_RELAXED);
}

uint64_t wallclock_seconds(void)
{
	return epoch_at_boot +
	       (arch_counter() - __atomic_load_n(&counter_at_boot, __ATOMIC_RELAXED)) / hz;
}

void wallclock_now(uint64_t *secs, uint32_t *usecs)
{
	uint64_t ticks = arch_counter() - __atomic_load_n(&counter_at_boot, __ATOMIC_RELAXED);

	*secs = epoch_at_boot + ticks / hz;
	*usecs = (uint32_t)((ticks % hz) * 1000000 / hz);
}
