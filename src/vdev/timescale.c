// SPDX-License-Identifier: MIT
#include "vdev/timescale.h"

typedef unsigned __int128 u128;

static void set_ratio(struct timescale *ts)
{
	u128 ratio = ((u128)ts->guest_hz << 64) / ts->host_hz;

	ts->mult_int = (uint64_t)(ratio >> 64);
	ts->mult_frac = (uint64_t)ratio;
}

void timescale_init(struct timescale *ts, uint64_t guest_hz, uint64_t host_hz, uint64_t host_now,
		    uint64_t guest_start)
{
	ts->host_hz = host_hz ? host_hz : 1;
	ts->guest_hz = guest_hz ? guest_hz : ts->host_hz;
	ts->host_base = host_now;
	ts->guest_base = guest_start;
	set_ratio(ts);
}

/*
 * floor(delta * guest_hz / host_hz) without a division: the 64.64 ratio gives
 * the quotient or one less, and one 128-bit comparison says which.
 */
static uint64_t scale(const struct timescale *ts, uint64_t delta)
{
	uint64_t q = delta * ts->mult_int + (uint64_t)(((u128)delta * ts->mult_frac) >> 64);

	if (q != UINT64_MAX && (u128)(q + 1) * ts->host_hz <= (u128)delta * ts->guest_hz)
		q++;
	return q;
}

uint64_t timescale_to_guest(const struct timescale *ts, uint64_t host)
{
	if (host < ts->host_base)
		return ts->guest_base; /* the host's count was set back: wait for it */
	return ts->guest_base + scale(ts, host - ts->host_base);
}

uint64_t timescale_to_guest_exact(const struct timescale *ts, uint64_t host)
{
	u128 d;

	if (host < ts->host_base)
		return ts->guest_base;
	d = (u128)(host - ts->host_base) * ts->guest_hz / ts->host_hz;

	return ts->guest_base + (uint64_t)d;
}

uint64_t timescale_to_host(const struct timescale *ts, uint64_t guest)
{
	u128 delta;

	if (guest <= ts->guest_base)
		return ts->host_base; /* reached at the base already (a deadline in the past) */
	/*
	 * The guest count is floor(d * guest_hz / host_hz) exactly, so the first
	 * host delta d reaching @guest is ceil(want * host_hz / guest_hz).
	 */
	delta = ((u128)(guest - ts->guest_base) * ts->host_hz + ts->guest_hz - 1) / ts->guest_hz;
	if (delta > UINT64_MAX - ts->host_base)
		return UINT64_MAX; /* beyond the host counter's range: never */
	return ts->host_base + (uint64_t)delta;
}

void timescale_rebase(struct timescale *ts, uint64_t host_hz, uint64_t host_now, uint64_t guest_now)
{
	/* A host count that went backwards gives nothing to add: the guest waits for it. */
	uint64_t here = timescale_to_guest(ts, host_now);

	ts->guest_base = here > guest_now ? here : guest_now;
	ts->host_base = host_now;
	ts->host_hz = host_hz ? host_hz : ts->host_hz;
	set_ratio(ts);
}
