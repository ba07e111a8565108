/* SPDX-License-Identifier: MIT */
/*
 * Conversion between the host's counter and a VM's counter when they run at
 * different frequencies (docs/time.md). guest = guest_base + (host - host_base)
 * * guest_hz / host_hz, exact to the tick (rounded down). The ratio is kept as
 * a 64.64 fixed-point number: two multiplications give the quotient or one
 * less, and one 128-bit comparison settles it, so no division runs on the
 * access path. Deadlines go the other way rounded up (never early). Rebasing keeps the
 * guest's count where it was while the ratio or the host's count changes, so
 * guest time never steps backwards.
 */
#ifndef SKIFF_VDEV_TIMESCALE_H
#define SKIFF_VDEV_TIMESCALE_H

#include <stdint.h>

struct timescale {
	uint64_t guest_hz, host_hz;
	uint64_t mult_int, mult_frac; /* guest_hz / host_hz, 64.64 fixed point */
	uint64_t host_base, guest_base;
};

/* Guest count @guest_start at host count @host_now; 0 Hz means "the host's". */
void timescale_init(struct timescale *ts, uint64_t guest_hz, uint64_t host_hz, uint64_t host_now,
		    uint64_t guest_start);

/* The guest's count at host count @host; guest_base while @host is below host_base. */
uint64_t timescale_to_guest(const struct timescale *ts, uint64_t host);

/* The same computed with a 128-bit division: the reference for the fast path. */
uint64_t timescale_to_guest_exact(const struct timescale *ts, uint64_t host);

/*
 * The first host count at which the guest's count reaches @guest (rounded up),
 * or UINT64_MAX if it never does within the host counter's range.
 */
uint64_t timescale_to_host(const struct timescale *ts, uint64_t guest);

/*
 * Continues the guest's count from where it is at host count @host_now with a
 * new host frequency (another host) or after the host's count jumped: the
 * guest's count at @host_now is @guest_now (what it last read), never less.
 */
void timescale_rebase(struct timescale *ts, uint64_t host_hz, uint64_t host_now,
		      uint64_t guest_now);

#endif
