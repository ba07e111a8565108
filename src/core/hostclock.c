// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/clockwatch.h"
#include "core/hostclock.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "lib/spinlock.h"
#include "platform/rtc.h"

/* A jump smaller than this is taken for noise; QEMU's ticks can run that late. */
#define TOLERANCE_MS 250

static struct clockwatch watch;
static struct spinlock watch_lock; /* protects: watch, adjustments; only trylocked */
static bool watching;
static uint64_t adjustments;

static void compensate(int64_t jump, uint64_t now)
{
	uint64_t size = jump < 0 ? (uint64_t)-jump : (uint64_t)jump;
	/* In two parts: a counter set to garbage must not overflow the message. */
	unsigned long ms =
		(unsigned long)(size / watch.hz * 1000 + size % watch.hz * 1000 / watch.hz);

	adjustments++;
	wallclock_adjust(jump);
	if (jump > 0) {
		log_warn("host counter: %lu.%03lu s ahead of the RTC: Skiff's clock follows the "
			 "RTC, VMs keep the time they have seen",
			 ms / 1000, ms % 1000);
		return;
	}
	log_warn("host counter: %lu.%03lu s behind the RTC (stopped or set back): VMs' time "
		 "moves on by as much",
		 ms / 1000, ms % 1000);
	for (unsigned int i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		vtimer_counter_advance(vm, size, now);
		/* Each vCPU loads its counter again: a running one is sent an IPI for it. */
		for (unsigned int j = 0; j < vm->nvcpus; j++)
			sched_timer_moved(&vm->vcpus[j]);
	}
}

/* Each time slice: the host counter against the RTC. */
static void hostclock_tick(void)
{
	uint64_t secs;

	if (!watching || !spin_trylock(&watch_lock))
		return;
	if (rtc_read_seconds(&secs)) {
		uint64_t now = arch_counter();
		int64_t jump = clockwatch_sample(&watch, secs, now);

		if (jump)
			compensate(jump, now);
	}
	spin_unlock(&watch_lock);
}

void hostclock_init(uint64_t counter_hz)
{
	uint64_t secs;

	clockwatch_init(&watch, counter_hz, TOLERANCE_MS);
	watching = rtc_read_seconds(&secs);
	if (watching)
		sched_on_tick(hostclock_tick);
}

uint64_t hostclock_adjustments(void)
{
	return adjustments;
}
