/* SPDX-License-Identifier: MIT */
/*
 * The VM's PL031 real-time clock (ARM DDI0224). RTCDR counts seconds from a
 * wall-clock source; a write to RTCLR sets the guest's time as an offset to
 * that source, so each VM keeps its own. The PrimeCell IDs are the ones
 * Linux's amba bus matches to rtc-pl031 (periphid 0x00041031).
 *
 * Nothing ticks the device: the match interrupt is evaluated when the guest
 * accesses any of its registers. RTCRIS is set if the counter went through
 * RTCMR since the previous access, so the interrupt is seen at the first access
 * at or after the matching second, not at the second itself. A guest that
 * waits for the interrupt without touching the device (an alarm with
 * rtc-pl031) is not woken until it does.
 *
 * Differences from the TRM, all invisible to Linux's driver:
 *  - RTCCR reads 1 from reset (the clock always runs, as in QEMU); writes are
 *    ignored.
 *  - Only aligned 32-bit accesses reach the registers: other sizes and
 *    unaligned offsets read as 0 and writes to them are ignored.
 *  - Offsets without a register read as 0; writes to them are ignored.
 */
#ifndef SKIFF_VDEV_VPL031_H
#define SKIFF_VDEV_VPL031_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mmio.h"
#include "lib/spinlock.h"

struct vpl031 {
	/* protects: offset, lr, mr, imsc, ris, seen, line (the rest is set at init). */
	struct spinlock lock;
	uint64_t (*now)(void); /* wall-clock source: seconds since the Unix epoch */
	int64_t offset;	       /* guest time = now() + offset */
	uint32_t lr;	       /* RTCLR: the last value loaded */
	uint32_t mr;	       /* RTCMR */
	uint32_t imsc, ris;    /* RTCIMSC, RTCRIS: bit 0 only */
	uint32_t seen;	       /* guest second up to which the match has been checked */
	bool line;	       /* interrupt level last pushed through set_irq */
	/* Drives the interrupt line (RTCRIS & RTCIMSC); may be NULL. */
	void (*set_irq)(void *ctx, bool level);
	void *irq_ctx;
};

extern const struct mmio_ops vpl031_ops;

/* The guest's time starts as @now's; the interrupt line starts low. */
void vpl031_init(struct vpl031 *rtc, uint64_t (*now)(void), void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx);

#endif
