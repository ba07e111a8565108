// SPDX-License-Identifier: MIT
#include "core/clockwatch.h"

void clockwatch_init(struct clockwatch *w, uint64_t hz, unsigned int tolerance_ms)
{
	w->hz = hz ? hz : 1;
	w->tolerance = w->hz / 1000 * tolerance_ms;
	w->sampled = false;
	w->referenced = false;
	w->settling = false;
}

static int64_t report(struct clockwatch *w, int64_t miss)
{
	uint64_t size = miss < 0 ? (uint64_t)-miss : (uint64_t)miss;

	return size > w->tolerance ? miss : 0;
}

/*
 * The RTC turned to @sec somewhere in (last_count, count]: compare that with
 * the reference's prediction and move the reference to this boundary.
 */
static int64_t boundary(struct clockwatch *w, uint64_t sec, uint64_t count)
{
	uint64_t expected = w->ref_count + (sec - w->ref_sec) * w->hz;
	int64_t miss = 0;

	if (!w->referenced) {
		w->referenced = true;
		expected = count;
	} else if (expected < w->last_count) {
		miss = (int64_t)(w->last_count - expected); /* the counter ran ahead */
		expected = w->last_count;
	} else if (expected > count) {
		miss = -(int64_t)(expected - count); /* the counter fell behind */
		expected = count;
	}
	w->ref_sec = sec;
	w->ref_count = expected;
	if (w->settling) {
		/*
		 * The boundary that showed the jump may have passed while the counter
		 * was still stopped: this one adds what happened after it.
		 */
		miss += w->pending;
		w->settling = false;
		return report(w, miss);
	}
	if (report(w, miss)) {
		w->settling = true;
		w->pending = miss;
	}
	return 0;
}

int64_t clockwatch_sample(struct clockwatch *w, uint64_t rtc_sec, uint64_t count)
{
	int64_t jump = 0;

	if (!w->sampled || rtc_sec < w->last_sec) {
		/* The first sample, or the RTC was set back: start again. */
		w->sampled = true;
		w->referenced = false;
		w->settling = false;
	} else if (count < w->last_count) {
		/* Never legitimate, however small: at least this much, then start again. */
		jump = -(int64_t)(w->last_count - count);
		w->referenced = false;
		w->settling = false;
	} else if (rtc_sec > w->last_sec) {
		jump = boundary(w, rtc_sec, count);
	}
	w->last_sec = rtc_sec;
	w->last_count = count;
	return jump;
}
