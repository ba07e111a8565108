/* SPDX-License-Identifier: MIT */
/*
 * Watches the host's system counter against the host's RTC to notice when the
 * count was adjusted: set back or forward by firmware, or stopped while the
 * RTC went on (a host suspended with its counter powered down, a paused
 * emulator). The RTC counts whole seconds, so each change of its second is a
 * boundary whose counter value is known to lie between two samples; a
 * reference boundary predicts where the next ones fall. A prediction outside
 * the samples' bracket by more than the tolerance is a jump; a smaller miss
 * moves the reference by just that much, which follows the slow drift between
 * the two oscillators without ever mistaking it for a jump. Pure logic: the
 * caller (core/hostclock.c) samples and compensates.
 */
#ifndef SKIFF_CORE_CLOCKWATCH_H
#define SKIFF_CORE_CLOCKWATCH_H

#include <stdbool.h>
#include <stdint.h>

struct clockwatch {
	uint64_t hz;	    /* the counter's frequency */
	uint64_t tolerance; /* counter ticks a boundary may miss its prediction by */
	bool sampled;	    /* a previous sample exists */
	bool referenced;    /* a reference boundary exists */
	uint64_t last_sec, last_count;
	uint64_t ref_sec, ref_count; /* the counter's value as the RTC turned to ref_sec */
	bool settling;		     /* a jump seen at the last boundary, reported at the next */
	int64_t pending;
};

/* Tolerance in milliseconds; nothing is known until the RTC's second changes. */
void clockwatch_init(struct clockwatch *w, uint64_t hz, unsigned int tolerance_ms);

/*
 * One sample: the RTC's seconds and the counter read right after. Returns by
 * how many ticks the counter is ahead of the RTC (negative: behind) when that
 * is beyond the tolerance, else 0 (a counter that went backwards is reported
 * at once, whatever the size, as at least that much); the watch then takes the
 * new relation as its reference, so one adjustment is reported once. A jump is reported at the
 * RTC boundary after the one that showed it (within two seconds), whole: a
 * counter that stopped may have restarted only after the first boundary.
 */
int64_t clockwatch_sample(struct clockwatch *w, uint64_t rtc_sec, uint64_t count);

#endif
