/* SPDX-License-Identifier: MIT */
/*
 * The VM's PL031 real-time clock: RTCDR counts seconds from a wall-clock
 * source; a write to RTCLR sets the guest's time (an offset to the source, so
 * each VM may keep its own). The match interrupt is evaluated when the guest
 * touches the device (nothing ticks it in between): an alarm is seen at the
 * next access after its second, which is what Linux's rtc-pl031 driver polls.
 */
#ifndef SKIFF_VDEV_VPL031_H
#define SKIFF_VDEV_VPL031_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mmio.h"
#include "lib/spinlock.h"

struct vpl031 {
	struct spinlock lock;
	uint64_t (*now)(void); /* seconds since the epoch */
	int64_t offset;	       /* guest time = now() + offset */
	uint32_t loaded;       /* last value written to RTCLR */
	uint32_t match;	       /* RTCMR */
	bool match_armed;      /* RTCMR written, match not reached yet */
	uint32_t imsc, ris;
	/* Drives the interrupt line; may be NULL. */
	void (*set_irq)(void *ctx, bool level);
	void *irq_ctx;
};

extern const struct mmio_ops vpl031_ops;

void vpl031_init(struct vpl031 *rtc, uint64_t (*now)(void), void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx);

#endif
