// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include "core/log.h"
#include "lib/format.h"
#include "lib/spinlock.h"

#define LOG_LINE_MAX 512

/*
 * protects: the sinks' output, so lines from several CPUs never interleave;
 * taken around the sinks only (they take a conbuf's lock and uart_lock).
 */
static struct spinlock log_lock;
static void (*log_sink)(const char *s, size_t len);
static void (*other_sink)(const char *s, size_t len);

void log_set_sink(void (*write)(const char *s, size_t len),
		  void (*write_other)(const char *s, size_t len))
{
	log_sink = write;
	other_sink = write_other;
}

/* Whole lines from several CPUs never interleave: one lock for both sinks. */
static void write_locked(void (*sink)(const char *s, size_t len), const char *s, size_t len)
{
	if (!sink)
		return;
	spin_lock(&log_lock);
	sink(s, len);
	spin_unlock(&log_lock);
}

void log_write_other(const char *s, size_t len)
{
	write_locked(other_sink, s, len);
}

void log_write_raw(const char *s, size_t len)
{
	write_locked(log_sink, s, len);
}

void log_panic_write(const char *s, size_t len)
{
	if (log_sink)
		log_sink(s, len);
}

static void log_v(const char *level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	/* One byte kept for the newline: a cut line still ends. */
	size_t n = format_clamped(line, sizeof(line) - 1, "skiff: %s", level);

	n += format_clamped_v(line + n, sizeof(line) - 1 - n, fmt, ap);
	line[n++] = '\n';
	log_write_raw(line, n);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("error: ", fmt, ap);
	va_end(ap);
}
