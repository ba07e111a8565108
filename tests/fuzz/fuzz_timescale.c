// SPDX-License-Identifier: MIT
/*
 * Counter scaling (vdev/timescale.c) against its definition in timescale.h,
 * computed here with 128-bit integers: guest = guest_base + floor((host -
 * host_base) * guest_hz / host_hz) (guest_base while host is below host_base),
 * exact to the tick whenever the guest's delta fits in 64 bits. Deadlines:
 * timescale_to_host() gives the first host count at which the guest's count
 * reaches the target (UINT64_MAX: never within the host counter's range).
 * Rebasing: the guest's count at the rebase is the larger of the old one and
 * what the guest last read, and guest time read at rising host counts never
 * goes back across any number of rebases. Frequencies are any 64-bit values
 * (0: the host's, as the header says).
 */
#include "vdev/timescale.h"
#include "fuzz.h"

typedef unsigned __int128 u128;

/* The reference: the guest's count at @host as a 128-bit number (no wrapping). */
FUZZ_ORACLE static u128 reference(const struct timescale *ts, uint64_t host)
{
	if (host < ts->host_base)
		return ts->guest_base;
	return ts->guest_base + (u128)(host - ts->host_base) * ts->guest_hz / ts->host_hz;
}

FUZZ_ORACLE static bool fits(const struct timescale *ts, uint64_t host)
{
	return reference(ts, host) <= UINT64_MAX;
}

FUZZ_ORACLE static void check_to_guest(const struct timescale *ts, uint64_t host)
{
	if (!fits(ts, host))
		return; /* beyond 64 bits of guest count: no defined answer */
	FUZZ_CHECK(timescale_to_guest(ts, host) == (uint64_t)reference(ts, host),
		   "%lu Hz on %lu Hz, base %lu/%lu, host %lu: %lu, exactly %lu",
		   (unsigned long)ts->guest_hz, (unsigned long)ts->host_hz,
		   (unsigned long)ts->host_base, (unsigned long)ts->guest_base, (unsigned long)host,
		   (unsigned long)timescale_to_guest(ts, host), (unsigned long)reference(ts, host));
	FUZZ_CHECK(timescale_to_guest_exact(ts, host) == (uint64_t)reference(ts, host),
		   "the exact path differs at host %lu", (unsigned long)host);
}

FUZZ_ORACLE static void check_to_host(const struct timescale *ts, uint64_t guest)
{
	uint64_t h = timescale_to_host(ts, guest);

	if (guest <= ts->guest_base) {
		FUZZ_CHECK(h == ts->host_base, "a past deadline %lu gives %lu",
			   (unsigned long)guest, (unsigned long)h);
		return;
	}
	if (h == UINT64_MAX) {
		FUZZ_CHECK(reference(ts, UINT64_MAX - 1) < guest,
			   "deadline %lu reached at %lu, said never", (unsigned long)guest,
			   (unsigned long)(UINT64_MAX - 1));
		return;
	}
	FUZZ_CHECK(h >= ts->host_base && reference(ts, h) >= guest, "deadline %lu early at %lu",
		   (unsigned long)guest, (unsigned long)h);
	FUZZ_CHECK(h == ts->host_base || reference(ts, h - 1) < guest, "deadline %lu late at %lu",
		   (unsigned long)guest, (unsigned long)h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct timescale ts;
	uint64_t guest_hz = fuzz_u64(&in), host_hz = fuzz_u64(&in);
	uint64_t host = fuzz_u64(&in), last = fuzz_u64(&in);

	timescale_init(&ts, guest_hz, host_hz, host, last);
	FUZZ_CHECK(ts.host_hz == (host_hz ? host_hz : 1) &&
			   ts.guest_hz == (guest_hz ? guest_hz : ts.host_hz),
		   "frequencies %lu/%lu from %lu/%lu", (unsigned long)ts.guest_hz,
		   (unsigned long)ts.host_hz, (unsigned long)guest_hz, (unsigned long)host_hz);
	FUZZ_CHECK(timescale_to_guest(&ts, host) == last, "the start is not where asked");
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);
		uint64_t v = fuzz_u64(&in);

		switch (op % 4) {
		case 0: /* any host count */
			check_to_guest(&ts, v);
			break;
		case 1: /* a deadline near the guest's count */
			check_to_host(&ts, op & 4 ? v : last + (v >> (op >> 2)));
			break;
		case 2: { /* the host's count moves on; the guest reads its count */
			uint64_t next = host + (v >> (op >> 2)), g;

			if (next < host || !fits(&ts, next))
				break;
			host = next;
			g = timescale_to_guest(&ts, host);
			FUZZ_CHECK(g >= last, "guest time went back: %lu after %lu",
				   (unsigned long)g, (unsigned long)last);
			last = g;
			break;
		}
		default: { /* another host frequency, or the host's count jumped */
			uint64_t now = op & 4 ? host + (v >> 8) : host - (v >> (op >> 3));
			uint64_t here = timescale_to_guest(&ts, now), hz = fuzz_u64(&in);

			if (now >= host && !fits(&ts, now))
				break;
			timescale_rebase(&ts, hz, now, last);
			FUZZ_CHECK(ts.guest_base == (here > last ? here : last) &&
					   ts.host_base == now,
				   "rebased to %lu at %lu", (unsigned long)ts.guest_base,
				   (unsigned long)now);
			if (now > host)
				host = now;
			last = ts.guest_base;
			break;
		}
		}
	}
	return 0;
}
