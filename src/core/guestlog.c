// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdbool.h>

#include "arch/arch.h"
#include "core/guestlog.h"
#include "core/log.h"
#include "lib/format.h"

#define LINE_MAX 400

void guestlog_init(struct guestlog *gl, const char *owner)
{
	gl->owner = owner;
	gl->lock.locked = false;
	gl->window_start = arch_counter();
	gl->lines = 0;
	gl->left_out = 0;
	gl->left_out_total = 0;
}

/* Under the lock: a new second starts when the last is over; returns what it left out. */
static uint64_t roll_window(struct guestlog *gl, uint64_t now, bool force)
{
	uint64_t left_out = 0;

	if (force || now - gl->window_start >= arch_counter_freq()) {
		left_out = gl->left_out;
		gl->left_out = 0;
		gl->lines = 0;
		gl->window_start = now;
	}
	return left_out;
}

static void report_left_out(const struct guestlog *gl, uint64_t n)
{
	if (n)
		log_warn("vm %s: %lu more lines of this VM left out (at most %u a second)",
			 gl->owner, (unsigned long)n, GUESTLOG_BURST);
}

/* True when a line may be written now; counts it either way. */
static bool take(struct guestlog *gl)
{
	uint64_t left_out;
	bool ok;

	spin_lock(&gl->lock);
	left_out = roll_window(gl, arch_counter(), false);
	ok = gl->lines < GUESTLOG_BURST;
	if (ok) {
		gl->lines++;
	} else {
		gl->left_out++;
		gl->left_out_total++;
	}
	spin_unlock(&gl->lock);
	report_left_out(gl, left_out);
	return ok;
}

static void emit(struct guestlog *gl, void (*logf)(const char *fmt, ...), const char *fmt,
		 va_list ap)
{
	char line[LINE_MAX];

	if (!take(gl))
		return;
	format_v(line, sizeof(line), fmt, ap);
	logf("vm %s: %s", gl->owner, line);
}

void guestlog_info(struct guestlog *gl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(gl, log_info, fmt, ap);
	va_end(ap);
}

void guestlog_warn(struct guestlog *gl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(gl, log_warn, fmt, ap);
	va_end(ap);
}

void guestlog_flush(struct guestlog *gl, bool now)
{
	uint64_t left_out;

	if (!__atomic_load_n(&gl->left_out, __ATOMIC_RELAXED))
		return;
	if (now)
		spin_lock(&gl->lock);
	else if (!spin_trylock(&gl->lock))
		return; /* another CPU's tick is at it */
	left_out = roll_window(gl, arch_counter(), now);
	spin_unlock(&gl->lock);
	report_left_out(gl, left_out);
}
