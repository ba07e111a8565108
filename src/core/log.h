/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor log. Each call emits whole lines, prefixed "skiff: ", atomically with
 * respect to other CPUs, so output from several CPUs and VMs never interleaves
 * mid-line.
 */
#ifndef SKIFF_CORE_LOG_H
#define SKIFF_CORE_LOG_H

#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes raw bytes of the log under the log lock. */
void log_write_raw(const char *s, size_t len);

/*
 * Writes a line that shares the serial line but is not Skiff's log (a VM's
 * output, the shell's), under the same lock so lines never interleave.
 */
void log_write_other(const char *s, size_t len);

/*
 * Where the log goes, and where the other lines go: set once the host UART is
 * known (no-op sinks before).
 */
void log_set_sink(void (*write)(const char *s, size_t len),
		  void (*write_other)(const char *s, size_t len));

/* Bypasses the lock: for the panic path only. */
void log_panic_write(const char *s, size_t len);

#endif
